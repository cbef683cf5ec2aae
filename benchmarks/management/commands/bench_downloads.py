import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from benchmarks import downloads
from benchmarks.database import drop_all, prepare_template

RESULTS_DIR = settings.BASE_DIR / "bench-results"


class Command(BaseCommand):
    help = (
        "Measure the heavy downloads at 100 × 1.000 × 10: the workbook of every strategy against openpyxl, served "
        "once built and while being built, and the search's CSV against the csv module."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=RESULTS_DIR)
        parser.add_argument("--keep-database", action="store_true", help="Keep the database to look at.")
        parser.add_argument(
            "--reuse-database",
            action="store_true",
            help="Measure on the database a run with --keep-database left, without loading it again.",
        )

    def handle(self, *args, output, keep_database, reuse_database, **options):
        if settings.DATABASES["default"]["NAME"] != "strategy_tracker_bench":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=benchmarks.settings, never on the developer's database."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        if not reuse_database:
            prepare_template()
        try:
            result = downloads.measure(self._log, load_data=not reuse_database)
        finally:
            if not keep_database:
                drop_all()
        output.mkdir(parents=True, exist_ok=True)
        (output / "downloads.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        lines = downloads.report_lines(result)
        (output / "downloads.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write("\n".join(lines) + "\n")

    def _log(self, message):
        self.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}")
