import json
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from benchmarks import grid
from benchmarks.database import drop_all, prepare_template

RESULTS_DIR = settings.BASE_DIR / "bench-results"


class Command(BaseCommand):
    help = "Measure a keystroke in the editing grid of a 1.000-line strategy in Chromium, against an empty handler."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=RESULTS_DIR)

    def handle(self, *args, output, **options):
        if settings.DATABASES["default"]["NAME"] != "strategy_tracker_bench":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=benchmarks.settings, never on the developer's database."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        prepare_template()
        try:
            result = grid.measure_keystrokes(self._log)
        finally:
            drop_all()
        output.mkdir(parents=True, exist_ok=True)
        (output / "grid.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
        lines = grid.report_lines(result)
        (output / "grid.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write("\n".join(lines) + "\n")

    def _log(self, message):
        self.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}")
