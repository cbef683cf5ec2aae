"""The audit trail of an initiative's tracking, read from the rows django-pghistory's triggers write on every change
of its status updates, milestones and responsibility: what the staff's page shows beneath its form."""

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tracking.models import Status


@dataclass(frozen=True)
class RecordedChange:
    at: datetime
    username: str
    reason: str
    what: str  # status, milestone or responsible authority
    action: str  # added, changed or removed
    value: str


def status_text(status: str, as_of: date, text: str) -> str:
    return f"{Status(status).label}, {date_format(as_of)}: {text}"


def milestone_text(title: str, planned: date, reached: date | None) -> str:
    return _("%(title)s, planned for %(planned)s, %(reached)s") % {
        "title": title,
        "planned": date_format(planned),
        "reached": date_format(reached) if reached else _("not reached"),
    }


# Each kind: its audit trail, the fields its value is made of, and how the value reads.
_KINDS = [
    ("StatusUpdateEvent", ["status", "as_of", "text"], status_text, lambda: _("Status")),
    ("MilestoneEvent", ["title", "planned", "reached"], milestone_text, lambda: _("Milestone")),
    ("ResponsibilityEvent", ["authority__name"], lambda name: name or "", lambda: _("Responsible authority")),
]


def recorded_changes(initiative) -> list[RecordedChange]:
    """Every recorded change of the initiative's status, milestones and authority, newest first, with who made it,
    when and why: three queries, one per audit trail."""
    actions = {
        "insert": pgettext("a change of the tracking", "added"),
        "update": pgettext("a change of the tracking", "changed"),
        "delete": pgettext("a change of the tracking", "removed"),
    }
    found = []
    for kind, (events, fields, reads, what) in enumerate(_KINDS):
        rows = (
            apps.get_model("tracking", events)
            .objects.filter(initiative=initiative)
            .values("pgh_id", "pgh_created_at", "pgh_label", "pgh_context__metadata", *fields)
        )
        for row in rows:
            metadata = row["pgh_context__metadata"] or {}
            change = RecordedChange(
                row["pgh_created_at"],
                metadata.get("username", ""),
                metadata.get("reason", ""),
                what(),
                actions.get(row["pgh_label"], row["pgh_label"]),
                reads(*[row[name] for name in fields]),
            )
            # One save's rows share its time: they read in the kinds' order, each kind's newest first.
            found.append(((row["pgh_created_at"], -kind, row["pgh_id"]), change))
    found.sort(key=lambda entry: entry[0], reverse=True)
    return [change for _order, change in found]
