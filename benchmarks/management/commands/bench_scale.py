"""`make bench` step: ten times the data (issue 20). Generates 1 and then 10 million cells, measures every public
page at both in the same run, and publishes a strategy of 5.000 lines; prints its targets as PASS/FAIL."""

import json
import time
from datetime import UTC, datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from benchmarks import scale
from benchmarks.database import drop_all

RESULTS_DIR = settings.BASE_DIR / "bench-results"


class Command(BaseCommand):
    help = "Generate 1 and 10 million cells, measure the public pages at both, publish 5.000 lines; print targets."

    def add_arguments(self, parser):
        parser.add_argument("--keep-database", action="store_true", help="Keep the 10 million cells to look at.")
        parser.add_argument("--parts", nargs="+", default=scale.PARTS, choices=scale.PARTS)
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Measure the databases an earlier run with --keep-database kept, instead of generating them again.",
        )

    def handle(self, *args, keep_database, parts, reuse, **options):
        if settings.DATABASES["default"]["NAME"] != "strategy_tracker_bench":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=benchmarks.settings, never on the developer's database."
            )
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)
        earlier = json.loads((RESULTS_DIR / "scale.json").read_text(encoding="utf-8")) if reuse else None
        try:
            results = scale.run(self._log, parts, earlier)
        finally:
            if not keep_database:
                drop_all()
        results["started"] = datetime.now(UTC).isoformat(timespec="seconds")
        results["seconds"] = time.perf_counter() - started
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        (RESULTS_DIR / "scale.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
        text = [*scale.size_lines(results), *scale.targets_table(results)]
        (RESULTS_DIR / "scale.md").write_text("\n".join([*text, "", *scale.plans(results)]) + "\n", encoding="utf-8")
        self.stdout.write("\n".join(text) + "\n")
        self.stdout.write(f"Written to {RESULTS_DIR / 'scale.md'} and scale.json in {results['seconds']:.0f} s.")

    def _log(self, message):
        self.stderr.write(f"[bench_scale {time.strftime('%H:%M:%S')}] {message}")
