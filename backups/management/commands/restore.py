from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, restore


class Command(BaseCommand):
    help = "Load a backup made by the backup command into an empty database, in one transaction."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default", help="The database alias to restore into.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a database that already holds strategies or users; everything in it is lost.",
        )

    def handle(self, *args, file, database, replace, **options):
        try:
            summary = restore(file, using=database, replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored {summary.rows} rows in {summary.tables} tables from {summary.path}.")
