"""Publishing the tracking draft with a strategy's version, as its cells are published.

publication.services calls these inside its transaction, while it holds the strategy's lock (which every save of
the tracking takes too): ``differences`` for the review, the "nothing to publish" check and the four-eyes rule,
``write`` to copy the draft into the new version. A version holds every status update, milestone and
responsibility of its strategy as they stood, so the public reads one version's rows and nothing else.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.db import connection
from django.db.models import Max
from django.utils.translation import gettext as _

from initiatives.models import Initiative
from publication.models import Publication
from tracking.history import milestone_text, status_text
from tracking.models import (
    Authority,
    Milestone,
    PublishedMilestone,
    PublishedResponsibility,
    PublishedStatusUpdate,
    PublishedTracking,
    Responsibility,
    StatusUpdate,
)

STATUS, MILESTONE, AUTHORITY = "status", "milestone", "authority"
# Each kind of row: its draft model, its published copy, its audit trail, and the fields that make its value.
KINDS = {
    STATUS: (StatusUpdate, PublishedStatusUpdate, "StatusUpdateEvent", ["status", "as_of", "text"]),
    MILESTONE: (Milestone, PublishedMilestone, "MilestoneEvent", ["title", "planned", "reached"]),
    AUTHORITY: (Responsibility, PublishedResponsibility, "ResponsibilityEvent", ["authority_id"]),
}
POSITIONS = {STATUS: "status_position", MILESTONE: "milestone_position", AUTHORITY: "responsibility_position"}
# The column of a published copy that holds its draft row's id; a responsibility is one per initiative.
COPIED_ID = {STATUS: "update_id", MILESTONE: "milestone_id", AUTHORITY: None}


@dataclass(frozen=True)
class Edit:
    """One recorded change of a row of the tracking, from the audit trail: who, when and why."""

    at: datetime
    user_id: int | None
    username: str
    reason: str


@dataclass
class TrackingChange:
    """A status update, milestone or responsibility that differs between the newest version and the draft."""

    initiative: Initiative
    kind: str
    key: int  # the row's id (a responsibility's: its initiative's)
    old: tuple | None
    new: tuple | None
    edits: list = field(default_factory=list)

    @property
    def what(self) -> str:
        return {STATUS: _("Status"), MILESTONE: _("Milestone"), AUTHORITY: _("Responsible authority")}[self.kind]

    def describe(self, values: tuple | None) -> str:
        if values is None:
            return ""
        if self.kind == STATUS:
            return status_text(*values)
        if self.kind == MILESTONE:
            return milestone_text(*values)
        return str(Authority.objects.get(pk=values[0]))

    @property
    def old_text(self) -> str:
        return self.describe(self.old)

    @property
    def new_text(self) -> str:
        return self.describe(self.new)

    def made_by(self, user) -> bool:
        return any(edit.user_id == user.pk or edit.username == user.get_username() for edit in self.edits)


def _rows(queryset, kind: str, id_field: str | None) -> dict:
    """(kind, id) → (initiative id, the value's fields) for every row of the queryset."""
    fields = KINDS[kind][3]
    key = id_field or "initiative_id"
    return {
        (kind, row[0]): (row[1], tuple(row[2:]))
        for row in queryset.values_list(key, "initiative_id", *fields).order_by()
    }


def _draft(strategy_ids) -> dict:
    found = {}
    for kind, (draft, _published, _events, _fields) in KINDS.items():
        found |= _rows(
            draft.objects.filter(initiative__chapter__strategy__in=strategy_ids), kind, COPIED_ID[kind] and "pk"
        )
    return found


def _published(publication_ids) -> dict:
    found = {}
    for kind, (_draft_model, published, _events, _fields) in KINDS.items():
        found |= _rows(published.objects.filter(publication_id__in=publication_ids), kind, COPIED_ID[kind])
    return found


def _changed(draft: dict, published: dict) -> list:
    return sorted(key for key in draft.keys() | published.keys() if draft.get(key) != published.get(key))


def differences(strategy, base: Publication | None) -> list[TrackingChange]:
    """Every row of the strategy's tracking that differs between the version ``base`` and the draft, in the
    strategy's order, with who changed it since ``base``, when and why."""
    draft = _draft([strategy.pk])
    published = _published([base.pk] if base else [])
    keys = _changed(draft, published)
    if not keys:
        return []
    initiatives = Initiative.objects.in_bulk({(draft.get(key) or published.get(key))[0] for key in keys})
    edits = _edits(strategy, base, keys)
    changes = [
        TrackingChange(
            initiatives[(draft.get(key) or published.get(key))[0]],
            key[0],
            key[1],
            published[key][1] if key in published else None,
            draft[key][1] if key in draft else None,
            edits.get(key, []),
        )
        for key in keys
    ]
    order = list(KINDS)
    changes.sort(key=lambda change: (change.initiative.position, order.index(change.kind), change.key))
    return changes


def positions() -> dict[str, int]:
    """The newest event of each kind's audit trail."""
    return {
        kind: apps.get_model("tracking", events).objects.aggregate(newest=Max("pgh_id"))["newest"] or 0
        for kind, (_draft_model, _published, events, _fields) in KINDS.items()
    }


def _since(base: Publication | None) -> dict[str, int]:
    tracking = PublishedTracking.objects.filter(publication=base).first() if base else None
    return {kind: getattr(tracking, POSITIONS[kind]) if tracking else 0 for kind in KINDS}


def _edits(strategy, base: Publication | None, keys) -> dict:
    """(kind, id) → the audit trail's changes of that row since ``base``, oldest first."""
    since, wanted = _since(base), set(keys)
    found = defaultdict(list)
    for kind, (_draft_model, _published, events, _fields) in KINDS.items():
        key = "initiative_id" if kind == AUTHORITY else "pgh_obj_id"
        rows = (
            apps.get_model("tracking", events)
            .objects.filter(initiative__chapter__strategy=strategy, pgh_id__gt=since[kind], pgh_context__isnull=False)
            .order_by("pgh_id")
            .values_list(key, "pgh_created_at", "pgh_context__metadata")
        )
        for row_id, at, metadata in rows:
            if (kind, row_id) in wanted:
                found[(kind, row_id)].append(
                    Edit(at, metadata.get("user"), metadata.get("username", ""), metadata.get("reason", ""))
                )
    return found


def fingerprint(changes: list[TrackingChange]) -> list[str]:
    """What a review showed of the tracking, for the review's digest."""
    return [repr((change.kind, change.key, change.new)) for change in changes]


def write(publications: list[Publication]) -> None:
    """Copy each new version's strategy's tracking draft into it, and note what changed since the version before."""
    ids = [publication.pk for publication in publications]
    strategies = [publication.strategy_id for publication in publications]
    before = {
        (publication.strategy_id, publication.number): publication.pk
        for publication in Publication.objects.filter(strategy__in=strategies)
    }
    draft, published = defaultdict(dict), defaultdict(dict)
    initiatives = dict(
        Initiative.objects.filter(chapter__strategy__in=strategies).values_list("pk", "chapter__strategy")
    )
    for key, value in _draft(strategies).items():
        draft[initiatives[value[0]]][key] = value
    bases = {before.get((publication.strategy_id, publication.number - 1)) for publication in publications}
    for key, value in _published([pk for pk in bases if pk]).items():
        published[initiatives[value[0]]][key] = value
    with connection.cursor() as cursor:
        for kind, (draft_model, published_model, _events, fields) in KINDS.items():
            columns = ["initiative_id", *fields]
            copied = ", ".join(columns + ([COPIED_ID[kind]] if COPIED_ID[kind] else []))
            selected = ", ".join(f"draft.{column}" for column in columns + (["id"] if COPIED_ID[kind] else []))
            cursor.execute(
                f"""
                INSERT INTO {published_model._meta.db_table} (publication_id, {copied})
                SELECT publication.id, {selected}
                FROM {draft_model._meta.db_table} draft
                JOIN initiatives_initiative initiative ON initiative.id = draft.initiative_id
                JOIN initiatives_chapter chapter ON chapter.id = initiative.chapter_id
                JOIN publication_publication publication
                    ON publication.strategy_id = chapter.strategy_id AND publication.id = ANY(%s)
                """,
                [ids],
            )
    newest = positions()
    PublishedTracking.objects.bulk_create(
        PublishedTracking(
            publication=publication,
            changes=len(_changed(draft[publication.strategy_id], published[publication.strategy_id])),
            **{POSITIONS[kind]: position for kind, position in newest.items()},
        )
        for publication in publications
    )


def unpublished(strategy) -> int:
    """How many rows of the strategy's tracking differ from its newest version."""
    newest = Publication.objects.filter(strategy=strategy).order_by("-number").first()
    draft = _draft([strategy.pk])
    return len(_changed(draft, _published([newest.pk] if newest else [])))
