from pathlib import Path

from django.core.management.base import BaseCommand

from strategy_tracker.errors import write_unanswered_pages


class Command(BaseCommand):
    help = (
        "Write the pages nginx answers with when no instance of the app answered (502, 504), in Danish, in English "
        "and for the API, into a directory nginx reads (deploy/site.conf). Run it after collectstatic."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory, **options):
        written = write_unanswered_pages(directory)
        self.stdout.write(f"{len(written)} pages for an unanswered request written to {directory}")
