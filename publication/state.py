"""The version of what the public sees, for page caches, ETags and Last-Modified.

What the public sees changes when anything is published or changed (budgets.changes.generation moves) and also,
with no write at all, when a scheduled publication's embargo ends. The state counts the embargoes already passed
beside the generation, so a page cached before an embargo ends is never served after it.

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


def public_state() -> str:
    """A value that changes whenever what the public sees changes, and at midnight: an initiative whose milestone
    is not reached shows as late from the day after it was planned (tracking.progress), with no write at all."""
    current = generation()
    now = timezone.now()
    return f"{current}.{sum(1 for moment in _embargoes(current) if moment <= now)}.{timezone.localdate(now):%Y%m%d}"


def public_changed_at() -> datetime:
    """When what the public sees last changed, to the second: the last change, an embargo that ended since, or the
    last midnight (from which a milestone may be overdue)."""
    now = timezone.now()
    midnight = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min)).astimezone(UTC)
    changed = max(changed_at(), midnight)
    passed = _passed(now)
    if passed and passed[-1] > changed:
        return passed[-1].astimezone(UTC).replace(microsecond=0)
    return changed
