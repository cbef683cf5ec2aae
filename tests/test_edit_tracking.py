"""/strategies/<slug>/tracking/<initiative>/: an editor's status, authority and milestones, saved as one recorded
save of the draft, refused whole with a message for anything that breaks a rule; and publishing them."""

from datetime import date, timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from budgets.services import seed_strategies
from editing.services import grant_approver
from initiatives.models import Initiative
from publication import services
from publication.editions import Edition
from publication.models import DatePrecision
from publication.services import publish_as_published
from tests.helpers import publish_draft, table_rows
from tracking.models import (
    Authority,
    Milestone,
    PublishedMilestone,
    PublishedStatusUpdate,
    PublishedTracking,
    StatusUpdate,
)
from tracking.progress import progress_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_editor):
    return make_editor("redaktoer", "2030")


@pytest.fixture
def client(editor):
    client = Client()
    client.force_login(editor)
    return client


def initiative(number="2.2", slug="2030") -> Initiative:
    return Initiative.objects.get(chapter__strategy__slug=slug, number=number)


def post(client, target, **fields):
    data = {
        "authority": "",
        "status": "",
        "as_of": "",
        "text": "",
        "reason": "Kvartalsrapport",
        "milestones-TOTAL_FORMS": "1",
        "milestones-INITIAL_FORMS": "0",
        "milestones-0-milestone": "",
        "milestones-0-title": "",
        "milestones-0-planned": "",
        "milestones-0-reached": "",
    }
    return client.post(f"/strategies/2030/tracking/{target.pk}/", data | fields)


def snapshot() -> list:
    return [
        list(StatusUpdate.objects.values_list("initiative", "status", "as_of", "text")),
        list(Milestone.objects.values_list("initiative", "title", "planned", "reached")),
    ]


class TestSaving:
    def test_it_records_who_why_and_what_in_the_audit_trail(self, client):
        authority = Authority.objects.create(name="Sundhedsministeriet")

        response = post(
            client,
            initiative(),
            authority=authority.pk,
            status="started",
            as_of="2025-03-01",
            text="Videreudvikles.",
            **{"milestones-0-title": "Aftale", "milestones-0-planned": "2026-03-01"},
        )

        assert response.status_code == 302
        item = progress_of(Edition.draft(), [initiative()])[initiative().pk]
        assert (item.status, str(item.authority), [step.title for step in item.milestones]) == (
            "started",
            "Sundhedsministeriet",
            ["Aftale"],
        )
        event = apps.get_model("tracking", "StatusUpdateEvent").objects.get()
        assert event.pgh_context.metadata["reason"] == "Kvartalsrapport"
        assert event.pgh_context.metadata["username"] == "redaktoer"

    def test_it_corrects_and_removes_a_milestone(self, client):
        step = Milestone.objects.create(initiative=initiative(), title="Aftale", planned=date(2026, 3, 1))

        post(
            client,
            initiative(),
            **{
                "milestones-TOTAL_FORMS": "2",
                "milestones-INITIAL_FORMS": "1",
                "milestones-0-milestone": step.pk,
                "milestones-0-title": "Aftale",
                "milestones-0-planned": "2026-03-01",
                "milestones-0-reached": "2025-12-01",
                "milestones-1-milestone": "",
                "milestones-1-title": "",
                "milestones-1-planned": "",
                "milestones-1-reached": "",
            },
        )

        step.refresh_from_db()
        assert step.reached == date(2025, 12, 1)


class TestTheRecordedChanges:
    # Committed, as the page's saves are: one test's transaction would date every save at its start.
    @pytest.mark.django_db(transaction=True)
    def test_it_lists_every_save_newest_first_with_who_and_why(self, make_editor):
        seed_strategies()
        client = Client()
        client.force_login(make_editor("redaktoer", "2030"))
        post(
            client,
            initiative(),
            status="started",
            as_of="2025-03-01",
            text="Videreudvikles.",
            **{"milestones-0-title": "Aftale", "milestones-0-planned": "2026-03-01"},
        )
        step = Milestone.objects.get()
        post(
            client,
            initiative(),
            reason="Aftalen er indgået",
            **{
                "milestones-0-milestone": step.pk,
                "milestones-0-title": "Aftale",
                "milestones-0-planned": "2026-03-01",
                "milestones-0-reached": "2026-02-20",
            },
        )

        rows = table_rows(
            client.get(f"/strategies/2030/tracking/{initiative().pk}/").content.decode(), "recorded-changes"
        )

        assert [row[1:] for row in rows[1:]] == [
            [
                "redaktoer",
                "Milepæl ændret",
                "Aftale, planlagt til 1. marts 2026, 20. februar 2026",
                "Aftalen er indgået",
            ],
            ["redaktoer", "Status tilføjet", "igangsat, 1. marts 2025: Videreudvikles.", "Kvartalsrapport"],
            ["redaktoer", "Milepæl tilføjet", "Aftale, planlagt til 1. marts 2026, ikke nået", "Kvartalsrapport"],
        ]


class TestBadInput:
    @pytest.mark.parametrize(
        "fields, message",
        [
            (
                {"status": "halvvejs", "as_of": "2025-01-01", "text": "x"},
                "halvvejs er ikke en af de tilgængelige valgmuligheder",
            ),
            (
                {"status": "started", "as_of": (date.today() + timedelta(days=1)).isoformat(), "text": "x"},
                "En status kan ikke dateres efter i dag",
            ),
            ({"status": "started", "as_of": "2023-12-31", "text": "x"}, "før strategiens start"),
            ({"status": "started", "as_of": "2025-01-01", "text": "x" * 501}, "højst have 500 tegn"),
            ({"status": "started", "as_of": "2025-01-01", "text": "Bel\x07l"}, "usynligt kontroltegn"),
            (
                {"milestones-0-title": "Aft\x07ale", "milestones-0-planned": "2026-03-01"},
                "Milepælens titel indeholder et usynligt kontroltegn",
            ),
            ({"status": "started", "as_of": "2025-01-01", "text": "x", "reason": ""}, "Dette felt er påkrævet"),
            (
                {
                    "milestones-0-title": "Aftale",
                    "milestones-0-planned": "2030-06-01",
                    "milestones-0-reached": "2025-01-01",
                },
                "mere end en strategiperiode (4 år) før den var planlagt",
            ),
        ],
    )
    def test_it_refuses_with_a_message_and_writes_nothing(self, client, fields, message):
        before = snapshot()

        response = post(client, initiative(), **fields)

        assert response.status_code == 400
        assert message in response.content.decode()
        assert snapshot() == before

    def test_it_refuses_another_strategys_initiative(self, client):
        response = client.post(f"/strategies/2030/tracking/{initiative('12', '2021').pk}/", {"reason": "x"})

        assert response.status_code == 404

    def test_it_refuses_an_editor_of_another_strategy(self, make_editor):
        other = Client()
        other.force_login(make_editor("andet", "2021"))

        response = post(other, initiative(), status="started", as_of="2025-01-01", text="x")

        assert response.status_code == 403
        assert not StatusUpdate.objects.exists()


class TestPublishing:
    def test_it_lists_the_changes_on_the_review_page_with_the_reason(self, client, make_editor):
        post(client, initiative(), status="started", as_of="2025-01-01", text="Videreudvikles.")
        approver = make_editor("godkender")
        grant_approver(approver)
        reviewer = Client()
        reviewer.force_login(approver)

        page = reviewer.get("/strategies/2030/publish/").content.decode()

        assert 'id="review-tracking"' in page and "Videreudvikles." in page and "Kvartalsrapport" in page
        assert 'name="note"' in page  # a draft changed only in its tracking can be published

    def test_it_has_nothing_to_publish_when_the_tracking_is_as_published(self):
        StatusUpdate.objects.create(initiative=initiative(), status="done", as_of=date(2025, 1, 1), text="Færdig.")
        publish_draft("2030")

        with pytest.raises(services.PublishError):
            services.publish(initiative().chapter.strategy, _approver(), "Intet nyt")

    def test_it_refuses_an_approver_who_made_a_change_themselves(self, editor):
        grant_approver(editor)
        post_as = Client()
        post_as.force_login(editor)
        post(post_as, initiative(), status="started", as_of="2025-01-01", text="x")

        with pytest.raises(services.PermissionDenied):
            services.publish(initiative().chapter.strategy, editor, "Egen ændring")

    def test_it_refuses_a_stale_review_when_a_status_was_saved_since(self, client):
        strategy = initiative().chapter.strategy
        post(client, initiative(), status="started", as_of="2025-01-01", text="Videreudvikles.")
        seen = services.review(strategy)
        post(client, initiative(), status="late", as_of="2025-02-01", text="Venter på aftale.", reason="Sent ændret")

        with pytest.raises(services.StaleReview) as refused:
            services.publish(strategy, _approver(), "Kvartal", reviewed=seen.token)

        assert [change.new[0] for change in refused.value.review.tracking] == ["started", "late"]
        assert PublishedTracking.objects.filter(publication__strategy=strategy).count() == 1
        publication = services.publish(strategy, _approver(), "Kvartal", reviewed=refused.value.review.token)
        assert PublishedStatusUpdate.objects.filter(publication=publication).count() == 2

    def test_it_shows_a_scheduled_status_from_its_time_on_and_cancels_it_whole(self, client):
        strategy = initiative().chapter.strategy
        post(
            client,
            initiative(),
            status="started",
            as_of="2025-01-01",
            text="Videreudvikles.",
            **{"milestones-0-title": "Aftale", "milestones-0-planned": "2027-06-01"},
        )
        approver = _approver()
        at = timezone.now() + timedelta(hours=2)
        publication = services.publish(strategy, approver, "Senere", at=at)

        def shown() -> str:
            return progress_of(Edition.public(), [initiative()])[initiative().pk].label

        assert shown() == "ingen status endnu"
        with time_machine.travel(at + timedelta(seconds=1)):
            assert shown() == "igangsat"
        services.cancel(publication, approver)
        assert not PublishedStatusUpdate.objects.exists() and not PublishedMilestone.objects.exists()
        assert services.publish(strategy, approver, "Nu").number == publication.number

    def test_it_keeps_a_published_status_as_it_was(self):
        StatusUpdate.objects.create(initiative=initiative(), status="done", as_of=date(2025, 1, 1), text="Færdig.")
        # Public since yesterday: the database's now() is this test's transaction's start.
        publish_as_published(
            [initiative().chapter.strategy], timezone.now() - timedelta(days=1), DatePrecision.DAY, "Kvartal"
        )
        published = PublishedStatusUpdate.objects.get()

        for statement in (
            "UPDATE tracking_publishedstatusupdate SET text = 'Rettet' WHERE id = %s",
            "DELETE FROM tracking_publishedstatusupdate WHERE id = %s",
        ):
            with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(statement, [published.pk])
        StatusUpdate.objects.all().delete()
        assert PublishedStatusUpdate.objects.get().text == "Færdig."


def _approver():
    user, _created = get_user_model().objects.get_or_create(username="anden-godkender")
    grant_approver(user)
    return user
