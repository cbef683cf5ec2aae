"""Every public page as a reader sees it in Chromium: Det Fælles Designsystem, no sideways scroll from a small
phone to a desktop, charts whose legends cover nothing, axe-core clean in both languages, no console error, and
a byte budget for the JavaScript and CSS each page loads (compressed as the production set-up serves them).

Screenshots at 390 and 1366 px of every page are saved under test-results/screenshots/ for a person to look at.
"""

from pathlib import Path

import brotli
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from playwright.sync_api import expect

from initiatives.models import Initiative

SCREENSHOTS = Path(settings.BASE_DIR) / "test-results" / "screenshots"
WIDTHS = (320, 390, 768, 1366)
SCREENSHOT_WIDTHS = (390, 1366)
PAGES = [
    "/",
    "/strategies/2018/",
    "/strategies/2021/",
    "/strategies/2030/",
    "/initiatives/",
    "/initiatives/{initiative}/",
    "/compare/",
    "/api/",
    "/strategies/2018/versions/",
    "/strategies/2021/versions/",
    "/strategies/2030/versions/",
    "/strategies/2030/progress/",
    "/strategies/2030/targets/",
    "/strategies/2030/targets/1/",
    "/accessibility/",
    "/sources/",
]
# What a page may load, Brotli-compressed as whitenoise serves it after collectstatic: Plotly's bundle of the bar
# trace and the chart script on pages with charts, and Det Fælles Designsystem's CSS with the site's own.
JS_BUDGET = {"with charts": 340_000, "without charts": 2_000}
CSS_BUDGET = 30_000


def concrete(path: str) -> str:
    initiative = Initiative.objects.filter(chapter__strategy__slug="2021", number="2").get()
    return path.format(initiative=initiative.pk)


def draw_every_chart(page) -> None:
    """Scroll each chart into view, as a reader does, and wait until Plotly has drawn it (on a phone-sized screen the
    charts wait for the reader's first scroll)."""
    page.mouse.wheel(0, 1)
    for chart in page.locator("[data-figure]").all():
        chart.scroll_into_view_if_needed()
        chart.locator(".main-svg").first.wait_for()
    page.evaluate("window.scrollTo(0, 0)")


def sideways_overflow(page) -> list[str]:
    """Elements reaching past the right edge of the window, outside the boxes that scroll on their own (and inside a
    chart's SVG, which clips what it draws to the chart)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll("body *"))
            .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 1
                && !element.closest(".table-container, .table-scroll, .grid-scroll, .visually-hidden, .skipnav, svg"))
            .slice(0, 5)
            .map((element) => `${element.tagName}.${element.className} ${element.getBoundingClientRect().right}`)"""
    )


def loaded(page, kind: str) -> list[str]:
    """The static files of one kind (script, css) the page loaded, as paths under STATIC_URL."""
    entries = page.evaluate("performance.getEntriesByType('resource').map((entry) => entry.name)")
    suffix = {"script": ".js", "css": ".css"}[kind]
    return [entry.split("/static/", 1)[1] for entry in entries if "/static/" in entry and entry.endswith(suffix)]


def brotli_bytes(paths: list[str]) -> int:
    return sum(len(brotli.compress(Path(finders.find(path)).read_bytes())) for path in paths)


@pytest.mark.parametrize("path", PAGES)
def test_it_shows_each_page_in_the_design_system_without_sideways_scroll(browser, app_url, axe_violations, path):
    """At every width, with every chart drawn: no sideways scroll, no console error, axe-core clean, and the
    JavaScript and CSS the page loaded within the budget."""
    url = app_url + concrete(path)
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        assert page.goto(url).ok
        expect(page.locator("header.header .solution-info")).to_be_visible()
        expect(page.locator("footer .footer")).to_contain_text("Tilgængelighedserklæring")
        assert "IBM Plex Sans" in page.evaluate("getComputedStyle(document.body).fontFamily")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            draw_every_chart(page)
            assert sideways_overflow(page) == [], f"{path} at {width} px"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} at {width} px"
            if width in SCREENSHOT_WIDTHS:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                name = concrete(path).strip("/").replace("/", "-") or "overview"
                page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
        assert axe_violations(page) == []
        assert errors == []
        scripts, styles = loaded(page, "script"), loaded(page, "css")
        charts = "with charts" if page.locator("[data-figure]").count() else "without charts"
        assert brotli_bytes(scripts) <= JS_BUDGET[charts], scripts
        assert brotli_bytes(styles) <= CSS_BUDGET, styles
        assert "vendor/dkfds/css/dkfds.min.css" in styles
    finally:
        context.close()


@pytest.mark.parametrize("path", PAGES)
def test_it_passes_axe_core_on_each_page_in_english_and_keeps_it_on_a_small_phone(page, app_url, axe_violations, path):
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    assert page.goto(app_url + "/en" + concrete(path)).ok
    draw_every_chart(page)

    assert sideways_overflow(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[0]
    assert axe_violations(page) == []


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/login/", "Log ind"),
        ("/en/accounts/login/", "Log in"),
        ("/no-such-page/", "Siden findes ikke"),
        ("/en/no-such-page/", "Page not found"),
    ],
)
def test_it_shows_the_login_and_error_pages_in_the_design_at_every_width(page, app_url, axe_violations, path, heading):
    page.goto(app_url + path)

    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator("header.header .solution-info")).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert sideways_overflow(page) == [], f"{path} at {width} px"
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} at {width} px"
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", ["/", "/strategies/2021/", "/compare/?by=chapter&year=2022&year=2023"])
def test_it_puts_every_legend_below_its_plot_on_a_phone(page, app_url, path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(app_url + path)
    draw_every_chart(page)

    for chart in page.locator("[data-figure]").all():
        plot = chart.locator(".nsewdrag").first.bounding_box()
        legend = chart.locator(".legend").first.bounding_box()
        figure = chart.bounding_box()
        assert legend["y"] >= plot["y"] + plot["height"], "the legend covers the plot"
        assert legend["x"] >= figure["x"] - 1 and legend["x"] + legend["width"] <= figure["x"] + figure["width"] + 1


def test_it_draws_unknown_money_as_unknown_not_as_an_empty_chart(page, app_url):
    page.goto(f"{app_url}/strategies/2018/")
    draw_every_chart(page)

    traces = page.evaluate("document.getElementById('chart-chapters').data.map((trace) => [trace.name, trace.y])")

    unknown = dict(traces)["Ramme, fordeling ukendt"]
    assert unknown and all(amount is None or amount > 0 for amount in unknown)
    assert page.locator("#chart-chapters .yaxislayer-above text").last.text_content() != "4"
