from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, backup


class Command(BaseCommand):
    help = "Write the whole database (figures, audit trail, users) to FILE with pg_dump."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default", help="The database alias to back up.")

    def handle(self, *args, file, database, **options):
        try:
            summary = backup(file, using=database)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up {summary.rows} rows in {summary.tables} tables to {summary.path} ({summary.size:,} bytes)."
        )
