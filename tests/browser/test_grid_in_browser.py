"""Ministry staff editing the budget grid in a real Chromium, including two editors at once."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetLine
from editing.services import grant_editor

PASSWORD = "a-long-test-password"


@pytest.fixture
def editor_login(app_url, django_user_model):
    def login(page, username):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
        grant_editor(user, [])
        page.goto(f"{app_url}/accounts/login/?next=/strategies/2021/edit/")
        page.get_by_label("Brugernavn").fill(username)
        page.get_by_label("Adgangskode").fill(PASSWORD)
        page.get_by_role("button", name="Log ind").click()
        expect(page).to_have_url(f"{app_url}/strategies/2021/edit/")
        return user

    return login


def cell(page, number, year):
    line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number=number)
    return page.locator(f"input[name='c-{line.pk}-{year}']")


def test_it_moves_money_with_live_totals_logs_it_and_reverts_it(page, app_url, editor_login):
    editor_login(page, "anna")
    total_2022 = page.locator("#grid [data-total='1']")
    chapter_5 = page.locator("#grid tbody").nth(4).locator("[data-subtotal='1']")
    expect(total_2022).to_have_text("100,4")

    cell(page, "26", 2022).fill("15,8")
    expect(total_2022).to_have_text("99,4")
    expect(chapter_5).to_have_text("43,8")
    cell(page, "27", 2022).fill("17,8")
    expect(total_2022).to_have_text("100,4")
    cell(page, "27", 2022).fill("47,8")
    expect(page.locator("#frame-warning")).to_have_text("Bevillingerne overstiger rammen i 2022 med 30,0 mio. kr.")
    cell(page, "27", 2022).fill("17,8")

    page.get_by_label("Begrundelse for ændringen (gemmes sammen med den)").fill("Omprioritering")
    page.get_by_role("button", name="Gem").click()
    expect(page.locator(".messages")).to_have_text("Gemt 2 celler.")
    expect(cell(page, "26", 2022)).to_have_value("15,8")

    page.get_by_role("link", name="Ændringslog").first.click()
    rows = page.locator("#changes tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Omprioritering")
    page.get_by_role("button", name="Tilbagefør denne gemning").click()
    expect(page.locator(".messages")).to_contain_text("Tilbageførte 2 celler.")
    expect(page.locator("#changes tbody tr")).to_have_count(4)


def test_it_refuses_the_second_editors_stale_cell_and_saves_the_rest(browser, app_url, editor_login):
    first_context, second_context = browser.new_context(), browser.new_context()
    first, second = first_context.new_page(), second_context.new_page()
    try:
        editor_login(first, "anna")
        editor_login(second, "bo")

        cell(first, "26", 2022).fill("20,0")
        first.get_by_label("Begrundelse for ændringen (gemmes sammen med den)").fill("Først")
        first.get_by_role("button", name="Gem").click()
        expect(first.locator(".messages")).to_have_text("Gemt 1 celler.")

        cell(second, "26", 2022).fill("18,0")
        cell(second, "27", 2022).fill("17,0")
        second.get_by_label("Begrundelse for ændringen (gemmes sammen med den)").fill("Bagefter")
        second.get_by_role("button", name="Gem").click()

        expect(second.locator(".conflicts")).to_contain_text("nu 20,0, din 18,0")
        expect(cell(second, "26", 2022)).to_have_value("20,0")
        expect(cell(second, "27", 2022)).to_have_value("17,0")
    finally:
        first_context.close()
        second_context.close()


def test_it_keeps_the_public_out_of_the_editor(page, app_url):
    page.goto(f"{app_url}/strategies/2021/")
    expect(page.get_by_role("link", name="Rediger budgettet")).to_have_count(0)

    page.goto(f"{app_url}/strategies/2021/edit/")

    expect(page).to_have_url(f"{app_url}/accounts/login/?next=/strategies/2021/edit/")
    expect(page.locator("#grid")).to_have_count(0)
