"""A version of the published figures that moves whenever any of them changes.

Cached pages, ETags and Last-Modified headers all derive from it, so a client or a cache never
sees figures older than the database's. It lives in the shared cache, so every worker agrees.
"""

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
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def changed_at() -> datetime:
    """When the figures last changed, to the second (HTTP dates have no finer unit)."""
    return cache.get_or_set(CHANGED_AT_KEY, lambda: datetime.now(UTC).replace(microsecond=0), timeout=None)


def figures_changed(**kwargs) -> None:
    """Move the generation on, in the transaction of the change, so no page can be cached between the two.

    The cache's incr is a read and a write: two transactions that both read N before either commits would both
    write N + 1, and a page cached between their commits under N + 1 would miss the second change for good. A
    transaction-scoped advisory lock makes the read wait for the other writer's commit.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GENERATION_LOCK])
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            cache.set(GENERATION_KEY, 2, timeout=None)
        cache.set(CHANGED_AT_KEY, datetime.now(UTC).replace(microsecond=0), timeout=None)


def connect() -> None:
    for model in WATCHED:
        post_save.connect(figures_changed, sender=model, dispatch_uid=f"figures-changed-save-{model.__name__}")
        post_delete.connect(figures_changed, sender=model, dispatch_uid=f"figures-changed-delete-{model.__name__}")
    for through in (BudgetLine.initiatives.through, BudgetLine.footnotes.through):
        m2m_changed.connect(figures_changed, sender=through, dispatch_uid=f"figures-changed-{through.__name__}")
