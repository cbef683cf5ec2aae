"""A version of the published figures that moves whenever any of them changes.

Cached pages, ETags and Last-Modified headers all derive from it, so a client or a cache never
sees figures older than the database's. It lives in the shared cache, so every worker agrees.
"""

import contextlib
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from budgets.models import Allocation, BudgetLine, Footnote, FrameAmount, FundingFrame, PublishedTotal
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy

GENERATION_KEY = "figures:generation"
CHANGED_AT_KEY = "figures:changed-at"
# Any fixed number, unique among the app's advisory locks (zlib.crc32(b"figures:generation")).
GENERATION_LOCK = 3707511786
WATCHED = [
    Allocation,
    BudgetLine,
    FrameAmount,
    FundingFrame,
    Footnote,
    PublishedTotal,
    Strategy,
    Chapter,
    Initiative,
    InitiativeLink,
]


def generation() -> int:
    # A shared cache that has lost the version (emptied, or restored from a backup that leaves it out) starts from
    # the clock, never from a number it had before: workers keep pages in memory under it.
    return cache.get_or_set(GENERATION_KEY, time.time_ns, timeout=None)


def changed_at() -> datetime:
    """When the figures last changed, to the second (HTTP dates have no finer unit)."""
    return cache.get_or_set(CHANGED_AT_KEY, lambda: datetime.now(UTC).replace(microsecond=0), timeout=None)


# Inside one_change(): whether a figure changed; outside it, None.
_batched: ContextVar[list | None] = ContextVar("figures_changed_batched", default=None)


@contextlib.contextmanager
def one_change():
    """Count every change made inside as one: the version moves once, at the end, if anything changed.

    Moving it costs a few queries of the shared cache, so a save of 500 cells must not move it 500 times.
    """
    if _batched.get() is not None:
        yield
        return
    changed = []
    token = _batched.set(changed)
    try:
        yield
    finally:
        _batched.reset(token)
    if changed:
        figures_changed()


def figures_changed(**kwargs) -> None:
    batched = _batched.get()
    if batched is not None:
        batched.append(True)
        return
    # A new value that never repeats, even when a transaction that moved it is rolled back: workers keep pages
    # in memory under it, and must never take an old page for a new one. A transaction-scoped advisory lock makes
    # a second writer wait for the first one's commit, so no page is cached between two changes under the
    # second one's version while it still shows the figures before it.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GENERATION_LOCK])
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
        cache.set(CHANGED_AT_KEY, datetime.now(UTC).replace(microsecond=0), timeout=None)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"figures-changed-save-{model.__name__}")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"figures-changed-delete-{model.__name__}")
    for through in (BudgetLine.initiatives.through, BudgetLine.footnotes.through):
        m2m_changed.connect(figures_changed, sender=through, dispatch_uid=f"figures-changed-{through.__name__}")
