"""`make bench`'s step for ten times the data (issue 20): generating 1 and 10 million cells, every public page at
both in the same run, and publishing a strategy of 5.000 lines against one INSERT … SELECT of its cells."""

import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from benchmarks import suite
from benchmarks.database import fresh_database, prepare_template, set_aside, use
from benchmarks.measure import Timing, seconds
from benchmarks.report import PUBLIC_PAGES, Target, _ms, publish_lines, publish_target
from benchmarks.urls import BARE_PATH
from budgets.models import Allocation
from budgets.services import seed_strategies
from budgets.synthetic import SLUG_PREFIX, generate_data
from initiatives.models import Strategy
from publication.models import PublishedCell

# The size the pages are measured at first and the one ten times larger; both with 3 published versions.
SMALL = suite.Size("100x1000x10", 100, 1000, 10, 0)
LARGE = suite.Size("1000x1000x10", 1000, 1000, 10, 0)
SMALL_SUFFIX = "_small"  # the smaller size's database, kept beside the larger one's
REPETITIONS = 20  # of each page at each size
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


def measure_pages(databases: dict, log) -> dict:
    """Each public page uncached at both sizes, interleaved request by request (each size's database in turn, each
    request beside one to the bare view), so both sizes see the same machine at the same moment; then each page's
    queries and the plan of its slowest one, at each size."""
    client = Client()
    bare = suite._get(client, BARE_PATH)
    urls = {}
    for size in (SMALL, LARGE):
        use(databases[size.name])
        urls[size.name] = suite.public_pages(*suite.subjects(size))
    results = {size.name: {} for size in (SMALL, LARGE)}
    with override_settings(PAGE_CACHE=False):
        for name in PUBLIC_PAGES:
            log(f"{name}: {SMALL.label} and {LARGE.label}, interleaved")
            samples = {size.name: {"page": [], "bare": []} for size in (SMALL, LARGE)}
            for repetition in range(REPETITIONS + 1):  # the first round warms up
                for size in (SMALL, LARGE):
                    use(databases[size.name])
                    page = seconds(suite._get(client, urls[size.name][name]))
                    floor = seconds(bare)
                    if repetition:
                        samples[size.name]["page"].append(page)
                        samples[size.name]["bare"].append(floor)
            for size in (SMALL, LARGE):
                results[size.name][name] = {
                    "url": urls[size.name][name],
                    "uncached": Timing(samples[size.name]["page"]).as_dict(),
                    "bare": Timing(samples[size.name]["bare"]).as_dict(),
                }
        for size in (SMALL, LARGE):
            use(databases[size.name])
            for page in results[size.name].values():
                get = suite._get(client, page["url"])
                page["queries"], captured = suite.queries(get)
                page["bytes"] = len(suite._body(get()))
                page["slowest_query"] = suite.slowest_select(captured)
                page["plan"] = suite.explain(page["slowest_query"])
    return results


PARTS = ["publish", "pages"]


def run(log, parts=PARTS, earlier: dict | None = None) -> dict:
    """The parts asked for; with ``earlier`` (the results of a run with --keep-database), its two databases are
    migrated and measured again instead of generated anew, and its figures of generating them are kept (with
    --parts pages: publishing starts from a fresh database, which would replace the larger one)."""
    results = {"sizes": {}}
    # First, as it starts from a fresh database: the pages' two databases are kept when asked (--keep-database).
    if "publish" in parts:
        prepare_template()
        fresh_database()
        seed_strategies()
        generate_data(PUBLISHED.strategies, PUBLISHED.initiatives, PUBLISHED.years, seed=suite.SEED)
        strategy = Strategy.objects.get(slug__startswith=SLUG_PREFIX)
        log(f"{PUBLISHED.label}: publishing")
        results["publish"] = suite.publish_against_copy(strategy)
    if "pages" in parts:
        databases = {SMALL.name: settings.DATABASES["default"]["NAME"] + SMALL_SUFFIX}
        if earlier:
            generated = {name: size["generate"] for name, size in earlier["sizes"].items()}
            databases[LARGE.name] = settings.DATABASES["default"]["NAME"]
            for database in databases.values():
                use(database)
                call_command("migrate", verbosity=0, interactive=False)
        else:
            prepare_template()
            generated = {SMALL.name: generate(SMALL, log)}
            databases[SMALL.name] = set_aside(SMALL_SUFFIX)
            generated[LARGE.name] = generate(LARGE, log)
            databases[LARGE.name] = settings.DATABASES["default"]["NAME"]
        try:
            pages = measure_pages(databases, log)
        finally:
            use(databases[LARGE.name])
        for size in (SMALL, LARGE):
            results["sizes"][size.name] = {
                "label": size.label,
                "generate": generated[size.name],
                "pages": pages[size.name],
            }
    return results


def targets(results: dict) -> list[Target]:
    """Every issue-20 target of ten times the data, PASS or FAIL."""
    found = []
    if results["sizes"]:
        found += _scale_targets(results["sizes"][SMALL.name], results["sizes"][LARGE.name])
    if "publish" in results:
        found.append(publish_target(results))
    return found


def _scale_targets(small: dict, large: dict) -> list[Target]:
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
    return lines + publish_lines(results.get("publish")) + [""]


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
    if LARGE.name not in results["sizes"]:
        return []
    lines = [f"### Query plans at {LARGE.label}", ""]
    for name, page in results["sizes"][LARGE.name]["pages"].items():
        lines += [f"#### {name}", "", "```sql", page["slowest_query"], "```", "", "```", page["plan"], "```", ""]
    return lines
