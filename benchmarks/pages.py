"""Issue 20's pages: the streamed strategy page of 5.000 lines and its first byte, the same page from the cache, the
editing grid, and the search's first page, each against the bare view or its own query in the same run."""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks.measure import Timing, interleaved
from benchmarks.report import Target
from benchmarks.suite import CACHED_REPETITIONS, _get, editor_client, explain, slowest_select, subjects
from benchmarks.urls import BARE_PATH

STRATEGY_SIZE, SEARCH_SIZE = "20x5000x10", "100x1000x10"
REPETITIONS = 20
STRATEGY_MS, FIRST_BYTE_MS, GRID_MS, CACHED_RATIO, SEARCH_MS = 300, 100, 400, 3, 20


def _whole(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def streamed_page(client, url) -> dict:
    """One request of the page, read to its end: the time to its first part and to its last, and its size."""
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    parts = iter(response.streaming_content) if response.streaming else iter([response.content])
    size = len(next(parts))
    first = time.perf_counter() - started
    size += sum(len(part) for part in parts)
    return {"first": first, "whole": time.perf_counter() - started, "bytes": size, "streamed": response.streaming}


def measure_strategy_page(size) -> dict:
    strategy, _initiative = subjects(size)
    url = strategy.get_absolute_url()
    client = Client()
    bare = _get(client, BARE_PATH)
    with override_settings(PAGE_CACHE=False):
        streamed_page(client, url)
        firsts, wholes, bares = [], [], []
        for _ in range(REPETITIONS):
            # Interleaved with the bare view, as the suite measures every page.
            page = streamed_page(client, url)
            firsts.append(page["first"])
            wholes.append(page["whole"])
            started = time.perf_counter()
            bare()
            bares.append(time.perf_counter() - started)
    cached_page = _get(client, url)
    _whole(cached_page())  # the first request builds the page and keeps it once sent whole
    with CaptureQueriesContext(connection) as captured:
        served = cached_page()
    cached = interleaved({"page": lambda: _whole(cached_page()), "bare": bare}, CACHED_REPETITIONS)
    return {
        "url": url,
        "bytes": page["bytes"],
        "streamed": page["streamed"],
        "first_byte": Timing(firsts).as_dict(),
        "uncached": Timing(wholes).as_dict(),
        "bare_uncached": Timing(bares).as_dict(),
        "cached": cached["page"].as_dict(),
        "bare_cached": cached["bare"].as_dict(),
        "cached_streamed": served.streaming,
        "cached_queries": len(captured),
    }


def measure_grid(size) -> dict:
    strategy, _initiative = subjects(size)
    editor = editor_client(strategy)
    grid = _get(editor, f"/strategies/{strategy.slug}/edit/")
    bare = _get(Client(), BARE_PATH)
    timing = interleaved({"page": grid, "bare": bare}, REPETITIONS)
    return {
        "url": f"/strategies/{strategy.slug}/edit/",
        "bytes": len(_whole(grid())),
        "uncached": timing["page"].as_dict(),
        "bare_uncached": timing["bare"].as_dict(),
    }


def measure_search() -> dict:
    """The search's first page, and the query that fetches its fifty rows run alone (the one the index serves)."""
    client = Client()
    page = _get(client, "/initiatives/")
    with override_settings(PAGE_CACHE=False):
        with CaptureQueriesContext(connection) as captured:
            page()
        rows_query = slowest_select(captured.captured_queries)

        def rows():
            with connection.cursor() as cursor:
                cursor.execute(rows_query)
                cursor.fetchall()

        timing = interleaved({"page": page, "rows": rows}, REPETITIONS)
    return {
        "page": timing["page"].as_dict(),
        "rows": timing["rows"].as_dict(),
        "sql": rows_query,
        "plan": explain(rows_query),
    }


def targets(results: dict) -> list[Target]:
    found = []
    page = results.get("strategy page")
    if page:
        p95, first = page["uncached"]["p95_ms"], page["first_byte"]["p95_ms"]
        found.append(
            Target("strategy page of 5.000 lines, uncached p95", f"{p95:.0f} ms", f"≤ {STRATEGY_MS} ms", p95 <= 300)
        )
        found.append(
            Target(
                "its first byte, uncached p95",
                f"{first:.0f} ms" + ("" if page["streamed"] else " (not streamed)"),
                f"≤ {FIRST_BYTE_MS} ms",
                first <= FIRST_BYTE_MS,
            )
        )
        ratio = page["cached"]["p95_ms"] / page["bare_cached"]["p95_ms"]
        found.append(
            Target(
                f"cached {page['bytes'] / 2**20:.1f} MiB page / bare view, p95",
                f"{ratio:.1f} ×, {page['cached_queries']} queries",
                f"≤ {CACHED_RATIO} ×",
                ratio <= CACHED_RATIO,
            )
        )
    grid = results.get("editing grid")
    if grid:
        p95 = grid["uncached"]["p95_ms"]
        found.append(Target("editing grid of 5.000 lines, p95", f"{p95:.0f} ms", f"≤ {GRID_MS} ms", p95 <= GRID_MS))
    search = results.get("search")
    if search:
        p95 = search["rows"]["p95_ms"]
        found.append(
            Target(
                "search's first page: its rows' query, p95",
                f"{p95:.1f} ms (page {search['page']['p95_ms']:.0f} ms)",
                f"≤ {SEARCH_MS} ms",
                p95 <= SEARCH_MS,
            )
        )
    return found


def markdown(results: dict) -> str:
    lines = [
        "### Issue 20's pages (`manage.py bench_pages`)",
        "",
        f"Load average at the start: {results['load']}.",
        "",
        "| what | measured | target | |",
        "|---|---:|---:|---|",
    ]
    lines += [f"| {t.what} | {t.measured} | {t.target} | {t.verdict} |" for t in targets(results)]
    page = results.get("strategy page")
    if page:
        lines += [
            "",
            f"- strategy page `{page['url']}` ({page['bytes'] / 2**20:.1f} MiB, streamed: {page['streamed']}): first "
            f"byte {_ms(page['first_byte'])} ms, whole {_ms(page['uncached'])} ms (median / p95 of {REPETITIONS}), "
            f"bare view {_ms(page['bare_uncached'])} ms; cached {_ms(page['cached'])} ms against the bare view "
            f"{_ms(page['bare_cached'])} ms ({CACHED_REPETITIONS} each, interleaved)",
        ]
    grid = results.get("editing grid")
    if grid:
        lines.append(
            f"- editing grid `{grid['url']}` ({grid['bytes'] / 2**20:.1f} MiB): {_ms(grid['uncached'])} ms, bare view "
            f"{_ms(grid['bare_uncached'])} ms"
        )
    search = results.get("search")
    if search:
        lines += [
            f"- search's first page {_ms(search['page'])} ms; its rows' query alone {_ms(search['rows'])} ms",
            "",
            "```",
            search["plan"],
            "```",
        ]
    return "\n".join(lines) + "\n"


def _ms(timing: dict) -> str:
    return f"{timing['median_ms']:.1f} / {timing['p95_ms']:.1f}"
