"""Publishing a strategy's draft as a numbered version, and what a reviewer sees before doing so.

Called alike by the publish page, `manage.py publish`, the fixture loader and tests.
"""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgets.cells import ParsedCell
from budgets.changes import figures_changed
from budgets.models import BudgetLine, CellKind
from budgets.text import has_control_characters
from dashboard import downloads
from initiatives.models import Strategy
from publication.models import NOTE_LENGTH, Publication
from publication.permissions import can_publish
from tracking import publishing as tracking

LONGEST_SCHEDULE = timedelta(days=365)


class PublishError(Exception):
    """A publication refused for its input; nothing was written. ``messages`` are for the approver."""

    def __init__(self, *messages: str):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


class StaleReview(PublishError):
    """The draft (or the versions) changed after the approver opened the review: ``review`` is the new one."""

    def __init__(self, review: "Review", edits: list):
        self.review, self.edits = review, edits
        super().__init__(_("The draft has changed since you opened the review; look at the changes again."))


@dataclass(frozen=True)
class Edit:
    """One recorded change of a cell, from the audit trail: who, when and why."""

    at: datetime
    user_id: int | None
    username: str
    reason: str
    line_id: int
    year: int


@dataclass
class CellChange:
    """A cell that differs between the newest version and the draft."""

    line: BudgetLine
    year: int
    old: ParsedCell | None
    new: ParsedCell | None
    edits: list = field(default_factory=list)

    @property
    def change(self) -> Decimal | None:
        return amount_change(self.old, self.new)


def amount_change(old, new) -> Decimal | None:
    """New minus old in mio. kr., a blank cell counting as nothing; None where either side is no amount (unknown or
    financed elsewhere): a change from or to unknown is unknown, never a number."""

    def amount(cell):
        if cell is None:
            return Decimal("0.0")
        return cell.amount if cell.kind == CellKind.AMOUNT else None

    before, after = amount(old), amount(new)
    return None if before is None or after is None else after - before


@dataclass
class Review:
    strategy: Strategy
    base: Publication | None  # the newest version, which the draft is compared with
    changes: list[CellChange]
    digest: str  # what the approver saw, so a publication of anything else is refused
    audit_position: int  # the newest audit event when the review was made
    tracking: list = field(default_factory=list)  # status, authority and milestones changed (tracking.publishing)

    @property
    def token(self) -> str:
        """What the review page posts back: the version and changes it showed, and how far the audit trail went."""
        return f"{self.base.number if self.base else 0}:{self.digest}@{self.audit_position}"

    @property
    def changed_by(self) -> set:
        changes = [*self.changes, *self.tracking]
        return {(edit.user_id, edit.username) for change in changes for edit in change.edits}

    @property
    def is_empty(self) -> bool:
        return not self.changes and not self.tracking


# The cells of the draft that differ from their strategy's newest version, one row per cell: the draft's values
# (empty where the draft has no cell) and the published row they replace (empty where none stands). Parameters are
# positional throughout (the strategies' ids twice here): pgtrigger.ignore adds positional ones of its own.
_DIFFERENCES = """
    SELECT COALESCE(draft.strategy_id, standing.strategy_id) AS strategy_id,
           COALESCE(draft.line_id, standing.line_id) AS line_id, COALESCE(draft.year, standing.year) AS year,
           standing.id AS replaced_id, standing.kind AS old_kind, standing.amount AS old_amount,
           standing.text AS old_text, standing.remark AS old_remark, standing.is_correction AS old_correction,
           draft.id AS allocation_id, draft.kind, draft.amount, draft.text, draft.remark, draft.is_correction,
           draft.version
    FROM (
        SELECT cell.*, line.strategy_id FROM budgets_allocation cell
        JOIN budgets_budgetline line ON line.id = cell.line_id
        WHERE line.strategy_id = ANY(%s)
    ) draft
    FULL JOIN (
        SELECT * FROM publication_publishedcell WHERE strategy_id = ANY(%s) AND valid_until IS NULL
    ) standing ON standing.line_id = draft.line_id AND standing.year = draft.year
    WHERE standing.id IS NULL OR draft.id IS NULL
       OR (standing.kind, standing.amount, standing.text, standing.remark, standing.is_correction)
          IS DISTINCT FROM (draft.kind, draft.amount, draft.text, draft.remark, draft.is_correction)
"""


class Difference(NamedTuple):
    strategy_id: int
    line_id: int
    year: int
    replaced_id: int | None
    old_kind: str | None
    old_amount: Decimal | None
    old_text: str | None
    old_remark: str | None
    old_correction: bool | None
    allocation_id: int | None
    kind: str | None
    amount: Decimal | None
    text: str | None
    remark: str | None
    is_correction: bool | None
    version: int | None

    @property
    def old(self) -> ParsedCell | None:
        return _cell(self.old_kind, self.old_amount, self.old_text, self.old_remark, self.old_correction)

    @property
    def new(self) -> ParsedCell | None:
        return _cell(self.kind, self.amount, self.text, self.remark, self.is_correction)


_COLUMNS = ", ".join(Difference._fields)


# How many cells of each strategy changed, and a fingerprint of the changes (their cells and new values, in the
# table's order) that the review page hands back: worked out by the database, which holds the rows already.
_COUNT_AND_DIGEST = """
    SELECT strategy_id, COUNT(*), md5(string_agg(
        format('%%s|%%s|%%s|%%s|%%s|%%s|%%s', line_id, year, kind, amount, text, remark, is_correction),
        ',' ORDER BY line_id, year
    ))
    FROM {changes} GROUP BY strategy_id
"""


def _counts_and_digests(changes: str, parameters: list) -> dict[int, tuple[int, str]]:
    """Strategy id → (cells changed, fingerprint), of ``changes``: the temporary snapshot or the differences."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_AND_DIGEST.format(changes=changes), parameters)
        return {strategy: (count, digest) for strategy, count, digest in cursor.fetchall()}


def _digest(cells: str, tracked: list) -> str:
    """The review's fingerprint: the cells' (from the database), then the changes of the tracking's."""
    if not tracked:
        return cells
    digest = hashlib.sha256(cells.encode())
    for change in tracking.fingerprint(tracked):
        digest.update(change.encode())
    return digest.hexdigest()[:32]


def _audit_position() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(pgh_id), 0) FROM budgets_allocationevent")
        return cursor.fetchone()[0]


def _edits(strategy, since: int, cells=None) -> list[Edit]:
    """The audit trail's changes of the strategy's cells after event ``since``, oldest first; of ``cells`` only
    ((line id, year) pairs) when given."""
    events = (
        apps.get_model("budgets", "AllocationEvent")
        .objects.filter(line__strategy=strategy, pgh_id__gt=since, pgh_context__isnull=False)
        .order_by("pgh_id")
        .values_list("line_id", "year", "pgh_created_at", "pgh_context__metadata")
    )
    edits = [
        Edit(at, metadata.get("user"), metadata.get("username", ""), metadata.get("reason", ""), line_id, year)
        for line_id, year, at, metadata in events
        if cells is None or (line_id, year) in cells
    ]
    missing = {edit.user_id for edit in edits if edit.user_id and not edit.username}
    if missing:
        names = dict(get_user_model().objects.filter(pk__in=missing).values_list("pk", "username"))
        edits = [
            Edit(edit.at, edit.user_id, names.get(edit.user_id, ""), edit.reason, edit.line_id, edit.year)
            if edit.user_id in names and not edit.username
            else edit
            for edit in edits
        ]
    return edits


def _cell(kind, amount, text, remark, correction) -> ParsedCell | None:
    return None if kind is None else ParsedCell(kind, amount, text or "", remark or "", bool(correction))


def _differences(strategy) -> list[Difference]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM ({_DIFFERENCES}) changes ORDER BY line_id, year", [[strategy.pk]] * 2)
        return [Difference(*row) for row in cursor.fetchall()]


def _snapshot(strategies) -> dict[int, tuple[int, str]]:
    """The differences of the strategies read once into a temporary table, which publishing then copies: a version
    holds exactly those rows, whatever is saved meanwhile. Returns each strategy's count and fingerprint."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE publication_changes ON COMMIT DROP AS {_DIFFERENCES}",
            [[strategy.pk for strategy in strategies]] * 2,
        )
    return _counts_and_digests("publication_changes", [])


def _snapshot_rows() -> list[Difference]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM publication_changes ORDER BY line_id, year")
        return [Difference(*row) for row in cursor.fetchall()]


def newest_version(strategy) -> Publication | None:
    return Publication.objects.for_strategy(strategy).order_by("-number").select_related("approved_by").first()


def _review(strategy, base: Publication | None, rows, audit_position: int, digest: str, tracked: list) -> Review:
    lines = {
        line.pk: line
        for line in BudgetLine.objects.filter(pk__in={row.line_id for row in rows}).prefetch_related("initiatives")
    }
    cells = {(row.line_id, row.year) for row in rows}
    edits = defaultdict(list)
    for edit in _edits(strategy, base.audit_position if base else 0, cells):
        edits[(edit.line_id, edit.year)].append(edit)
    changes = [
        CellChange(lines[row.line_id], row.year, row.old, row.new, edits[(row.line_id, row.year)]) for row in rows
    ]
    changes.sort(key=lambda change: (change.line.position, change.year))
    return Review(strategy, base, changes, digest, audit_position, tracked)


def review(strategy) -> Review:
    """Every cell of the draft that differs from the newest version, with who changed it, when and why."""
    with transaction.atomic():
        audit_position = _audit_position()
        base = newest_version(strategy)
        rows = _differences(strategy)
        _count, digest = _counts_and_digests(f"({_DIFFERENCES}) changes", [[strategy.pk]] * 2).get(strategy.pk, (0, ""))
        tracked = tracking.differences(strategy, base)
        return _review(strategy, base, rows, audit_position, _digest(digest, tracked), tracked)


def unpublished_changes(strategy) -> int:
    """How many cells of the draft differ from the newest version."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({_DIFFERENCES}) changes", [[strategy.pk]] * 2)
        return cursor.fetchone()[0]


def _check_note(note: str) -> str:
    note = note.strip()
    if not note:
        raise PublishError(_("Write a public note for the version, e.g. “Finanslov 2026” or “Rettelse af 2.4”."))
    if len(note) > NOTE_LENGTH:
        raise PublishError(_("The note may be at most %(length)d characters.") % {"length": NOTE_LENGTH})
    if has_control_characters(note) or "\n" in note or "\r" in note or "\t" in note:
        raise PublishError(_("The note holds an invisible control character; type it again."))
    return note


def _check_time(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)  # in the project's time zone, Europe/Copenhagen
    if at <= now:
        raise PublishError(_("The time of publication has passed; choose a later one, or publish now."))
    if at > now + LONGEST_SCHEDULE:
        raise PublishError(_("A publication can be scheduled at most a year ahead."))
    return at


def _changed_by(user, strategy, base: Publication | None) -> list[tuple[int, int]]:
    """The cells of the snapshot that ``user`` changed themselves since the newest version, from the audit trail:
    only their events are read, so the check costs the same for a change of one cell and of fifty thousand."""
    theirs = set(
        apps.get_model("budgets", "AllocationEvent")
        .objects.filter(line__strategy=strategy, pgh_id__gt=base.audit_position if base else 0)
        .filter(Q(pgh_context__metadata__user=user.pk) | Q(pgh_context__metadata__username=user.get_username()))
        .values_list("line_id", "year")
    )
    if not theirs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT line_id, year FROM publication_changes WHERE line_id = ANY(%s) ORDER BY line_id, year",
            [list({line_id for line_id, _year in theirs})],
        )
        return [key for key in cursor.fetchall() if key in theirs]


def publish(strategy, user, note: str, *, at: datetime | None = None, reviewed: str | None = None) -> Publication:
    """Publish the strategy's draft as its next version, now or from ``at`` (an embargo), in one transaction.

    Four eyes: nobody publishes a draft holding a change of their own. ``reviewed`` is the review's token the
    approver saw; if the draft changed since, nothing is published (StaleReview). The new version is the draft as
    it stood at one instant: the strategy's saves wait while it is copied.
    """
    if not can_publish(user, strategy):
        raise PermissionDenied(_("Only an approver may publish %(strategy)s.") % {"strategy": strategy})
    now = timezone.now()
    note, at = _check_note(note), _check_time(at, now)
    with transaction.atomic():
        # Saves of the strategy take this row's lock too (editing.services.save_grid): while it is held, the draft
        # is what the saves committed before it, whole, and two approvers cannot take the same number.
        Strategy.objects.select_for_update().get(pk=strategy.pk)
        base = newest_version(strategy)
        if base is not None and base.published_at > now:
            raise PublishError(
                _("Version %(number)d is scheduled for %(time)s; cancel it before publishing another.")
                % {"number": base.number, "time": timezone.localtime(base.published_at).strftime("%d-%m-%Y %H:%M")}
            )
        audit_position = _audit_position()
        changed, digest = _snapshot([strategy]).get(strategy.pk, (0, ""))
        tracked = tracking.differences(strategy, base)
        digest = _digest(digest, tracked)
        if reviewed is not None:
            seen, _at, position = reviewed.partition("@")
            if seen != f"{base.number if base else 0}:{digest}":
                since = int(position) if position.isdecimal() else audit_position
                current = _review(strategy, base, _snapshot_rows(), audit_position, digest, tracked)
                raise StaleReview(current, _edits(strategy, since))
        if not changed and not tracked:
            raise PublishError(_("The draft holds no change since the newest version; there is nothing to publish."))
        own = _changed_by(user, strategy, base)
        if own:
            titles = dict(
                BudgetLine.objects.filter(pk__in={line_id for line_id, _year in own[:5]}).values_list("pk", "title")
            )
            raise PermissionDenied(
                ngettext(
                    "You changed %(count)d of these cells yourself (%(cells)s); another approver must publish them.",
                    "You changed %(count)d of these cells yourself (%(cells)s); another approver must publish them.",
                    len(own),
                )
                % {"count": len(own), "cells": ", ".join(f"{titles[line_id]} {year}" for line_id, year in own[:5])}
            )
        own_tracked = [change for change in tracked if change.made_by(user)]
        if own_tracked:
            raise PermissionDenied(
                ngettext(
                    "You made %(count)d of the changes of status, authority or milestones yourself (%(changes)s); "
                    "another approver must publish them.",
                    "You made %(count)d of the changes of status, authority or milestones yourself (%(changes)s); "
                    "another approver must publish them.",
                    len(own_tracked),
                )
                % {
                    "count": len(own_tracked),
                    "changes": ", ".join(f"{change.initiative.number} {change.what}" for change in own_tracked[:5]),
                }
            )
        publication = Publication.objects.create(
            strategy=strategy,
            number=(base.number if base else 0) + 1,
            published_at=at,
            approved_by=user,
            note=note,
            changed_cells=changed,
            audit_position=audit_position,
        )
        _write_versions([publication])
        figures_changed()
        if at <= now:
            # The public sees it once this commits: the heavy downloads are built then, before readers ask for them
            # (an embargo's end is the timer's: manage.py build_downloads).
            downloads.build_after_commit()
    return publication


def _write_versions(publications: list[Publication]) -> None:
    """For each new version, of one strategy each: close the published cells the snapshot replaces, add its new
    ones, and write the version's sums."""
    # The snapshot's rows of each strategy, with the number of the version that publishes them.
    versions = """
        SELECT changes.*, publication.id AS publication_id, publication.number
        FROM publication_changes changes
        JOIN publication_publication publication
            ON publication.strategy_id = changes.strategy_id AND publication.id = ANY(%s)
    """
    ids = [publication.pk for publication in publications]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE publication_publishedcell SET valid_until = versions.number
            FROM ({versions}) versions WHERE publication_publishedcell.id = versions.replaced_id
            """,
            [ids],
        )
        cursor.execute(
            f"""
            INSERT INTO publication_publishedcell
                (strategy_id, line_id, year, kind, amount, text, remark, is_correction, allocation_id, version,
                 valid_from)
            SELECT strategy_id, line_id, year, kind, amount, text, remark, is_correction, allocation_id, version,
                   number
            FROM ({versions}) versions WHERE allocation_id IS NOT NULL
            -- In the order of the indexes, each of which then grows at its end instead of everywhere: ten million
            -- rows in the order the snapshot's join gave them took longer than the whole load of a million.
            ORDER BY strategy_id, line_id, year
            """,
            [ids],
        )
        cursor.execute("DROP TABLE publication_changes")
        # A version is the draft as it stands now, whose sums the database keeps (budgets.models.YearSum): copied.
        cursor.execute(
            """
            INSERT INTO publication_publishedyearsum
                (publication_id, strategy_id, chapter_id, theme, year, amount, unknown, financed)
            SELECT publication.id, sums.strategy_id, sums.chapter_id, sums.theme, sums.year, sums.amount,
                   sums.unknown, sums.financed
            FROM budgets_yearsum sums
            JOIN publication_publication publication
                ON publication.strategy_id = sums.strategy_id AND publication.id = ANY(%s)
            """,
            [ids],
        )
        # The version's totals over its chapters and over its themes, which the pages adding up every strategy read.
        for table, group in (("publishedyeartotal", "theme"), ("publishedchaptertotal", "chapter_id")):
            cursor.execute(
                f"""
                INSERT INTO publication_{table} (publication_id, strategy_id, {group}, year, amount, unknown, financed)
                SELECT publication_id, strategy_id, {group}, year, SUM(amount), SUM(unknown), SUM(financed)
                FROM publication_publishedyearsum WHERE publication_id = ANY(%s)
                GROUP BY publication_id, strategy_id, {group}, year
                """,
                [ids],
            )
        # Each initiative's total over every year, which the search's CSV of every initiative reads: the version's
        # cells are its strategy's standing ones, now that they are written.
        cursor.execute(
            """
            INSERT INTO publication_publishedinitiativetotal (publication_id, initiative_id, amount, unknown, financed)
            SELECT publication.id, link.initiative_id,
                   SUM(cell.amount) FILTER (WHERE cell.kind = %s),
                   COUNT(*) FILTER (WHERE cell.kind = %s),
                   COUNT(*) FILTER (WHERE cell.kind = %s)
            FROM publication_publication publication
            JOIN publication_publishedcell cell
                ON cell.strategy_id = publication.strategy_id AND cell.valid_until IS NULL
            JOIN budgets_budgetline_initiatives link ON link.budgetline_id = cell.line_id
            WHERE publication.id = ANY(%s)
            GROUP BY publication.id, link.initiative_id
            """,
            [CellKind.AMOUNT, CellKind.UNKNOWN, CellKind.FINANCED_ELSEWHERE, ids],
        )
    # Each version holds its strategy's status, authority and milestones as they stand too.
    tracking.write(publications)


def publish_as_published(strategies, published_at: datetime, precision: str, note: str) -> list[Publication]:
    """Publish the strategies' cells as versions nobody approved in the app: the tables of the source documents,
    loaded with the fixtures, or generated data. No four-eyes rule: no person changed anything."""
    strategies = sorted(strategies, key=lambda strategy: strategy.pk)
    with transaction.atomic():
        list(Strategy.objects.select_for_update().filter(pk__in=[strategy.pk for strategy in strategies]))
        newest = dict(
            Publication.objects.filter(strategy__in=strategies)
            .values("strategy")
            .annotate(newest=models.Max("number"))
            .values_list("strategy", "newest")
        )
        changed = _snapshot(strategies)
        audit_position = _audit_position()
        publications = Publication.objects.bulk_create(
            Publication(
                strategy=strategy,
                number=newest.get(strategy.pk, 0) + 1,
                published_at=published_at,
                precision=precision,
                note=note,
                changed_cells=changed.get(strategy.pk, (0, ""))[0],
                audit_position=audit_position,
            )
            for strategy in strategies
        )
        _write_versions(publications)
        figures_changed()
    return publications


def cancel(publication: Publication, user) -> None:
    """Take back a scheduled version before its time, as if it had never been made."""
    if not can_publish(user, publication.strategy):
        raise PermissionDenied(_("Only an approver may cancel a publication."))
    with transaction.atomic():
        Strategy.objects.select_for_update().get(pk=publication.strategy_id)
        publication = Publication.objects.get(pk=publication.pk)
        if publication.published_at <= timezone.now():
            raise PublishError(
                _("Version %(number)d is public already; publish a new version to correct it.")
                % {"number": publication.number}
            )
        parameters = [publication.strategy_id, publication.number]
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM publication_publishedyearsum WHERE publication_id = %s", [publication.pk])
            cursor.execute("DELETE FROM publication_publishedyeartotal WHERE publication_id = %s", [publication.pk])
            cursor.execute("DELETE FROM publication_publishedchaptertotal WHERE publication_id = %s", [publication.pk])
            cursor.execute(
                "DELETE FROM publication_publishedinitiativetotal WHERE publication_id = %s", [publication.pk]
            )
            cursor.execute(
                "DELETE FROM publication_publishedcell WHERE strategy_id = %s AND valid_from = %s", parameters
            )
            cursor.execute(
                "UPDATE publication_publishedcell SET valid_until = NULL WHERE strategy_id = %s AND valid_until = %s",
                parameters,
            )
        publication.delete()
        figures_changed()
