"""/api/progress/, /api/status-updates/ and /api/milestones/ (and their .csv): the published version's status and
milestones, or an older version's with ?version=N, never the draft."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client

from initiatives.models import Initiative
from tests.helpers import publish_draft
from tracking.models import Milestone, StatusUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture
def trial_nation():
    """Trial Nation under way in version 2, with a milestone past its day; a later status in the draft only."""
    initiative = Initiative.objects.get(chapter__strategy__slug="2030", number="2.2")
    StatusUpdate.objects.create(initiative=initiative, status="started", as_of=date(2025, 1, 15), text="I gang.")
    Milestone.objects.create(initiative=initiative, title="Ny aftale", planned=date.today() - timedelta(days=10))
    publish_draft("2030")
    StatusUpdate.objects.create(initiative=initiative, status="done", as_of=date(2025, 6, 1), text="Kladde.")
    return initiative


def test_it_gives_the_published_status_not_the_drafts(trial_nation):
    rows = Client().get("/api/status-updates/?strategy=2030").json()

    assert [(row["initiative_number"], row["status"], row["date"], row["text"]) for row in rows] == [
        ("2.2", "started", "2025-01-15", "I gang.")
    ]


def test_it_shows_an_initiative_late_with_its_overdue_milestone(trial_nation):
    rows = {row["initiative_number"]: row for row in Client().get("/api/progress/?strategy=2030").json()}
    planned = (date.today() - timedelta(days=10)).isoformat()

    assert (rows["2.2"]["status"], rows["2.2"]["shown_status"], rows["2.2"]["late_because"]) == (
        "started",
        "late",
        f"Ny aftale ({planned})",
    )
    assert (rows["2.1"]["status"], rows["2.1"]["shown_status"]) == ("", "")


def test_it_gives_an_older_version_as_it_was(trial_nation):
    assert Client().get("/api/status-updates/?strategy=2030&version=1").json() == []
    assert Client().get("/api/milestones/?strategy=2030&version=1").json() == []
    assert len(Client().get("/api/milestones/?strategy=2030&version=2").json()) == 1


def test_it_gives_the_same_milestones_as_csv(trial_nation):
    response = Client().get("/api/milestones.csv?strategy=2030")

    assert response["Content-Type"].startswith("text/csv")
    [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert (row["initiative_number"], row["title"], row["reached"], row["overdue"]) == ("2.2", "Ny aftale", "", "True")
