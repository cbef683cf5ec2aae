"""An approver reviewing and publishing a draft in a real Chromium; the pages pass axe-core."""

from playwright.sync_api import expect

from budgets.cells import parse_cell
from budgets.models import Allocation, BudgetLine
from editing.services import CellEdit, grant_approver, grant_editor, save_grid
from initiatives.models import Strategy

PASSWORD = "a-long-test-password"


def log_in(page, app_url, username, next_url):
    page.goto(f"{app_url}/accounts/login/?next={next_url}")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).to_have_url(f"{app_url}{next_url}")


def test_an_approver_reviews_and_publishes_what_an_editor_changed(page, app_url, django_user_model, axe_violations):
    editor = django_user_model.objects.create_user("redaktoer", "r@example.org", PASSWORD)
    grant_editor(editor, [])
    grant_approver(django_user_model.objects.create_user("godkender", "g@example.org", PASSWORD))
    line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="26")
    cell = Allocation.objects.get(line=line, year=2022)
    save_grid(
        Strategy.objects.get(slug="2021"),
        editor,
        [CellEdit(line.pk, 2022, parse_cell("17,0"), cell.version)],
        "Finanslov",
    )

    log_in(page, app_url, "godkender", "/strategies/2021/")
    expect(page.locator(".edition-banner")).to_contain_text("1 celle afviger fra den offentliggjorte version.")
    page.get_by_role("link", name="Gennemgå og offentliggør").click()
    expect(page.locator("#review tbody tr")).to_have_count(1)
    expect(page.locator("#review tbody tr")).to_contain_text("redaktoer")
    assert axe_violations(page) == []

    page.get_by_label("Offentlig note").fill("Test")
    page.get_by_role("button", name="Offentliggør").click()

    expect(page).to_have_url(f"{app_url}/strategies/2021/versions/")
    expect(page.locator(".messages")).to_have_text("Version 2 er offentliggjort.")
    expect(page.locator("#versions tbody tr").first).to_contain_text("Test")
    expect(page.locator("#differences tbody tr")).to_have_count(1)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Strategi 2021").first.click()
    expect(page.locator(".published-line")).to_contain_text("(version 2)")
