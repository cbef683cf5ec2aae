"""Public pages are cached whole and all dropped at once when any budget figure changes."""

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from budgets.changes import generation

TIMEOUT = 60 * 60 * 24


def public_page(view):
    """Cache a public GET page per language and full URL; anything else goes straight to the view."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.PAGE_CACHE or request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        # The address is hashed: a query string can be longer than any cache key may be (250 characters).
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"dashboard:page:{settings.RELEASE}:{generation()}:{get_language()}:{address}"
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
