import pytest
from playwright.sync_api import expect


def budget_row(page, number: str) -> dict[str, str]:
    """The budget table's row numbered ``number``, each cell under its column heading, as the browser renders it."""
    headings = page.locator("#budget-table thead th").all_inner_texts()
    rows = page.locator("#budget-table tbody tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.innerText.trim()))"
    )
    matching = [row for row in rows if row and row[0] == number]
    assert len(matching) == 1, f"expected one row numbered {number} in #budget-table, found {len(matching)}"
    return dict(zip((heading.strip() for heading in headings), matching[0], strict=True))


def year_cells(row: dict[str, str]) -> list[str]:
    return [row["2021"], row["2022"], row["2023"]]


def test_it_renders_the_2021_budget_table_in_danish(page, app_url):
    response = page.goto(f"{app_url}/strategies/2021/")

    assert response.ok
    expect(page.locator("html")).to_have_attribute("lang", "da")
    assert year_cells(budget_row(page, "26")) == ["5,7", "16,8", "16,8"]


def test_it_switches_to_english_with_the_language_link(page, app_url):
    page.goto(f"{app_url}/strategies/2021/")

    page.locator("nav.language").get_by_role("link", name="English").click()

    expect(page).to_have_url(f"{app_url}/en/strategies/2021/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert year_cells(budget_row(page, "26")) == ["5.7", "16.8", "16.8"]


@pytest.mark.parametrize("path", ["/", "/strategies/2030/"])
def test_it_has_no_wcag_a_or_aa_violations(page, app_url, axe_violations, path):
    response = page.goto(f"{app_url}{path}")

    assert response.ok
    assert axe_violations(page) == []
