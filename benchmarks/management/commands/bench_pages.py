import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from benchmarks import pages, suite
from benchmarks.database import drop_all, prepare_template

RESULTS_DIR = settings.BASE_DIR / "bench-results"


class Command(BaseCommand):
    help = "Measure issue 20's pages: the streamed 5.000-line strategy page, its cached copy, the grid, the search."

    def add_arguments(self, parser):
        sizes = [pages.STRATEGY_SIZE, pages.SEARCH_SIZE]
        parser.add_argument("--sizes", nargs="+", default=sizes, choices=sizes)
        parser.add_argument("--output", type=Path, default=RESULTS_DIR)
        parser.add_argument(
            "--reuse-database",
            action="store_true",
            help="Measure the data the benchmark's database holds (one size, kept by --keep-database) without loading.",
        )
        parser.add_argument("--keep-database", action="store_true", help="Keep the last size's database.")

    def handle(self, *args, sizes, output, reuse_database, keep_database, **options):
        if settings.DATABASES["default"]["NAME"] != "strategy_tracker_bench":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=benchmarks.settings, never on the developer's database."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        if reuse_database:
            call_command("migrate", verbosity=0, interactive=False)
        else:
            prepare_template()
        results = {"load": " ".join(f"{value:.1f}" for value in os.getloadavg())}
        try:
            for size in suite.SIZES:
                if size.name not in sizes:
                    continue
                if not reuse_database:
                    self._log(f"{size.label}: loading")
                    suite.load(size)
                if size.name == pages.STRATEGY_SIZE:
                    self._log(f"{size.label}: the strategy page")
                    results["strategy page"] = pages.measure_strategy_page(size)
                    self._log(f"{size.label}: the editing grid")
                    results["editing grid"] = pages.measure_grid(size)
                if size.name == pages.SEARCH_SIZE:
                    self._log(f"{size.label}: the search")
                    results["search"] = pages.measure_search()
        finally:
            if not keep_database and not reuse_database:
                drop_all()
        output.mkdir(parents=True, exist_ok=True)
        (output / "pages.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        text = pages.markdown(results)
        (output / "pages.md").write_text(text, encoding="utf-8")
        self.stdout.write(text)

    def _log(self, message):
        self.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}")
