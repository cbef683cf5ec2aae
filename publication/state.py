"""The version of what the public sees, for page caches, built downloads, ETags and Last-Modified.

What the public sees changes when anything is published or changed (budgets.changes.generation moves) and also,
with no write at all, when a scheduled publication's embargo ends. The figures' key counts the embargoes already
passed beside the generation, so nothing made before an embargo ends is served after it.

Only what shows an initiative as late (tracking.progress: a milestone past its day and not reached) also changes at
midnight. That is the dated key, public_state; the figures, the heavy downloads built from them and the budget's
open data are keyed by figures_state alone, so they are neither rebuilt nor refetched every day.

The times of the embargoes can change only with the generation (publishing and cancelling move it), so each worker
reads them from the database once per generation and keeps them.
"""

import threading
from datetime import UTC, datetime, time

from django.db.models import F
from django.utils import timezone

from budgets.changes import changed_at, generation
from publication.models import Publication

_embargoes_by_generation: dict[int, list[datetime]] = {}
_lock = threading.Lock()


def _embargoes(current: int) -> list[datetime]:
    """When each version published with an embargo became or becomes public, passed ones too."""
    with _lock:
        known = _embargoes_by_generation.get(current)
    if known is None:
        known = sorted(
            Publication.objects.filter(published_at__gt=F("created_at")).values_list("published_at", flat=True)
        )
        with _lock:
            _embargoes_by_generation.clear()  # older generations never come back
            _embargoes_by_generation[current] = known
    return known


def _passed(now: datetime) -> list[datetime]:
    return [moment for moment in _embargoes(generation()) if moment <= now]


def figures_state() -> str:
    """A value that changes whenever the figures the public sees change: a publication, an edit, an ended embargo."""
    current = generation()
    now = timezone.now()
    return f"{current}.{sum(1 for moment in _embargoes(current) if moment <= now)}"


def public_state() -> str:
    """The figures' key and today's date: an initiative whose milestone is not reached shows as late from the day
    after it was planned (tracking.progress), with no write at all."""
    return f"{figures_state()}.{timezone.localdate():%Y%m%d}"


def figures_changed_at() -> datetime:
    """When the figures the public sees last changed, to the second: the last change or an embargo ended since."""
    changed = changed_at()
    passed = _passed(timezone.now())
    if passed and passed[-1] > changed:
        return passed[-1].astimezone(UTC).replace(microsecond=0)
    return changed


def public_changed_at() -> datetime:
    """When what the public sees last changed: the figures, or the last midnight (from which a milestone may be
    overdue)."""
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(), time.min)).astimezone(UTC)
    return max(figures_changed_at(), midnight)
