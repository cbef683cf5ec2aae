"""What a visitor sees and clicks on the public dashboard, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from budgets.comparison import compare
from budgets.synthetic import generate_data
from initiatives.models import Strategy
from publication.editions import Edition


def chart_traces(page, chart_id: str) -> dict[str, list]:
    """The data Plotly drew, read back from the chart element in the page, once it is scrolled into view."""
    chart = page.locator(f"#{chart_id}")
    chart.scroll_into_view_if_needed()
    # Waited for in the DOM: a polled expression would be run with eval, which the site's CSP refuses.
    chart.locator(".main-svg").first.wait_for()
    return page.evaluate(
        f"Object.fromEntries(document.getElementById('{chart_id}').data.map(trace => [trace.name, trace.y]))"
    )


def chart_labels(page) -> list[str]:
    """The whole names of the compare chart's rows (its axis shows them cut to fit a phone)."""
    chart_traces(page, "chart-compare")
    return page.evaluate("document.getElementById('chart-compare').data[0].customdata.map((pair) => pair[0])")


def test_it_draws_the_overview_chart_with_the_published_totals(page, app_url):
    page.goto(f"{app_url}/")

    traces = chart_traces(page, "chart-overview")

    assert traces["Strategi 2021"][3:6] == [70.0, 100.4, 100.4]
    assert traces["Strategi 2030"][6:] == [99.1, 100.0, 100.0, 100.0]
    assert traces["Rammer i alt"][6] == 130.4
    expect(page.locator("#chart-overview .main-svg").first).to_be_visible()
    expect(page.locator("#chart-overview .modebar-btn[data-title='Download plot as a PNG']")).to_have_count(1)
    expect(page.locator("#chart-overview .modebar-btn[data-title='Share chart...']")).to_have_count(0)


def test_it_keeps_the_compare_selection_in_the_address(page, app_url):
    page.goto(f"{app_url}/compare/")

    page.get_by_label("Vækstplan 2018").uncheck()
    page.get_by_label("Strategi 2030").uncheck()
    for year in ("2026", "2027"):  # the page opens on the latest two years
        page.get_by_label(year, exact=True).uncheck()
    for year in ("2022", "2023"):
        page.get_by_label(year, exact=True).check()
    page.get_by_label("kapitel").check()
    page.get_by_role("button", name="Sammenlign").click()

    expect(page).to_have_url(f"{app_url}/compare/?strategy=2021&year=2022&year=2023&by=chapter")
    first_chapter = page.locator("#comparison tbody tr").first.locator("td")
    expect(first_chapter).to_have_text(
        ["Strategi 2021 · 1. Bedre rammer for forskning og udvikling", "22,1", "22,2", "0,1", "0,5 %"]
    )

    page.goto(page.url)
    expect(page.get_by_label("kapitel")).to_be_checked()
    expect(page.get_by_label("Strategi 2030")).not_to_be_checked()


def test_it_narrows_the_initiatives_with_a_filter(page, app_url):
    page.goto(f"{app_url}/initiatives/")
    expect(page.locator("p.count")).to_have_text("84 initiativer")

    page.get_by_label("Tema").select_option(label="Sundhedsdata")
    page.get_by_label("Strategi", exact=True).select_option(label="Strategi 2021")
    page.get_by_role("button", name="Filtrér").click()

    expect(page.locator("p.count")).to_have_text("7 initiativer")
    expect(page.locator("#initiatives tbody tr")).to_have_count(7)
    assert "theme=health-data" in page.url


def test_it_follows_an_initiative_to_its_successor(page, app_url):
    page.goto(f"{app_url}/strategies/2021/")

    page.locator("#budget-table").get_by_role("link", name="Videreførelse af tilskud til Healthcare Denmark").click()
    page.get_by_role(
        "link", name="5.4 Styrke markedsføringsindsatsen af dansk life science via Healthcare Denmark"
    ).click()

    expect(page.locator("h1")).to_have_text(
        "5.4. Styrke markedsføringsindsatsen af dansk life science via Healthcare Denmark"
    )
    expect(page.locator("#amounts tbody td")).to_have_text(["4,3", "7,5", "7,5", "7,5", "26,8"])


@pytest.mark.parametrize(
    "path", ["/compare/?year=2023&year=2024", "/initiatives/", "/strategies/2021/", "/en/", "/api/"]
)
def test_it_passes_the_accessibility_check_on_every_public_page(page, app_url, axe_violations, path):
    assert page.goto(f"{app_url}{path}").ok

    assert axe_violations(page) == []


def test_it_works_without_the_internet(page, app_url):
    outside = []
    page.on("request", lambda request: None if request.url.startswith(app_url) else outside.append(request.url))

    page.goto(f"{app_url}/strategies/2030/")
    chart_traces(page, "chart-chapters")

    assert outside == []


def test_it_pages_through_a_long_comparison_and_charts_each_page(page, app_url, axe_violations):
    generate_data(10, 100, 10, seed=11)
    strategies = list(Strategy.objects.all())
    labels = [
        row.label
        for row in compare(
            Edition.public(), strategies, sorted({y for s in strategies for y in s.years}), "chapter"
        ).rows
    ]
    page.goto(f"{app_url}/compare/")
    page.get_by_role("link", name="Sammenlign alle år (en bred tabel)").click()
    page.get_by_label("kapitel").check()
    page.get_by_role("button", name="Sammenlign").click()
    assert chart_labels(page) == labels[:100]

    page.get_by_role("link", name="Næste side").click()

    assert "by=chapter" in page.url and page.url.endswith("page=2")
    expect(page.locator("#comparison tbody tr").first.locator("td").first).to_have_text(labels[100])
    expect(page.locator("#comparison tbody tr").last.locator("td").first).to_have_text("I alt")
    assert chart_labels(page) == labels[100:200]
    expect(page.get_by_role("link", name="2", exact=True)).to_have_attribute("aria-current", "page")
    assert axe_violations(page) == []
