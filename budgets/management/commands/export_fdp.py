from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from budgets.fiscal import DATA_FILE, DESCRIPTOR_FILE, write_fiscal_data_package


class Command(BaseCommand):
    help = _("Write all strategies as a Fiscal Data Package (datapackage.json and a CSV file) into a directory.")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--homepage", default=settings.OPEN_DATA_HOMEPAGE)

    def handle(self, *args, directory: Path, homepage: str, **options):
        try:
            rows = write_fiscal_data_package(directory, homepage)
        except OSError as error:
            raise CommandError(_("Could not write the package: %(error)s") % {"error": error}) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(rows)d rows to %(data)s and described them in %(descriptor)s.")
                % {"rows": rows, "data": directory / DATA_FILE, "descriptor": directory / DESCRIPTOR_FILE}
            )
        )
