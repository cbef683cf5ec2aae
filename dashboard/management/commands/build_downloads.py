from django.core.management.base import BaseCommand

from dashboard import downloads


class Command(BaseCommand):
    help = (
        "Build the heavy public downloads (the workbook of every strategy in each language, every cell as CSV) for "
        "the figures the public sees now, unless built already. Run it at each deploy and from a timer every few "
        "minutes, so an embargo's end is built before readers ask."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "addresses", nargs="*", help=f"Public addresses to build instead (default: {' '.join(downloads.PREBUILT)})"
        )

    def handle(self, *args, addresses, **options):
        for address in addresses or downloads.PREBUILT:
            seconds = downloads.build(address)
            self.stdout.write(f"{address}: {seconds:.1f} s")
