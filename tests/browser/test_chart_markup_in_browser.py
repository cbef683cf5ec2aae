"""Names with tags in them, as Chromium draws them with Plotly: shown as typed, never as a link or a style."""

from budgets.changes import figures_changed
from budgets.models import BudgetLine, CellKind
from initiatives.models import Chapter, Strategy

LINK = '<a href="http://evil.example/">Se mere</a>'
STYLE = '<span style="font-size:40px;color:red">Stor</span>'


def drawn(page, url: str, chart_id: str):
    page.goto(url)
    chart = page.locator(f"#{chart_id}")
    chart.scroll_into_view_if_needed()
    # Waited for in the DOM: a polled expression would be run with eval, which the site's CSP refuses.
    chart.locator(".main-svg").first.wait_for()
    return chart


def test_it_shows_tags_in_names_as_text_in_legends_and_labels(page, app_url):
    strategy = Strategy.objects.get(slug="2021")
    line = BudgetLine.objects.filter(strategy=strategy, chapter__isnull=False, allocations__kind=CellKind.AMOUNT)[0]
    Chapter.objects.filter(pk=line.chapter_id).update(title=LINK)
    Strategy.objects.filter(pk=strategy.pk).update(short_title=STYLE)
    figures_changed()  # as every edit through the app does: no page cached before shows the old names

    overview = drawn(page, f"{app_url}/", "chart-overview")
    assert STYLE in overview.locator(".legendtext").all_text_contents()
    assert overview.locator("[style*='40px']").count() == 0

    chapters = drawn(page, f"{app_url}/strategies/2021/", "chart-chapters")
    assert chapters.locator(".legendtext", has_text=LINK).count() == 1
    assert page.locator(".js-plotly-plot a[href*='evil.example']").count() == 0
