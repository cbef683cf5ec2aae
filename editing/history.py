"""The audit trail, read from the rows django-pghistory's triggers write on every change of a cell."""

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery

from budgets.cells import ParsedCell


@dataclass(frozen=True)
class Change:
    event_id: int
    at: datetime
    username: str
    reason: str
    save_id: str
    line_id: int
    line_title: str
    year: int
    label: str  # insert, update or delete
    before: ParsedCell | None
    after: ParsedCell | None


def _events():
    return apps.get_model("budgets", "AllocationEvent").objects


def _cell(kind, amount, text, remark, correction) -> ParsedCell | None:
    return None if kind is None else ParsedCell(kind, amount, text or "", remark or "", bool(correction))


def changes(
    strategy,
    *,
    username=None,
    since: date | None = None,
    until: date | None = None,
    save_id=None,
    line_ids=None,
    event_id=None,
):
    """Every recorded change to the strategy's cells made through the app, newest first."""
    events = _events()
    previous = events.filter(pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")).order_by("-pgh_id")
    queryset = (
        events.filter(line__strategy=strategy, pgh_context__isnull=False)
        .annotate(
            before_kind=Subquery(previous.values("kind")[:1]),
            before_amount=Subquery(previous.values("amount")[:1]),
            before_text=Subquery(previous.values("text")[:1]),
            before_remark=Subquery(previous.values("remark")[:1]),
            before_correction=Subquery(previous.values("is_correction")[:1]),
        )
        .select_related("pgh_context", "line")
        .order_by("-pgh_id")
    )
    if username:
        queryset = queryset.filter(pgh_context__metadata__username=username)
    if since:
        queryset = queryset.filter(pgh_created_at__date__gte=since)
    if until:
        queryset = queryset.filter(pgh_created_at__date__lte=until)
    if save_id:
        queryset = queryset.filter(pgh_context__metadata__save=save_id)
    if line_ids is not None:
        queryset = queryset.filter(line_id__in=line_ids)
    if event_id is not None:
        queryset = queryset.filter(pgh_id=event_id)
    events = list(queryset)
    names = dict(
        get_user_model()
        .objects.filter(pk__in={event.pgh_context.metadata.get("user") for event in events})
        .values_list("pk", "username")
    )
    for event in events:
        metadata = event.pgh_context.metadata
        snapshot = _cell(event.kind, event.amount, event.text, event.remark, event.is_correction)
        before = _cell(
            event.before_kind, event.before_amount, event.before_text, event.before_remark, event.before_correction
        )
        yield Change(
            event_id=event.pgh_id,
            at=event.pgh_created_at,
            username=metadata.get("username") or names.get(metadata.get("user"), ""),
            reason=metadata.get("reason", ""),
            save_id=metadata.get("save", ""),
            line_id=event.line_id,
            line_title=event.line.title,
            year=event.year,
            label=event.pgh_label,
            before=snapshot if event.pgh_label == "delete" else before,
            after=None if event.pgh_label == "delete" else snapshot,
        )


def editors(strategy) -> list[str]:
    """Who has changed the strategy's cells, for the change log's filter."""
    names = (
        _events()
        .filter(line__strategy=strategy, pgh_context__isnull=False)
        .values_list("pgh_context__metadata__username", flat=True)
        .distinct()
    )
    return sorted(name for name in names if name)
