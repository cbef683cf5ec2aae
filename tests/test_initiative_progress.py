"""An initiative's implementation where the public meets it: its page (status history and milestones), the search
(filtered by status and authority) and the strategy's workbook (its "Status" sheet), each of the published version."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from initiatives.models import Initiative
from tests.helpers import publish_draft, table_rows
from tracking.models import Authority, Milestone, Responsibility, StatusUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial_nation():
    initiative = Initiative.objects.get(chapter__strategy__slug="2030", number="2.2")
    StatusUpdate.objects.create(initiative=initiative, status="not-started", as_of=date(2024, 6, 1), text="Planlagt.")
    StatusUpdate.objects.create(initiative=initiative, status="started", as_of=date(2025, 1, 15), text="I gang.")
    Milestone.objects.create(initiative=initiative, title="Ny aftale", planned=date.today() - timedelta(days=10))
    Responsibility.objects.create(initiative=initiative, authority=Authority.objects.create(name="Sundhedsministeriet"))
    publish_draft("2030")
    return initiative


def test_the_initiative_page_shows_its_history_newest_first_and_its_overdue_milestone(trial_nation):
    html = Client().get(trial_nation.get_absolute_url()).content.decode()

    assert [row[1] for row in table_rows(html, "status-history")[1:]] == ["igangsat", "ikke igangsat"]
    assert table_rows(html, "milestones")[1][2] == "ikke nået; overskredet"
    assert "forsinket" in html and "Sundhedsministeriet" in html


def test_the_initiative_page_shows_no_status_before_one_is_published():
    initiative = Initiative.objects.get(chapter__strategy__slug="2030", number="2.2")
    StatusUpdate.objects.create(initiative=initiative, status="done", as_of=date(2025, 1, 15), text="Kladde.")

    html = Client().get(initiative.get_absolute_url()).content.decode()

    assert "Der er endnu ikke meldt nogen status." in html and "Kladde." not in html


@pytest.mark.parametrize(
    "query, expected",
    [({"status": "late", "strategy": "2030"}, ["2.2"]), ({"status": "started", "strategy": "2030"}, [])],
)
def test_the_search_filters_by_the_status_the_pages_show(trial_nation, query, expected):
    rows = table_rows(Client().get("/initiatives/", query).content.decode(), "initiatives")

    assert [row[1] for row in rows[1:] if row[1:2] != ["Ingen resultater"]] == expected


def test_the_search_filters_by_authority(trial_nation):
    authority = Authority.objects.get(name="Sundhedsministeriet")

    response = Client().get("/initiatives/", {"authority": authority.pk, "export": "csv"})

    assert "Videreudvikle Trial Nation" in response.content.decode()
    assert response.content.decode().count("\n") == 2  # the header and Trial Nation


def test_the_strategy_workbook_has_a_status_sheet(trial_nation):
    workbook = load_workbook(io.BytesIO(Client().get("/strategies/2030/export.xlsx").content))

    rows = {row[0]: row for row in workbook["Status"].iter_rows(min_row=2, values_only=True)}
    assert rows["2.2"][2:6] == ("igangsat", rows["2.2"][3], "I gang.", "Sundhedsministeriet")
    assert rows["2.2"][3].date() == date(2025, 1, 15)
    assert rows["2.2"][6].startswith("milepæl “Ny aftale” skulle være nået")
