import json
import time
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from benchmarks import report, suite
from benchmarks.database import drop_all, prepare_template

RESULTS_DIR = settings.BASE_DIR / "bench-results"


class Command(BaseCommand):
    help = "Measure the pages, the Excel export, a large save and throughput at each size, against baselines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes", nargs="+", default=[size.name for size in suite.SIZES], choices=[s.name for s in suite.SIZES]
        )
        parser.add_argument("--output", type=Path, default=RESULTS_DIR)
        parser.add_argument("--keep-database", action="store_true", help="Keep the last size's database to look at.")

    def handle(self, *args, sizes, output, keep_database, **options):
        if settings.DATABASES["default"]["NAME"] != "strategy_tracker_bench":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=benchmarks.settings, never on the developer's database."
            )
        started = time.perf_counter()
        results = {"started": datetime.now(UTC).isoformat(timespec="seconds"), "target_size": suite.TARGET_SIZE}
        call_command("collectstatic", interactive=False, verbosity=0)
        prepare_template()
        results["sizes"] = []
        try:
            for size in suite.SIZES:
                if size.name in sizes:
                    results["sizes"].append(suite.run_size(size, self._log))
                    results["machine"] = suite.machine()
        finally:
            if not keep_database:
                drop_all()
        results["seconds"] = time.perf_counter() - started
        output.mkdir(parents=True, exist_ok=True)
        (output / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        text = report.markdown(results)
        (output / "results.md").write_text(text, encoding="utf-8")
        for size in results["sizes"]:
            self.stdout.write("\n".join(report.size_table(size)) + "\n")
        target = [size for size in results["sizes"] if size["size"] == suite.TARGET_SIZE]
        for size in target:
            self.stdout.write("\n".join(report.targets_table(size)) + "\n")
        self.stdout.write(f"Written to {output / 'results.md'} and results.json in {results['seconds']:.0f} s.")

    def _log(self, message):
        self.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}")
