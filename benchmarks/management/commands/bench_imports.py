"""`make bench` step: the import of each hostile workbook of the security test (benchmarks.hostile_workbooks) against
the import of the honest workbook of the same strategy, interleaved in the same run, with the peak memory of each."""

import io
import json
import time
import tracemalloc
import zipfile

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client

from benchmarks.database import drop_all, fresh_database, prepare_template
from benchmarks.hostile_workbooks import hostile_workbooks
from benchmarks.measure import interleaved
from budgets.models import BudgetLine
from budgets.services import seed_strategies
from budgets.synthetic import SLUG_PREFIX, generate_data
from budgets.workbooks import strategy_workbook
from editing.services import grant_editor
from initiatives.models import Strategy
from publication.editions import Edition

RESULTS_DIR = settings.BASE_DIR / "bench-results"
REPETITIONS = 3
LARGE = (1, 5000, 10)  # one strategy of 5.000 lines × 10 years, the largest the product is measured at


def _upload(client: Client, url: str, content: bytes):
    def post():
        response = client.post(url, {"workbook": SimpleUploadedFile("budget.xlsx", content)})
        if response.status_code not in (200, 400):
            raise AssertionError(f"{url} answered {response.status_code}")
        return response

    return post


def _peak_mib(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _unpacked(content: bytes) -> int:
    return sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(content)).infolist())


def measure(strategy, log) -> dict:
    user, _ = get_user_model().objects.get_or_create(username="bench-importer")
    grant_editor(user, [strategy])
    client = Client()
    client.force_login(user)
    url = f"/strategies/{strategy.slug}/import/"
    honest = strategy_workbook(strategy, Edition.draft())
    lines = list(BudgetLine.objects.for_strategy(strategy).order_by("position").values_list("pk", flat=True))
    rows = []
    for name, build in hostile_workbooks(honest, lines).items():
        log(f"{strategy.slug}: {name}")
        content = build()
        timing = interleaved({"honest": _upload(client, url, honest), name: _upload(client, url, content)}, REPETITIONS)
        answer = _upload(client, url, content)()
        rows.append(
            {
                "file": name,
                "bytes": len(content),
                "unpacked": _unpacked(content),
                "status": answer.status_code,
                "answer_bytes": len(answer.content),
                "median_ms": timing[name].median * 1000,
                "honest_ms": timing["honest"].median * 1000,
                "ratio": timing[name].median / timing["honest"].median,
                "peak_mib": _peak_mib(_upload(client, url, content)),
            }
        )
    return {
        "strategy": strategy.slug,
        "lines": len(lines),
        "years": len(strategy.years),
        "honest_bytes": len(honest),
        "honest_peak_mib": _peak_mib(_upload(client, url, honest)),
        "files": rows,
    }


def table(result: dict) -> list[str]:
    lines = [
        f"Import into {result['strategy']} ({result['lines']} lines × {result['years']} years); the honest workbook "
        f"({result['honest_bytes'] / 2**20:.1f} MB) peaks at {result['honest_peak_mib']:.1f} MiB.",
        "",
        "| file | size → unpacked | answer | median | honest, same run | ratio | peak memory |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result["files"]:
        lines.append(
            f"| {row['file']} | {row['bytes'] / 2**20:.1f} MB → {row['unpacked'] / 2**20:.0f} MB "
            f"| {row['status']}, {row['answer_bytes'] / 1024:.0f} KB | {row['median_ms']:.0f} ms "
            f"| {row['honest_ms']:.0f} ms | {row['ratio']:.2f} | {row['peak_mib']:.1f} MiB |"
        )
    return lines


class Command(BaseCommand):
    help = "Time the import of the security test's hostile workbooks against an honest import of the same strategy."

    def handle(self, *args, **options):
        if settings.DATABASES["default"]["NAME"] != "strategy_tracker_bench":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=benchmarks.settings, never on the developer's database."
            )
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)
        prepare_template()
        try:
            fresh_database()
            seed_strategies()
            generate_data(*LARGE, seed=1)
            strategies = [
                Strategy.objects.get(slug="2021"),
                Strategy.objects.filter(slug__startswith=SLUG_PREFIX).get(),
            ]
            results = [measure(strategy, self._log) for strategy in strategies]
        finally:
            drop_all()
        text = "\n".join(line for result in results for line in [*table(result), ""])
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        (RESULTS_DIR / "imports.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
        (RESULTS_DIR / "imports.md").write_text(text, encoding="utf-8")
        self.stdout.write(text)
        self.stdout.write(f"Written to {RESULTS_DIR / 'imports.md'} in {time.perf_counter() - started:.0f} s.")

    def _log(self, message):
        self.stderr.write(f"[bench imports {time.strftime('%H:%M:%S')}] {message}")
