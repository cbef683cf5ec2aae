"""The benchmark's figures as a table, with each target of the issue marked PASS or FAIL."""

from dataclasses import dataclass

PUBLIC_PAGES = ["overview", "strategy", "compare", "compare by chapter", "initiative", "search"]
CACHED_RATIO = 5
UNCACHED_MS = 300
COMPARE_RATIO = 3
EXPORT_RATIO = 2
SAVE_MS = 1000
THROUGHPUT_RATIO = 0.5
PUBLISH_MS = 2000


@dataclass
class Target:
    what: str
    measured: str
    target: str
    passed: bool | None  # None: not measured

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "SKIP"}[self.passed]


def targets(size: dict) -> list[Target]:
    found = []
    for name in PUBLIC_PAGES:
        page = size["pages"][name]
        ratio = page["cached"]["p95_ms"] / page["bare_cached"]["p95_ms"]
        found.append(Target(f"{name}: p95 cached / bare view", f"{ratio:.1f} ×", f"< {CACHED_RATIO} ×", ratio < 5))
        p95 = page["uncached"]["p95_ms"]
        found.append(Target(f"{name}: p95 uncached", f"{p95:.0f} ms", f"< {UNCACHED_MS} ms", p95 < UNCACHED_MS))
    ratio = size["compare_sql"]["ratio"]
    found.append(
        Target(
            "compare page / SQL aggregate (median)", f"{ratio:.2f} ×", f"≤ {COMPARE_RATIO} ×", ratio <= COMPARE_RATIO
        )
    )
    ratio = size["export"]["ratio"]
    found.append(
        Target("Excel export / openpyxl write-only (median)", f"{ratio:.2f} ×", f"≤ {EXPORT_RATIO} ×", ratio <= 2)
    )
    save = size["save"]
    found.append(
        Target(
            f"save of {save['cells']} changed cells (median)",
            f"{save['median_ms']:.0f} ms, {save['queries']} queries",
            f"< {SAVE_MS} ms",
            save["median_ms"] < SAVE_MS,
        )
    )
    found.append(publish_target(size))
    rates = size["throughput"]
    if "skipped" in rates:
        found.append(Target("cached overview / bare view, requests/s", rates["skipped"], "≥ 0.5", None))
    else:
        found.append(
            Target(
                "cached overview / bare view, requests/s (wrk, gunicorn)",
                f"{rates['overview_rps']:.0f} / {rates['bare_rps']:.0f} = {rates['ratio']:.2f}",
                f"≥ {THROUGHPUT_RATIO}",
                rates["ratio"] >= THROUGHPUT_RATIO,
            )
        )
    return found


def publish_target(size: dict) -> Target:
    published = size["publish"]
    median = published["publish"]["median_ms"]
    return Target(
        f"publishing {published['lines']:,} lines, every amount changed (median)".replace(",", "."),
        f"{median:.0f} ms, {published['ratio']:.1f} × one INSERT … SELECT",
        f"< {PUBLISH_MS} ms",
        median < PUBLISH_MS,
    )


def _ms(timing: dict | None) -> str:
    return "–" if timing is None else f"{timing['median_ms']:.1f} / {timing['p95_ms']:.1f}"


def size_table(size: dict) -> list[str]:
    data = size["data"]
    lines = [
        f"### {size['label']}",
        "",
        f"{data['strategies']} strategies, {data['initiatives']:,} initiatives, {data['lines']:,} budget lines, "
        f"{data['allocations']:,} allocations" + (f"; generated in {data['seconds']:.1f} s" if data["seconds"] else ""),
        "",
        "| page | queries | KiB | uncached median / p95 ms | bare median / p95 ms | cached median / p95 ms "
        "| bare median / p95 ms | cached p95 / bare p95 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, page in size["pages"].items():
        cached = page.get("cached")
        ratio = f"{cached['p95_ms'] / page['bare_cached']['p95_ms']:.1f} ×" if cached else "not cached"
        lines.append(
            f"| {name} | {page['queries']} | {page['bytes'] / 1024:.0f} | {_ms(page['uncached'])} "
            f"| {_ms(page['bare_uncached'])} | {_ms(cached)} | {_ms(page.get('bare_cached'))} | {ratio} |"
        )
    compare, export, save, rates = size["compare_sql"], size["export"], size["save"], size["throughput"]
    lines += [
        "",
        f"- compare page {_ms(compare['page'])} ms against the SQL aggregate {_ms(compare['sql'])} ms "
        f"({compare['groups']} groups): **{compare['ratio']:.2f} ×** (medians)",
        f"- Excel export of `{export['strategy']}` ({export['lines']:,} lines, {export['cells_written']:,} cells) "
        f"{_ms(export['export'])} ms, peak {export['export_peak_mib']:.0f} MiB; openpyxl write-only alone "
        f"{_ms(export['openpyxl'])} ms, peak {export['openpyxl_peak_mib']:.0f} MiB: **{export['ratio']:.2f} ×**; "
        f"served once built {_ms(export['served'])} ms",
        f"- save of {save['cells']} changed cells through the grid: {save['median_ms']:.0f} ms median, "
        f"{save['p95_ms']:.0f} ms p95 over {save['runs']} saves, {save['queries']} queries",
        *publish_lines(size.get("publish")),
    ]
    if "skipped" in rates:
        lines.append(f"- throughput: {rates['skipped']}")
    else:
        lines.append(
            f"- throughput (wrk, 8 connections, gunicorn with 3 workers): cached overview {rates['overview_rps']:.0f} "
            f"requests/s, bare view {rates['bare_rps']:.0f} requests/s: **{rates['ratio']:.2f}**; the bare view "
            f"padded to the overview's {rates['page_bytes'] / 1024:.0f} KiB: {rates['bare_same_size_rps']:.0f} "
            f"requests/s, ratio {rates['ratio_same_size']:.2f}"
        )
    return lines


def publish_lines(published: dict | None) -> list[str]:
    if not published:
        return []
    return [
        f"- publishing `{published['strategy']}` ({published['lines']:,} lines) with every amount changed "
        f"({published['changed_cells']:,} cells): {_ms(published['publish'])} ms; one INSERT … SELECT of its cells "
        f"{_ms(published['copy'])} ms: **{published['ratio']:.1f} ×** (medians of {published['publish']['runs']})"
    ]


def target_rows(found: list[Target]) -> list[str]:
    """The targets as a table, each marked PASS, FAIL or SKIP."""
    return [
        "| what | measured | target | |",
        "|---|---:|---:|---|",
        *[f"| {t.what} | {t.measured} | {t.target} | {t.verdict} |" for t in found],
    ]


def targets_table(size: dict) -> list[str]:
    return [f"### Targets at {size['label']}", "", *target_rows(targets(size))]


def machine_lines(machine: dict) -> list[str]:
    return [
        f"- {machine['cpus']} CPUs: {machine['cpu_model']}; {machine['memory_gib']} GiB of memory",
        f"- {machine['postgresql']}",
        f"- Python {machine['python']}, Django {machine['django']}, {machine['platform']}",
    ]


def explain_lines(size: dict) -> list[str]:
    lines = [f"### Query plans at {size['label']}", ""]
    for name, entry in size["explain"].items():
        lines += [f"#### {name}", "", "```sql", entry["sql"], "```", "", "```", entry["plan"], "```", ""]
    return lines


def markdown(results: dict) -> str:
    lines = ["# Benchmark results", "", f"Run at {results['started']} in {results['seconds']:.0f} s.", ""]
    lines += machine_lines(results["machine"]) + [""]
    for size in results["sizes"]:
        lines += size_table(size) + [""]
    for size in results["sizes"]:
        if size["size"] == results["target_size"]:
            lines += targets_table(size) + [""]
    for size in results["sizes"]:
        lines += explain_lines(size)
    return "\n".join(lines) + "\n"
