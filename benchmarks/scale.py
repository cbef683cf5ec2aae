"""`make bench`'s step for ten times the data (issue 20): generating 1 and 10 million cells, every public page at
both in the same run, and publishing a strategy of 5.000 lines against one INSERT … SELECT of its cells."""

import os
import subprocess
import sys
import time

from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

from benchmarks import suite
from benchmarks.database import fresh_database
from benchmarks.measure import interleaved
from benchmarks.report import PUBLIC_PAGES, Target, _ms, publish_lines, publish_target
from benchmarks.urls import BARE_PATH
from budgets.models import Allocation
from budgets.services import seed_strategies
from budgets.synthetic import generate_data
from publication.models import PublishedCell

# The size the pages are measured at first and the one ten times larger; both with 3 published versions.
SMALL = suite.Size("100x1000x10", 100, 1000, 10, 20)
LARGE = suite.Size("1000x1000x10", 1000, 1000, 10, 10)
PUBLISHED = suite.Size("1x5000x10", 1, 5000, 10, 0)  # one strategy of 5.000 lines, published
GENERATION_RATIO = 10  # 10 × the cells in at most 10 × the time
MEMORY_RATIO = 1.5  # "memory flat": the peak of 10 × the cells within half again that of 1 ×
PAGE_RATIO = 2
CROSS_STRATEGY_MS = 300  # the overview and the compare pages, which add up every strategy
CROSS_STRATEGY_PAGES = ["overview", "compare", "compare by chapter"]


def generate(size: suite.Size, log) -> dict:
    """The fixtures, then ``generate_data`` in a process of its own, so its time and peak memory are its alone."""
    fresh_database()
    seed_strategies()
    command = [
        sys.executable,
        "manage.py",
        "generate_data",
        *("--strategies", str(size.strategies), "--initiatives", str(size.initiatives), "--years", str(size.years)),
        *("--seed", str(suite.SEED), "--versions", str(suite.VERSIONS)),
    ]
    log(f"{size.label}: generate_data")
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env={**os.environ, "DJANGO_SETTINGS_MODULE": "benchmarks.settings"}
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"generate_data failed with {status}")
    return {
        "seconds": elapsed,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # Linux counts it in KiB
        "allocations": Allocation.objects.count(),
        "published_cells": PublishedCell.objects.count(),
    }


def measure_pages(size: suite.Size, log) -> dict:
    """Each public page uncached, interleaved with the bare view; its queries and the slowest one's plan."""
    strategy, initiative = suite.subjects(size)
    client = Client()
    bare = suite._get(client, BARE_PATH)
    results = {}
    with override_settings(PAGE_CACHE=False):
        for name, url in suite.public_pages(strategy, initiative).items():
            log(f"{size.label}: {name}")
            page = suite._get(client, url)
            count, captured = suite.queries(page)
            timing = interleaved({"page": page, "bare": bare}, size.repetitions)
            results[name] = {
                "url": url,
                "queries": count,
                "bytes": len(page().content),
                "uncached": timing["page"].as_dict(),
                "bare": timing["bare"].as_dict(),
                "slowest_query": suite.slowest_select(captured),
            }
    for page in results.values():
        page["plan"] = suite.explain(page["slowest_query"])
    return results


def run(log) -> dict:
    results = {"sizes": {}}
    fresh_database()
    seed_strategies()
    generate_data(PUBLISHED.strategies, PUBLISHED.initiatives, PUBLISHED.years, seed=suite.SEED)
    strategy, _initiative = suite.subjects(PUBLISHED)
    log(f"{PUBLISHED.label}: publishing")
    results["publish"] = suite.publish_against_copy(strategy)
    for size in (SMALL, LARGE):
        results["sizes"][size.name] = {
            "label": size.label,
            "generate": generate(size, log),
            "pages": measure_pages(size, log),
        }
    return results


def targets(results: dict) -> list[Target]:
    """Every issue-20 target of ten times the data, PASS or FAIL."""
    small, large = results["sizes"][SMALL.name], results["sizes"][LARGE.name]
    found = []
    before, after = small["generate"], large["generate"]
    ratio = after["seconds"] / before["seconds"]
    found.append(
        Target(
            "generate_data of 10 M cells / of 1 M (3 versions)",
            f"{after['seconds']:.0f} s / {before['seconds']:.0f} s = {ratio:.1f} ×",
            f"≤ {GENERATION_RATIO} ×",
            ratio <= GENERATION_RATIO,
        )
    )
    ratio = after["peak_rss_mib"] / before["peak_rss_mib"]
    found.append(
        Target(
            "generate_data peak RSS at 10 M / at 1 M",
            f"{after['peak_rss_mib']:.0f} MiB / {before['peak_rss_mib']:.0f} MiB = {ratio:.2f} ×",
            f"≤ {MEMORY_RATIO} ×",
            ratio <= MEMORY_RATIO,
        )
    )
    for name in PUBLIC_PAGES:
        p95, p95_before = large["pages"][name]["uncached"]["p95_ms"], small["pages"][name]["uncached"]["p95_ms"]
        ratio = p95 / p95_before
        found.append(
            Target(
                f"{name}: p95 uncached at 10 M / at 1 M",
                f"{p95:.0f} ms / {p95_before:.0f} ms = {ratio:.2f} ×",
                f"≤ {PAGE_RATIO} ×",
                ratio <= PAGE_RATIO,
            )
        )
    for name in CROSS_STRATEGY_PAGES:
        p95 = large["pages"][name]["uncached"]["p95_ms"]
        found.append(
            Target(
                f"{name}: p95 uncached at 10 M", f"{p95:.0f} ms", f"≤ {CROSS_STRATEGY_MS} ms", p95 <= CROSS_STRATEGY_MS
            )
        )
    found.append(publish_target({"publish": results["publish"]}))
    return found


def size_lines(results: dict) -> list[str]:
    lines = []
    for size in results["sizes"].values():
        generated = size["generate"]
        lines += [
            f"### {size['label']}",
            "",
            f"generate_data: {generated['allocations']:,} cells, {generated['published_cells']:,} published cells "
            f"in {generated['seconds']:.1f} s, peak RSS {generated['peak_rss_mib']:.0f} MiB",
            "",
            "| page | queries | KiB | uncached median / p95 ms | bare median / p95 ms |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, page in size["pages"].items():
            lines.append(
                f"| {name} | {page['queries']} | {page['bytes'] / 1024:.0f} | {_ms(page['uncached'])} "
                f"| {_ms(page['bare'])} |"
            )
        lines.append("")
    return lines + publish_lines(results["publish"]) + [""]


def targets_table(results: dict) -> list[str]:
    lines = [
        "### Targets of ten times the data (issue 20)",
        "",
        "| what | measured | target | |",
        "|---|---:|---:|---|",
    ]
    return lines + [f"| {t.what} | {t.measured} | {t.target} | {t.verdict} |" for t in targets(results)]


def plans(results: dict) -> list[str]:
    """The plan of each page's slowest query at the larger size, measured after the pages."""
    lines = [f"### Query plans at {LARGE.label}", ""]
    for name, page in results["sizes"][LARGE.name]["pages"].items():
        lines += [f"#### {name}", "", "```sql", page["slowest_query"], "```", "", "```", page["plan"], "```", ""]
    return lines
