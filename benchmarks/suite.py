"""What `make bench` measures at each size of data, every figure beside a baseline measured in the same run."""

import contextlib
import csv
import io
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from dataclasses import dataclass
from decimal import Decimal

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from openpyxl import Workbook, load_workbook

from benchmarks.database import fresh_database
from benchmarks.measure import Timing, interleaved, seconds
from benchmarks.urls import BARE_PATH
from budgets.cells import format_cell
from budgets.models import Allocation, BudgetLine
from budgets.services import seed_strategies
from budgets.synthetic import SLUG_PREFIX, generate_data
from editing.services import grant_approver, grant_editor
from initiatives.models import Initiative, InitiativeLink, Strategy
from publication.services import publish


@dataclass(frozen=True)
class Size:
    name: str
    strategies: int
    initiatives: int
    years: int
    repetitions: int  # of each uncached page; cached pages are cheap and get CACHED_REPETITIONS

    @property
    def label(self) -> str:
        if not self.strategies:
            return "fixtures"
        return f"fixtures + {self.strategies} × {self.initiatives:,} × {self.years}".replace(",", ".")


SIZES = [
    Size("fixtures", 0, 0, 0, 40),
    Size("100x1000x10", 100, 1000, 10, 20),
    Size("20x5000x10", 20, 5000, 10, 10),
]
TARGET_SIZE = "100x1000x10"
CACHED_REPETITIONS = 300
SAVED_CELLS = 500
SAVES = 5
EXPORTS = 3
WRK_SECONDS = 5
WRK_ROUNDS = 2
SEED = 1
VERSIONS = 3  # published versions of each generated strategy: the public pages read the newest
PUBLISHES = 3

# The baseline of a publication: the strategy's cells copied once with one INSERT … SELECT into a table shaped like
# the published cells, with the same constraints and indexes.
PUBLISH_COPY_SQL = """
INSERT INTO bench_publish_copy
    (strategy_id, line_id, year, kind, amount, text, remark, is_correction, allocation_id, version, valid_from)
SELECT line.strategy_id, cell.line_id, cell.year, cell.kind, cell.amount, cell.text, cell.remark, cell.is_correction,
       cell.id, cell.version, 1
FROM budgets_allocation cell JOIN budgets_budgetline line ON line.id = cell.line_id
WHERE line.strategy_id = %s
"""

# The figures of the compare page (every strategy, every year, by theme) in one query written straight in SQL:
# per theme of a line's first initiative and year, the amounts summed and the unknown and financed cells counted.
COMPARE_SQL = """
WITH first_theme AS (
    SELECT DISTINCT ON (covered.budgetline_id) covered.budgetline_id AS line_id, initiative.theme
    FROM budgets_budgetline_initiatives covered
    JOIN initiatives_initiative initiative ON initiative.id = covered.initiative_id
    ORDER BY covered.budgetline_id, initiative.position
)
SELECT first_theme.theme, cell.year,
       COALESCE(SUM(cell.amount) FILTER (WHERE cell.kind = 'amount'), 0),
       COUNT(*) FILTER (WHERE cell.kind = 'unknown'),
       COUNT(*) FILTER (WHERE cell.kind = 'financed')
FROM budgets_allocation cell
JOIN budgets_budgetline line ON line.id = cell.line_id
LEFT JOIN first_theme ON first_theme.line_id = cell.line_id
WHERE line.strategy_id = ANY(%s) AND cell.year = ANY(%s)
GROUP BY first_theme.theme, cell.year
"""


def load(size: Size) -> dict:
    """A fresh database holding the fixtures and, above the smallest size, the synthetic strategies."""
    fresh_database()
    seed_strategies()
    loaded = {"seconds": None}
    if size.strategies:
        started = time.perf_counter()
        generate_data(size.strategies, size.initiatives, size.years, seed=SEED, versions=VERSIONS)
        loaded["seconds"] = time.perf_counter() - started
    loaded.update(
        strategies=Strategy.objects.count(),
        initiatives=Initiative.objects.count(),
        lines=BudgetLine.objects.count(),
        allocations=Allocation.objects.count(),
    )
    return loaded


def subjects(size: Size) -> tuple[Strategy, Initiative]:
    """The strategy and the initiative whose pages are measured: the largest strategy, an initiative with lineage."""
    if not size.strategies:
        return Strategy.objects.get(slug="2030"), Initiative.objects.get(chapter__strategy__slug="2021", number="2")
    strategies = Strategy.objects.filter(slug__startswith=SLUG_PREFIX).order_by("pk")
    strategy = strategies[len(strategies) // 2]
    link = InitiativeLink.objects.filter(successor__chapter__strategy=strategy).order_by("pk").first()
    return strategy, link.successor


def public_pages(strategy, initiative) -> dict[str, str]:
    return {
        "overview": "/",
        "strategy": strategy.get_absolute_url(),
        "compare": "/compare/",
        "compare by chapter": "/compare/?by=chapter",
        "initiative": initiative.get_absolute_url(),
        "search": "/initiatives/",
    }


def _get(client, url, status=200):
    """A request for ``url`` whose answer is read to its end, as a browser reads it: a streamed page reads its
    figures while it is sent, so its time and its queries are only whole once the last part is read."""

    def get():
        response = client.get(url)
        if response.status_code != status:
            raise AssertionError(f"{url} answered {response.status_code}, not {status}")
        if response.streaming:
            response.streaming_content = [b"".join(response.streaming_content)]
        return response

    return get


def editor_client(strategy) -> Client:
    user, _ = get_user_model().objects.get_or_create(username="bench-editor")
    grant_editor(user, [strategy])
    client = Client()
    client.force_login(user)
    return client


def queries(function) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured), list(captured.captured_queries)


def slowest_select(captured: list) -> str:
    """The slowest plain SELECT of a request, the one whose plan is worth reading."""
    selects = [query for query in captured if query["sql"].startswith("SELECT") and ";" not in query["sql"]]
    return max(selects, key=lambda query: float(query["time"]))["sql"]


def measure_pages(size: Size, pages: dict[str, str], grid_url: str, editor: Client) -> dict:
    """Server time of each page, uncached and cached, each interleaved with the bare view."""
    client = Client()
    bare = _get(client, BARE_PATH)
    results = {}
    for name, url in pages.items():
        page = _get(client, url)
        with override_settings(PAGE_CACHE=False):
            count, captured = queries(page)
            uncached = interleaved({"page": page, "bare": bare}, size.repetitions)
        cached = interleaved({"page": page, "bare": bare}, CACHED_REPETITIONS)
        results[name] = {
            "url": url,
            "queries": count,
            "bytes": len(_body(page())),
            "uncached": uncached["page"].as_dict(),
            "bare_uncached": uncached["bare"].as_dict(),
            "cached": cached["page"].as_dict(),
            "bare_cached": cached["bare"].as_dict(),
            "slowest_query": slowest_select(captured),
        }
    grid = _get(editor, grid_url)
    count, captured = queries(grid)
    timing = interleaved({"page": grid, "bare": bare}, size.repetitions)
    results["editing grid"] = {
        "url": grid_url,
        "queries": count,
        "bytes": len(_body(grid())),
        "uncached": timing["page"].as_dict(),
        "bare_uncached": timing["bare"].as_dict(),
        "slowest_query": slowest_select(captured),
    }
    return results


def compare_against_sql(size: Size) -> dict:
    """The compare page's time against the one SQL aggregate that computes its figures."""
    client = Client()
    strategies = list(Strategy.objects.values_list("pk", flat=True))
    years = sorted({year for strategy in Strategy.objects.all() for year in strategy.years})

    def aggregate():
        with connection.cursor() as cursor:
            cursor.execute(COMPARE_SQL, [strategies, years])
            return cursor.fetchall()

    with override_settings(PAGE_CACHE=False):
        timing = interleaved({"page": _get(client, "/compare/"), "sql": aggregate}, size.repetitions)
    return {
        "page": timing["page"].as_dict(),
        "sql": timing["sql"].as_dict(),
        "ratio": timing["page"].median / timing["sql"].median,
        "groups": len(aggregate()),
    }


def _plain_workbook(sheets: dict[str, list]) -> None:
    """The same cells, values and formulas, written with nothing but openpyxl's write-only mode."""
    workbook = Workbook(write_only=True)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(io.BytesIO())


def _peak(function) -> int:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _body(response) -> bytes:
    """A response's bytes, read to the end as a browser reads them (a large built file and a large page stream)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _built(client, url):
    """A download built anew each time: it is kept in a folder of its own (dashboard.downloads), new each call, and
    built in the request (not in the background) so that the build is what is timed."""
    get = _get(client, url)

    def build():
        with tempfile.TemporaryDirectory() as folder, override_settings(DOWNLOADS_DIR=folder, DOWNLOADS_WAIT=None):
            return _body(get())

    return build


def _workbook_against_openpyxl(url: str, repetitions: int, peak: bool = True, served: int = 3) -> dict:
    """Building a workbook download against openpyxl's write-only mode writing the very cells it wrote,
    interleaved; and serving it once built, as every reader after the first is served."""
    client = Client()
    export = _built(client, url)
    produced = load_workbook(io.BytesIO(export()), read_only=True)
    sheets = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in produced}
    timing = interleaved({"export": export, "openpyxl": lambda: _plain_workbook(sheets)}, repetitions)
    served_file = _get(client, url)
    with override_settings(DOWNLOADS_WAIT=None):  # built once in the request, then served from the file
        _body(served_file())
    served_timing = interleaved({"served": lambda: _body(served_file())}, max(repetitions, served))
    result = {
        "sheets": len(sheets),
        "cells_written": sum(len(row) for rows in sheets.values() for row in rows),
        "export": timing["export"].as_dict(),
        "openpyxl": timing["openpyxl"].as_dict(),
        "ratio": timing["export"].median / timing["openpyxl"].median,
        "served": served_timing["served"].as_dict(),
    }
    if peak:
        result["export_peak_mib"] = _peak(export) / 2**20
        result["openpyxl_peak_mib"] = _peak(lambda: _plain_workbook(sheets)) / 2**20
    return result


def export_against_openpyxl(strategy) -> dict:
    return {
        "strategy": strategy.slug,
        "lines": BudgetLine.objects.filter(strategy=strategy).count(),
        **_workbook_against_openpyxl(f"/strategies/{strategy.slug}/export.xlsx", EXPORTS),
    }


def _plain_csv(rows: list) -> None:
    csv.writer(io.StringIO()).writerows(rows)


def _save_form(strategy, cells: int, value: str) -> dict:
    """What the grid posts when an editor changed ``cells`` cells: each with what it showed and its version."""
    chosen = Allocation.objects.filter(line__strategy=strategy).order_by("line__position", "year")[:cells]
    form = {"reason": "Måling af en stor gemning"}
    for cell in chosen:
        key = f"{cell.line_id}-{cell.year}"
        form[f"c-{key}"] = value
        form[f"o-{key}"] = format_cell(cell)
        form[f"v-{key}"] = str(cell.version)
    return form


def save_grid_cells(strategy, editor: Client) -> dict:
    """A save of SAVED_CELLS changed cells through the grid, as the editor's browser posts it."""
    url = f"/strategies/{strategy.slug}/edit/"
    cells = min(SAVED_CELLS, Allocation.objects.filter(line__strategy=strategy).count())
    times, counts = [], []
    for save in range(SAVES):
        value = f"{900 + save},5"
        form = _save_form(strategy, cells, value)
        with CaptureQueriesContext(connection) as captured:
            elapsed = seconds(lambda form=form: _expect(editor.post(url, form), 302, url))
        times.append(elapsed)
        counts.append(len(captured))
        saved = Allocation.objects.filter(line__strategy=strategy, amount=Decimal(value.replace(",", "."))).count()
        if saved != cells:
            raise AssertionError(f"the save stored {saved} of {cells} cells")
    timing = Timing(times)
    return {"cells": cells, **timing.as_dict(), "queries": max(counts)}


def publish_against_copy(strategy) -> dict:
    """Publishing a draft in which every amount changed, against copying the strategy's cells with one INSERT …
    SELECT: the worst case, every cell closed and written anew."""
    approver, _ = get_user_model().objects.get_or_create(username="bench-approver")
    grant_approver(approver)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_publish_copy (LIKE publication_publishedcell INCLUDING ALL)")
    published, copied, changed = [], [], []

    def copy():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE bench_publish_copy")
            cursor.execute(PUBLISH_COPY_SQL, [strategy.pk])

    for number in range(PUBLISHES):
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE budgets_allocation cell SET amount = amount + 0.1, version = version + 1 "
                "FROM budgets_budgetline line WHERE line.id = cell.line_id AND line.strategy_id = %s "
                "AND cell.kind = 'amount'",
                [strategy.pk],
            )
        copied.append(seconds(copy))
        started = time.perf_counter()
        version = publish(strategy, approver, f"Måling {number + 1}")
        published.append(time.perf_counter() - started)
        changed.append(version.changed_cells)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_publish_copy")
    publish_timing, copy_timing = Timing(published), Timing(copied)
    return {
        "strategy": strategy.slug,
        "lines": BudgetLine.objects.filter(strategy=strategy).count(),
        "changed_cells": max(changed),
        "publish": publish_timing.as_dict(),
        "copy": copy_timing.as_dict(),
        "ratio": publish_timing.median / copy_timing.median,
    }


def _expect(response, status, url):
    if response.status_code != status:
        raise AssertionError(f"{url} answered {response.status_code}, not {status}")
    return response


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, server: subprocess.Popen | None, seconds_allowed: float = 60) -> None:
    deadline = time.monotonic() + seconds_allowed
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError("gunicorn stopped before it served a page")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within a minute")


def _wrk(url: str) -> float:
    output = subprocess.run(
        ["wrk", "--threads", "1", "--connections", "8", "--duration", f"{WRK_SECONDS}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
        timeout=WRK_SECONDS + 60,
    ).stdout
    for line in output.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(f"wrk printed no rate:\n{output}")


@contextlib.contextmanager
def gunicorn():
    """The same server as `make serve` (three sync workers) on a free loopback port, against the benchmark's
    database; yields its base address once it serves the bare view."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "gunicorn"),
            "strategy_tracker.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--log-level",
            "warning",
        ],
        env=environment,
        cwd=settings.BASE_DIR,
    )
    try:
        _wait_until_serving(base + BARE_PATH, server)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def throughput() -> dict:
    """Requests per second of the cached overview and of the bare view, from wrk against gunicorn on loopback."""
    if shutil.which("wrk") is None:
        return {"skipped": "wrk is not installed (make bench installs it with apt-get)"}
    with gunicorn() as base:
        _wait_until_serving(base + "/", None)
        with urllib.request.urlopen(base + "/", timeout=30) as response:
            size = len(response.read())
        urls = {"overview": base + "/", "bare": base + BARE_PATH, "bare_same_size": f"{base}{BARE_PATH}?bytes={size}"}
        rates = {name: [] for name in urls}
        for _ in range(WRK_ROUNDS):
            for name, url in urls.items():
                rates[name].append(_wrk(url))
    best = {name: max(values) for name, values in rates.items()}
    return {
        "overview_rps": best["overview"],
        "bare_rps": best["bare"],
        "ratio": best["overview"] / best["bare"],
        "bare_same_size_rps": best["bare_same_size"],
        "ratio_same_size": best["overview"] / best["bare_same_size"],
        "page_bytes": size,
        "rounds": rates,
    }


def explain(sql: str, params=None) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(str(row[0]) for row in cursor.fetchall())


def explain_pages(pages: dict) -> dict:
    """The plan of the slowest query of each page, and of the SQL aggregate the compare page is held against."""
    plans = {
        name: {"sql": page["slowest_query"], "plan": explain(page["slowest_query"])} for name, page in pages.items()
    }
    strategies = list(Strategy.objects.values_list("pk", flat=True))
    years = sorted({year for strategy in Strategy.objects.all() for year in strategy.years})
    plans["compare: the SQL aggregate"] = {
        "sql": COMPARE_SQL.strip(),
        "plan": explain(COMPARE_SQL, [strategies, years]),
    }
    return plans


def machine() -> dict:
    model = ""
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as handle:
        memory = next(line for line in handle if line.startswith("MemTotal")).split()[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        postgres = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(int(memory) / 2**20, 1),
        "postgresql": postgres,
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
    }


def run_size(size: Size, log) -> dict:
    log(f"{size.label}: loading")
    result = {"size": size.name, "label": size.label, "data": load(size)}
    strategy, initiative = subjects(size)
    editor = editor_client(strategy)
    pages = public_pages(strategy, initiative)
    log(f"{size.label}: pages")
    result["pages"] = measure_pages(size, pages, f"/strategies/{strategy.slug}/edit/", editor)
    log(f"{size.label}: compare against SQL")
    result["compare_sql"] = compare_against_sql(size)
    log(f"{size.label}: Excel export")
    result["export"] = export_against_openpyxl(strategy)
    log(f"{size.label}: saving {SAVED_CELLS} cells")
    result["save"] = save_grid_cells(strategy, editor)
    log(f"{size.label}: publishing")
    result["publish"] = publish_against_copy(strategy)
    log(f"{size.label}: throughput")
    result["throughput"] = throughput()
    result["explain"] = explain_pages(result["pages"])
    return result
