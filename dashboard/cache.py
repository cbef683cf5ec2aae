"""Public pages are cached whole and all dropped at once when any budget figure changes."""

import functools

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from budgets.models import Allocation, BudgetLine, Footnote, FrameAmount, FundingFrame, PublishedTotal
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy

GENERATION_KEY = "dashboard:generation"
TIMEOUT = 60 * 60 * 24
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


def invalidate(**kwargs) -> None:
    """Every cached page was built from older figures: move to a new generation of keys."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


for model in WATCHED:
    post_save.connect(invalidate, sender=model, dispatch_uid=f"dashboard-cache-save-{model.__name__}")
    post_delete.connect(invalidate, sender=model, dispatch_uid=f"dashboard-cache-delete-{model.__name__}")
m2m_changed.connect(invalidate, sender=BudgetLine.initiatives.through, dispatch_uid="dashboard-cache-m2m")


def public_page(view):
    """Cache a public GET page per language and full URL; anything else goes straight to the view."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        key = f"dashboard:page:{settings.RELEASE}:{generation()}:{get_language()}:{request.get_full_path()}"
        response = cache.get(key)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                cache.set(key, response, TIMEOUT)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
