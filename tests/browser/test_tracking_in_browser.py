"""The issue's journey in a real Chromium: an editor reports Trial Nation under way with a milestone past its day,
an approver publishes it, and the public sees it late; staff enter an export figure that the target's chart draws.
Every page on the way passes axe-core."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from editing.services import grant_approver, grant_editor
from initiatives.models import Strategy
from tests.browser.test_dashboard_in_browser import chart_traces
from tests.browser.test_publish_in_browser import PASSWORD, log_in
from tracking.models import Indicator


def test_an_editor_reports_trial_nation_late_and_the_public_sees_it_once_published(
    page, visitor, app_url, django_user_model, axe_violations
):
    grant_editor(
        django_user_model.objects.create_user("redaktoer", "r@example.org", PASSWORD),
        [Strategy.objects.get(slug="2030")],
    )
    grant_approver(django_user_model.objects.create_user("godkender", "g@example.org", PASSWORD))
    due = timezone.localdate() - timedelta(days=30)

    log_in(page, app_url, "redaktoer", "/strategies/2030/")
    page.get_by_role("link", name="Status og milepæle").click()
    page.locator("#tracking-2 tr", has_text="Trial Nation").get_by_role("link", name="Redigér").click()
    assert axe_violations(page) == []
    page.get_by_label("Ny status").select_option(label="igangsat")
    page.get_by_label("Dato, status gælder").fill(f"{due.year - 1}-06-01")
    page.get_by_label("Statussens offentlige tekst").fill("Trial Nation videreudvikles.")
    page.get_by_label("Milepæl 1").fill("Ny aftale med regionerne")
    page.get_by_label("Planlagt til 1").fill(due.isoformat())
    page.get_by_label("Begrundelse for ændringen (gemmes sammen med den)").fill("Kvartalsrapport")
    page.get_by_role("button", name="Gem").click()
    expect(page).to_have_url(f"{app_url}/strategies/2030/tracking/")
    expect(page.locator(".messages")).to_have_text("Gemte 2 ændringer.")

    visitor.goto(f"{app_url}/strategies/2030/progress/")
    expect(visitor.locator("h1")).to_be_visible()
    expect(visitor.locator("#late tbody tr", has_text="Trial Nation")).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, app_url, "godkender", "/strategies/2030/publish/")
    expect(page.locator("#review-tracking tbody tr")).to_have_count(2)
    expect(page.locator("#review-tracking")).to_contain_text("redaktoer")
    page.get_by_label("Offentlig note").fill("Kvartalsrapport")
    page.get_by_role("button", name="Offentliggør").click()
    expect(page.locator(".messages")).to_have_text("Version 2 er offentliggjort.")

    visitor.goto(f"{app_url}/strategies/2030/progress/")
    late = visitor.locator("#late tbody tr", has_text="Trial Nation")
    expect(late).to_contain_text(f"milepæl “Ny aftale med regionerne” skulle være nået {due.day}.")
    assert chart_traces(visitor, "chart-status")
    assert axe_violations(visitor) == []


def test_staff_enter_an_export_figure_that_the_targets_chart_draws(page, app_url, django_user_model, axe_violations):
    grant_editor(
        django_user_model.objects.create_user("statistik", "s@example.org", PASSWORD),
        [Strategy.objects.get(slug="2030")],
    )
    export = Indicator.objects.get(target__strategy__slug="2030", name="dansk life science-eksport")

    page.goto(f"{app_url}/strategies/2030/targets/")
    expect(page.locator("#targets tbody tr")).to_have_count(6)
    assert axe_violations(page) == []

    log_in(page, app_url, "statistik", f"/strategies/2030/targets/{export.target.number}/")
    page.get_by_role("link", name="Indtast målte værdier").click()
    assert axe_violations(page) == []
    form = page.get_by_role("form", name="Indtast en målt værdi for dansk life science-eksport")
    form.get_by_label("År, måned eller dag, den gælder").fill("2024")
    form.get_by_label("Værdi").fill("197,3")
    form.get_by_label("Kilde (udgiver og tabel eller henvisning)").fill("Danmarks Statistik, tabel UHV5")
    form.get_by_label("Begrundelse for ændringen (gemmes sammen med den)").fill("Ny opgørelse")
    form.get_by_role("button", name="Gem værdien").click()
    expect(page.locator(f"#measurements-{export.pk} tbody tr").first).to_contain_text("197,3")

    page.context.clear_cookies()
    page.goto(f"{app_url}/strategies/2030/targets/{export.target.number}/")
    traces = chart_traces(page, f"chart-indicator-{export.pk}")
    assert traces["Målt"] == [197.3]
    assert traces["Mål"] == [350.0]
    assert axe_violations(page) == []
