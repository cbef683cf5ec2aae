"""The editing grid of a 1.000-line strategy in a real Chromium: what a keystroke in a cell costs the page's script.

Every keystroke is an ``input`` event dispatched to a cell (after its value changed, as typing does); the time the
grid's handlers take (script) and the style and layout the browser then needs before it can paint (forced by
reading ``offsetHeight``) are timed inside the page. The baseline, in the same page and the same run, is the same
keystroke into a field outside the grid with an empty handler: what any keystroke costs in a page of this size.
"""

import statistics

from django.conf import settings
from playwright.sync_api import sync_playwright

from benchmarks.database import fresh_database
from benchmarks.suite import editor_client, gunicorn
from budgets.models import BudgetLine
from budgets.services import seed_strategies
from budgets.synthetic import generate_data
from initiatives.models import Strategy
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

LINES, YEARS, SEED = 1000, 10, 16
KEYSTROKES = 400
# Keystrokes timed together for the script alone: a browser's clock (performance.now) counts in steps of 0,1 ms
# in a page that is not cross-origin isolated, longer than an empty handler takes.
BATCH = 20
FRAME_MS = 1000 / 60

# Runs in the page: KEYSTROKES keystrokes spread over the grid's cells, each into a cell (scrolled into view
# first) and into the baseline field in turn, so both see the page in the same state. "frame" is one keystroke
# with the style and layout it makes the browser redo; "script" is a batch of BATCH keystrokes' handlers, divided
# by BATCH.
MEASURE = """([count, batch]) => {
    const cells = Array.from(document.querySelectorAll("#grid input[type=text]"));
    const bare = document.createElement("input");
    bare.addEventListener("input", () => {});
    document.getElementById("grid-form").after(bare);
    const timings = {grid: {script: [], frame: []}, bare: {script: [], frame: []}};
    const value = index => index % 3 === 0 ? "ukendt" : String(index % 500) + ",5";
    function type(input, text) {
        input.value = text;
        input.dispatchEvent(new InputEvent("input", {bubbles: true, inputType: "insertText", data: text.slice(-1)}));
    }
    function keystroke(input, text, into) {
        // Typed into a cell in view, as an editor does; bringing it into view is not timed.
        input.scrollIntoView({block: "center"});
        document.body.offsetHeight;
        const started = performance.now();
        type(input, text);
        document.body.offsetHeight;  // the style and layout the next frame needs
        into.frame.push(performance.now() - started);
    }
    function keystrokes(inputs, offset, into) {
        inputs[0].scrollIntoView({block: "center"});
        document.body.offsetHeight;
        const started = performance.now();
        inputs.forEach((input, index) => type(input, value(offset + index)));
        into.script.push((performance.now() - started) / inputs.length);
        document.body.offsetHeight;
    }
    const spread = index => cells[Math.floor(index * cells.length / count)];
    for (let index = 0; index < count; index += 1) {
        keystroke(spread(index), value(index), timings.grid);
        keystroke(bare, value(index), timings.bare);
    }
    for (let index = 0; index < count; index += batch) {
        const some = Array.from({length: batch}, (_, offset) => spread(index + offset));
        keystrokes(some, index + 1, timings.grid);
        keystrokes(Array(batch).fill(bare), index + 1, timings.bare);
    }
    const setup = performance.getEntriesByName("grid-setup")[0];
    return {timings, cells: cells.length, setup_ms: setup ? setup.duration : null};
}"""


def _summary(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[int(len(ordered) * 0.95) - 1],
        "max_ms": ordered[-1],
        "runs": len(ordered),
    }


def measure_keystrokes(log) -> dict:
    if not CHROMIUM.exists():
        return {"skipped": f"Chromium is not installed at {CHROMIUM} (make bench installs it with apt-get)"}
    log(f"grid: loading a strategy of {LINES} lines × {YEARS} years")
    fresh_database()
    seed_strategies()
    generate_data(1, LINES, YEARS, seed=SEED)
    strategy = Strategy.objects.get(slug__endswith=f"{SEED}-1")
    session = editor_client(strategy).cookies[settings.SESSION_COOKIE_NAME].value
    with gunicorn() as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base}])
            page = context.new_page()
            log("grid: typing")
            page.goto(f"{base}/strategies/{strategy.slug}/edit/", timeout=120_000)
            measured = page.evaluate(MEASURE, [KEYSTROKES, BATCH])
        finally:
            browser.close()
    grid, bare = measured["timings"]["grid"], measured["timings"]["bare"]
    result = {
        "strategy": strategy.slug,
        "lines": BudgetLine.objects.filter(strategy=strategy).count(),
        "cells": measured["cells"],
        "setup_ms": measured["setup_ms"],
        "grid_script": _summary(grid["script"]),
        "grid_frame": _summary(grid["frame"]),
        "bare_script": _summary(bare["script"]),
        "bare_frame": _summary(bare["frame"]),
    }
    # Ratios of means: the baseline's median may be below the clock's step.
    result["frame_ratio"] = statistics.mean(grid["frame"]) / statistics.mean(bare["frame"])
    result["script_ratio"] = statistics.mean(grid["script"]) / statistics.mean(bare["script"])
    return result


def report_lines(result: dict) -> list[str]:
    if "skipped" in result:
        return [f"- grid keystrokes: {result['skipped']}"]
    grid_script, grid_frame = result["grid_script"], result["grid_frame"]
    bare_script, bare_frame = result["bare_script"], result["bare_frame"]
    within = grid_frame["p95_ms"] < FRAME_MS
    return [
        f"### A keystroke in the grid of `{result['strategy']}` ({result['lines']:,} lines, {result['cells']:,} cells)",
        "",
        "| keystroke into | script median / p95 / max ms | script + style and layout median / p95 / max ms |",
        "|---|---:|---:|",
        f"| a grid cell (totals updated) | {grid_script['median_ms']:.3f} / {grid_script['p95_ms']:.3f} / "
        f"{grid_script['max_ms']:.3f} | {grid_frame['median_ms']:.2f} / {grid_frame['p95_ms']:.2f} / "
        f"{grid_frame['max_ms']:.2f} |",
        f"| a field with an empty handler, same page | {bare_script['median_ms']:.3f} / {bare_script['p95_ms']:.3f} / "
        f"{bare_script['max_ms']:.3f} | {bare_frame['median_ms']:.2f} / {bare_frame['p95_ms']:.2f} / "
        f"{bare_frame['max_ms']:.2f} |",
        "",
        f"- ratio of means, grid / empty handler: script **{result['script_ratio']:.1f} ×** (batches of {BATCH}), "
        f"script with style and layout **{result['frame_ratio']:.2f} ×**",
        f"- p95 of script with style and layout {grid_frame['p95_ms']:.2f} ms against one frame at 60 Hz "
        f"({FRAME_MS:.1f} ms): **{'PASS' if within else 'FAIL'}**",
        f"- the grid's script sets itself up in {result['setup_ms']:.0f} ms when the page loads"
        if result["setup_ms"] is not None
        else "- the grid's set-up time was not recorded",
        f"- {result['grid_frame']['runs']} keystrokes each, interleaved, and {result['grid_script']['runs']} batches",
    ]
