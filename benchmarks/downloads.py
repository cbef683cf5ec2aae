"""The heavy downloads of issue 20 at 100 × 1.000 × 10 (`make bench`'s bench_downloads step): the workbook of every
strategy built against openpyxl's write-only mode writing the same cells, served once built, what a reader gets
while it is built, and the search's CSV of every initiative against Python's csv module writing the same rows."""

import csv
import io
import tempfile

from django.test import Client
from django.test.utils import override_settings

from benchmarks.measure import interleaved, seconds
from benchmarks.report import Target, target_rows
from benchmarks.suite import SIZES, TARGET_SIZE, _body, _get, _plain_csv, _workbook_against_openpyxl, load
from budgets.models import Allocation
from dashboard import downloads
from initiatives.models import Initiative, Strategy

WORKBOOK_ROUNDS = 3
SERVED_ROUNDS = 20
CSV_ROUNDS = 5
SERVED_SECONDS, BUILD_RATIO, CSV_RATIO = 1, 2, 3


def search_csv_against_csv(rounds: int) -> dict:
    search = _get(Client(), "/initiatives/?export=csv")
    with override_settings(PAGE_CACHE=False):  # the search's CSV is a public page, cached like the others
        rows = list(csv.reader(io.StringIO(_body(search()).decode())))
        timing = interleaved({"csv": search, "plain": lambda: _plain_csv(rows)}, rounds)
    return {
        "rows": len(rows) - 1,
        "bytes": len(_body(search())),
        "csv": timing["csv"].as_dict(),
        "plain": timing["plain"].as_dict(),
        "ratio": timing["csv"].median / timing["plain"].median,
    }


def counted() -> dict:
    return {
        "seconds": None,
        "strategies": Strategy.objects.count(),
        "initiatives": Initiative.objects.count(),
        "allocations": Allocation.objects.count(),
    }


def reader_during_a_build() -> dict:
    """A reader asking for the workbook of every strategy before it is built: how long until they are answered."""
    with tempfile.TemporaryDirectory() as folder, override_settings(DOWNLOADS_DIR=folder):
        client = Client()
        response = None

        def ask():
            nonlocal response
            response = client.get("/export.xlsx")

        waited = seconds(ask)
        status = response.status_code
        build = downloads.build("/export.xlsx")  # joins the build the reader started
        served = _get(client, "/export.xlsx")
        return {"status": status, "waited_s": waited, "rest_of_build_s": build, "served_bytes": len(_body(served()))}


def measure(log, load_data: bool = True) -> dict:
    size = next(size for size in SIZES if size.name == TARGET_SIZE)
    log(f"{size.label}: loading" if load_data else f"{size.label}: measuring the database loaded before")
    result = {"label": size.label, "data": load(size) if load_data else counted()}
    log(f"{size.label}: the workbook of every strategy, {WORKBOOK_ROUNDS} rounds against openpyxl")
    result["workbook"] = _workbook_against_openpyxl("/export.xlsx", WORKBOOK_ROUNDS, peak=False, served=SERVED_ROUNDS)
    log(f"{size.label}: a reader during a build")
    result["during_build"] = reader_during_a_build()
    log(f"{size.label}: the search's CSV, {CSV_ROUNDS} rounds against the csv module")
    result["search_csv"] = search_csv_against_csv(CSV_ROUNDS)
    return result


def targets(result: dict) -> list[Target]:
    workbook, search, during = result["workbook"], result["search_csv"], result["during_build"]
    served = workbook["served"]["p95_ms"] / 1000
    return [
        Target(
            "workbook of every strategy, download once built (p95)",
            f"{served:.2f} s",
            f"≤ {SERVED_SECONDS} s",
            served <= SERVED_SECONDS,
        ),
        Target(
            "workbook of every strategy, a reader before it is built",
            f"{during['status']} after {during['waited_s']:.1f} s",
            "answered, never a 120 s wait",
            during["waited_s"] < 10,
        ),
        Target(
            "workbook of every strategy, building / openpyxl write-only (median)",
            f"{workbook['ratio']:.2f} ×",
            f"≤ {BUILD_RATIO} ×",
            workbook["ratio"] <= BUILD_RATIO,
        ),
        Target(
            f"search CSV of {search['rows']:,} initiatives / csv module (median)".replace(",", "."),
            f"{search['ratio']:.2f} ×",
            f"≤ {CSV_RATIO} ×",
            search["ratio"] <= CSV_RATIO,
        ),
    ]


def report_lines(result: dict) -> list[str]:
    workbook, search, during = result["workbook"], result["search_csv"], result["during_build"]
    data = result["data"]
    return [
        f"### The heavy downloads at {result['label']}",
        "",
        f"{data['strategies']} strategies, {data['initiatives']:,} initiatives, {data['allocations']:,} allocations",
        "",
        f"- workbook of every strategy ({workbook['sheets']} sheets, {workbook['cells_written']:,} cells): built in "
        f"{workbook['export']['median_ms']:.0f} / {workbook['export']['p95_ms']:.0f} ms (median / p95 of "
        f"{workbook['export']['runs']}); openpyxl write-only alone {workbook['openpyxl']['median_ms']:.0f} / "
        f"{workbook['openpyxl']['p95_ms']:.0f} ms: **{workbook['ratio']:.2f} ×**; served once built "
        f"{workbook['served']['median_ms']:.0f} / {workbook['served']['p95_ms']:.0f} ms",
        f"- a reader asking before it is built: {during['status']} after {during['waited_s']:.1f} s; the build went "
        f"on for {during['rest_of_build_s']:.1f} s more",
        f"- search CSV ({search['rows']:,} rows, {search['bytes'] / 2**20:.1f} MiB): "
        f"{search['csv']['median_ms']:.0f} / {search['csv']['p95_ms']:.0f} ms; Python's csv module alone writing the "
        f"same rows {search['plain']['median_ms']:.0f} / {search['plain']['p95_ms']:.0f} ms: "
        f"**{search['ratio']:.2f} ×** (median / p95 of {search['csv']['runs']})",
        "",
        *target_rows(targets(result)),
    ]
