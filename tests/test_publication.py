"""Publishing a draft as a version (publication.services), and what the database holds published rows to."""

import threading
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from budgets.cells import parse_cell
from budgets.figures import budget_table
from budgets.models import Allocation, BudgetLine
from editing.services import CellEdit, grant_approver, save_grid
from initiatives.models import Initiative, Strategy
from publication import services
from publication.editions import Edition
from publication.models import (
    Publication,
    PublishedCell,
    PublishedChapterTotal,
    PublishedInitiativeTotal,
    PublishedYearTotal,
)

pytestmark = pytest.mark.django_db


def line(number, slug="2021") -> BudgetLine:
    return BudgetLine.objects.get(strategy__slug=slug, initiatives__number=number)


def cell(number, year, slug="2021") -> Allocation:
    return Allocation.objects.get(line=line(number, slug), year=year)


def save(user, number, year, text, reason="Rettelse", slug="2021"):
    strategy = Strategy.objects.get(slug=slug)
    current = Allocation.objects.filter(line=line(number, slug), year=year).first()
    edit = CellEdit(line(number, slug).pk, year, parse_cell(text), current.version if current else None)
    return save_grid(strategy, user, [edit], reason)


def shown_amount(number, year, edition=None, slug="2021") -> Decimal:
    strategy = Strategy.objects.get(slug=slug)
    rows = budget_table(strategy, edition or Edition.public()).rows
    row = next(row for row in rows if row.line.pk == line(number, slug).pk)
    return row.cells[year - strategy.first_year].amount


@pytest.fixture
def editor(make_editor):
    return make_editor("redaktoer", "2021")


@pytest.fixture
def approver(make_editor):
    user = make_editor("godkender", "2021")
    grant_approver(user)
    return user


@pytest.fixture
def strategy():
    return Strategy.objects.get(slug="2021")


class TestPublish:
    def test_it_shows_the_public_the_draft_only_once_published(self, editor, approver, strategy):
        save(editor, "26", 2022, "17,0")
        assert shown_amount("26", 2022) == Decimal("16.8")
        assert shown_amount("26", 2022, Edition.draft()) == Decimal("17.0")

        publication = services.publish(strategy, approver, "Finanslov 2026")

        assert (publication.number, publication.changed_cells, publication.approved_by) == (2, 1, approver)
        assert shown_amount("26", 2022) == Decimal("17.0")
        first = Publication.objects.get(strategy=strategy, number=1)
        assert shown_amount("26", 2022, Edition.public().pinned(first)) == Decimal("16.8")

    def test_it_stores_only_the_cells_that_changed(self, editor, approver, strategy):
        before = PublishedCell.objects.count()
        save(editor, "26", 2022, "17,0")
        save(editor, "27", 2022, "")

        services.publish(strategy, approver, "Rettelse af 26 og 27")

        assert PublishedCell.objects.count() == before + 1  # one new row; the emptied cell only closes its row
        closed = PublishedCell.objects.filter(strategy=strategy, valid_until=2)
        assert sorted(row.line_id for row in closed) == sorted([line("26").pk, line("27").pk])

    def test_it_writes_the_versions_sums_of_its_own_cells(self, editor, approver, strategy):
        save(editor, "26", 2022, "ukendt")
        save(editor, "1", 2021, "Er finansieret")
        save(editor, "27", 2023, "")

        publication = services.publish(strategy, approver, "Sum")

        # Added up here, one published cell at a time, each line under its first initiative's theme.
        expected = defaultdict(lambda: [Decimal("0.0"), 0, 0])
        lines = {line.pk: line for line in BudgetLine.objects.filter(strategy=strategy).prefetch_related("initiatives")}
        for cell in Edition.public().cells_of(strategy):
            line = lines[cell.line_id]
            first = min(
                line.initiatives.all(), key=lambda initiative: (initiative.position, initiative.pk), default=None
            )
            sums = expected[(line.chapter_id, first.theme if first else None, cell.year)]
            if cell.kind == "amount":
                sums[0] += cell.amount
            sums[1] += cell.kind == "unknown"
            sums[2] += cell.kind == "financed"
        published = {
            (row.chapter_id, row.theme, row.year): [row.amount, row.unknown, row.financed]
            for row in publication.year_sums.all()
        }
        assert published == dict(expected)

    def test_it_writes_the_versions_totals_per_theme_and_per_chapter_from_its_own_cells(
        self, editor, approver, strategy
    ):
        save(editor, "26", 2022, "ukendt")
        save(editor, "1", 2021, "Er finansieret")
        save(editor, "27", 2023, "31,4")

        publication = services.publish(strategy, approver, "Totaler")

        # Added up here, one published cell at a time, each line under its first initiative's theme.
        expected = defaultdict(lambda: [Decimal("0.0"), 0, 0])
        by_chapter = defaultdict(lambda: [Decimal("0.0"), 0, 0])
        lines = {line.pk: line for line in BudgetLine.objects.filter(strategy=strategy).prefetch_related("initiatives")}
        for cell in Edition.public().cells_of(strategy):
            chapter = by_chapter[(lines[cell.line_id].chapter_id, cell.year)]
            chapter[0] += cell.amount if cell.kind == "amount" else 0
            chapter[1] += cell.kind == "unknown"
            chapter[2] += cell.kind == "financed"
            first = min(
                lines[cell.line_id].initiatives.all(),
                key=lambda initiative: (initiative.position, initiative.pk),
                default=None,
            )
            totals = expected[(first.theme if first else None, cell.year)]
            if cell.kind == "amount":
                totals[0] += cell.amount
            totals[1] += cell.kind == "unknown"
            totals[2] += cell.kind == "financed"
        published = {
            (row.theme, row.year): [row.amount, row.unknown, row.financed] for row in publication.year_totals.all()
        }
        assert published == dict(expected)
        assert {row.strategy_id for row in publication.year_totals.all()} == {strategy.pk}
        chapters = {
            (row.chapter_id, row.year): [row.amount, row.unknown, row.financed]
            for row in publication.chapter_totals.all()
        }
        assert chapters == dict(by_chapter)

    def test_it_writes_each_initiatives_total_over_every_year_from_the_versions_own_cells(
        self, editor, approver, strategy
    ):
        save(editor, "26", 2022, "ukendt")
        save(editor, "1", 2021, "Er finansieret")
        save(editor, "27", 2023, "31,4")

        publication = services.publish(strategy, approver, "Totaler")

        # Added up here, one published cell at a time, under each initiative of its line.
        expected = defaultdict(lambda: [None, 0, 0])
        lines = {line.pk: line for line in BudgetLine.objects.filter(strategy=strategy).prefetch_related("initiatives")}
        for cell in Edition.public().cells_of(strategy):
            for initiative in lines[cell.line_id].initiatives.all():
                totals = expected[initiative.pk]
                if cell.kind == "amount":
                    totals[0] = (totals[0] or 0) + cell.amount
                totals[1] += cell.kind == "unknown"
                totals[2] += cell.kind == "financed"
        published = {
            row.initiative_id: [row.amount, row.unknown, row.financed] for row in publication.initiative_totals.all()
        }
        assert published == dict(expected)
        assert published[Initiative.objects.get(chapter__strategy=strategy, number="26").pk][1] >= 1
        assert all(row.publication_id == publication.pk for row in publication.initiative_totals.all())

    def test_it_refuses_an_approver_who_changed_a_cell_of_the_draft(self, editor, approver, strategy):
        save(editor, "26", 2022, "17,0")
        save(approver, "27", 2022, "17,5", reason="Min egen rettelse")

        with pytest.raises(PermissionDenied, match="Styrket globalt sundhedsdiplomati"):
            services.publish(strategy, approver, "Test")
        assert Publication.objects.filter(strategy=strategy).count() == 1

    def test_it_lets_an_approver_publish_once_their_own_change_is_undone(self, editor, approver, strategy):
        save(editor, "26", 2022, "17,0")
        save(approver, "27", 2022, "17,5")
        save(editor, "27", 2022, "16,8", reason="Tilbage")

        assert services.publish(strategy, approver, "Test").changed_cells == 1

    def test_it_refuses_an_editor_who_is_no_approver(self, editor, strategy, make_editor):
        save(editor, "26", 2022, "17,0")

        with pytest.raises(PermissionDenied):
            services.publish(strategy, make_editor("anden", "2021"), "Test")

    def test_it_refuses_a_draft_without_changes(self, approver, strategy):
        with pytest.raises(services.PublishError, match="ingen ændringer"):
            services.publish(strategy, approver, "Test")

    @pytest.mark.parametrize(
        "note, message",
        [
            ("", "Skriv en offentlig note"),
            ("   ", "Skriv en offentlig note"),
            ("x" * 501, "højst være 500 tegn"),
            ("Finanslov\x01 2026", "usynligt kontroltegn"),
            ("Finanslov\n2026", "usynligt kontroltegn"),
        ],
    )
    def test_it_refuses_a_bad_note_and_writes_nothing(self, editor, approver, strategy, note, message):
        save(editor, "26", 2022, "17,0")
        counts = (Publication.objects.count(), PublishedCell.objects.count())

        with pytest.raises(services.PublishError, match=message):
            services.publish(strategy, approver, note)
        assert (Publication.objects.count(), PublishedCell.objects.count()) == counts

    @pytest.mark.parametrize(
        "offset, message",
        [(timedelta(minutes=-1), "Tidspunktet for offentliggørelsen er passeret"), (timedelta(days=366), "et år")],
    )
    def test_it_refuses_a_schedule_in_the_past_or_over_a_year_ahead(self, editor, approver, strategy, offset, message):
        save(editor, "26", 2022, "17,0")

        with pytest.raises(services.PublishError, match=message):
            services.publish(strategy, approver, "Test", at=timezone.now() + offset)
        assert Publication.objects.filter(strategy=strategy).count() == 1

    def test_it_refuses_a_stale_review_and_says_what_was_saved_since(self, editor, approver, strategy):
        save(editor, "26", 2022, "17,0")
        seen = services.review(strategy)
        save(editor, "27", 2022, "18,0", reason="Sent ændret")

        with pytest.raises(services.StaleReview) as refused:
            services.publish(strategy, approver, "Test", reviewed=seen.token)

        assert [edit.reason for edit in refused.value.edits] == ["Sent ændret"]
        assert len(refused.value.review.changes) == 2
        assert Publication.objects.filter(strategy=strategy).count() == 1
        assert services.publish(strategy, approver, "Test", reviewed=refused.value.review.token).changed_cells == 2

    def test_it_lists_each_change_with_who_made_it_when_and_why(self, editor, strategy):
        save(editor, "26", 2022, "17,0", reason="Finanslov")

        (change,) = services.review(strategy).changes

        assert (change.year, change.old.amount, change.new.amount, change.change) == (
            2022,
            Decimal("16.8"),
            Decimal("17.0"),
            Decimal("0.2"),
        )
        assert [(edit.username, edit.reason) for edit in change.edits] == [("redaktoer", "Finanslov")]

    def test_it_calls_a_change_to_or_from_unknown_unknown_never_a_number(self, editor, strategy):
        save(editor, "26", 2022, "ukendt")

        (change,) = services.review(strategy).changes

        assert change.change is None


class TestSchedule:
    def test_it_shows_a_scheduled_version_from_its_time_on_without_any_write(self, editor, approver, strategy, client):
        save(editor, "26", 2022, "17,0")
        at = timezone.now() + timedelta(hours=2)
        publication = services.publish(strategy, approver, "Finanslov", at=at)
        assert publication.is_scheduled

        before = client.get("/strategies/2021/").content.decode()
        with time_machine.travel(at + timedelta(seconds=1)):
            after = client.get("/strategies/2021/").content.decode()
            assert shown_amount("26", 2022) == Decimal("17.0")
        assert shown_amount("26", 2022) == Decimal("16.8")
        assert "17,0" not in before and "version 1" in before
        assert "17,0" in after and "version 2" in after

    def test_it_refuses_another_publication_while_one_is_scheduled(self, editor, approver, strategy):
        save(editor, "26", 2022, "17,0")
        services.publish(strategy, approver, "Senere", at=timezone.now() + timedelta(days=1))
        save(editor, "27", 2022, "17,0")

        with pytest.raises(services.PublishError, match="Version 2 er planlagt"):
            services.publish(strategy, approver, "Nu")

    def test_it_cancels_a_scheduled_version_as_if_it_had_never_been(self, editor, approver, strategy):
        save(editor, "26", 2022, "17,0")
        standing = sorted(PublishedCell.objects.filter(valid_until__isnull=True).values_list("pk", flat=True))
        publication = services.publish(strategy, approver, "Senere", at=timezone.now() + timedelta(days=1))

        services.cancel(publication, approver)

        assert not Publication.objects.filter(pk=publication.pk).exists()
        assert sorted(PublishedCell.objects.filter(valid_until__isnull=True).values_list("pk", flat=True)) == standing
        assert not PublishedYearTotal.objects.filter(publication_id=publication.pk).exists()
        assert not PublishedChapterTotal.objects.filter(publication_id=publication.pk).exists()
        assert not PublishedInitiativeTotal.objects.filter(publication_id=publication.pk).exists()
        assert services.publish(strategy, approver, "Nu").number == 2

    def test_it_never_cancels_a_public_version(self, editor, approver, strategy):
        save(editor, "26", 2022, "17,0")
        publication = services.publish(strategy, approver, "Nu")

        with pytest.raises(services.PublishError, match="offentliggjort allerede"):
            services.cancel(publication, approver)


class TestTheDatabaseHoldsPublishedRows:
    """Whatever the app does, published rows change only as publishing and cancelling change them."""

    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE publication_publication SET note = 'Rettet' WHERE number = 1",
            "DELETE FROM publication_publication WHERE number = 1",
            "UPDATE publication_publishedcell SET amount = amount + 1 WHERE kind = 'amount'",
            "UPDATE publication_publishedcell SET valid_from = 2",
            "UPDATE publication_publishedcell SET valid_until = 5",
            "UPDATE publication_publishedcell SET valid_until = 1 WHERE valid_until IS NULL",
            "INSERT INTO publication_publishedcell (strategy_id, line_id, year, kind, amount, text, remark, "
            "is_correction, allocation_id, version, valid_from) SELECT strategy_id, line_id, 2099, kind, amount, "
            "text, remark, is_correction, allocation_id, version, 0 FROM publication_publishedcell LIMIT 1",
            "DELETE FROM publication_publishedcell",
            "UPDATE publication_publishedyearsum SET amount = 0",
            "DELETE FROM publication_publishedyearsum",
            "UPDATE publication_publishedyeartotal SET amount = 0",
            "DELETE FROM publication_publishedyeartotal",
            "UPDATE publication_publishedchaptertotal SET amount = 0",
            "DELETE FROM publication_publishedchaptertotal",
            "UPDATE publication_publishedinitiativetotal SET unknown = unknown + 1",
            "DELETE FROM publication_publishedinitiativetotal",
            # A cell of one strategy naming a line of another: one key of both refers to the line in its strategy.
            "INSERT INTO publication_publishedcell (strategy_id, line_id, year, kind, amount, text, remark, "
            "is_correction, allocation_id, version, valid_from) SELECT other.id, cell.line_id, cell.year, cell.kind, "
            "cell.amount, cell.text, cell.remark, cell.is_correction, cell.allocation_id, cell.version, 1 "
            "FROM publication_publishedcell cell JOIN initiatives_strategy other ON other.id <> cell.strategy_id "
            "LIMIT 1; SET CONSTRAINTS ALL IMMEDIATE",
        ],
    )
    def test_it_refuses_to_change_or_delete_a_published_row(self, statement):
        # Refused by a trigger ("never changes"), or first by a constraint of the table.
        with (
            pytest.raises(IntegrityError, match="never|published_cell"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)

    def test_it_refuses_an_edit_through_the_models_too(self):
        publication = Publication.objects.first()
        publication.note = "Rettet"

        with pytest.raises(IntegrityError), transaction.atomic():
            publication.save()


@pytest.mark.django_db(transaction=True)
def test_a_version_is_the_draft_at_one_instant_while_editors_save(make_editor):
    """An editor saves the grid over and over, each save setting two cells to the same new amount; versions
    published meanwhile must each hold both cells equal: never half a save."""
    from budgets.services import seed_strategies

    seed_strategies()
    editor, approver = make_editor("redaktoer", "2021"), make_editor("godkender")
    grant_approver(approver)
    strategy = Strategy.objects.get(slug="2021")
    pair = [line("26").pk, line("27").pk]
    stop, saved, failures = threading.Event(), [], []

    def keep_saving():
        try:
            value = Decimal("20.0")
            while not stop.is_set() and value < Decimal("60.0"):
                value += Decimal("0.1")
                current = {
                    cell.line_id: cell.version for cell in Allocation.objects.filter(line_id__in=pair, year=2022)
                }
                edits = [CellEdit(pk, 2022, parse_cell(str(value)), current[pk]) for pk in pair]
                if not save_grid(strategy, editor, edits, "Løbende").conflicts:
                    saved.append(value)
        except Exception as error:  # noqa: BLE001 (reported below, in the test's own thread)
            failures.append(error)
        finally:
            connection.close()

    saver = threading.Thread(target=keep_saving)
    saver.start()
    versions = []
    try:
        while len(versions) < 8 and saver.is_alive():
            try:
                versions.append(services.publish(strategy, approver, f"Version {len(versions) + 2}"))
            except services.PublishError:
                continue  # nothing saved since the last version
    finally:
        stop.set()
        saver.join(timeout=60)
    assert not failures, failures
    assert len(versions) >= 3
    for publication in versions:
        cells = Edition.public().pinned(publication).cells_of(strategy).filter(line_id__in=pair, year=2022)
        amounts = {row.amount for row in cells}
        assert len(amounts) == 1, f"version {publication.number} holds half a save: {amounts}"
        assert amounts.pop() in saved
