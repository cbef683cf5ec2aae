"""Public pages are cached whole and all dropped at once when any budget figure changes.

Pages live in the shared cache (PostgreSQL) for every worker, and each worker also keeps the pages it served
in memory. Both are keyed by the version of what the public sees (publication.state.public_state: the figures'
generation and the embargoes passed), which every request reads from the shared cache: a publication, an edit of
the structure or the end of an embargo makes every copy unreachable at once. Only the public's pages are cached:
staff, who may see the draft, always get a page made for them. The memory copy spares a worker
fetching and decoding a page it has served before, which for the overview of a hundred strategies costs
several times what the rest of the request does.
"""

import functools
import hashlib
import pickle
import threading
from collections import OrderedDict

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from publication.state import public_state

TIMEOUT = 60 * 60 * 24
LOCAL_BYTES = 32 * 2**20


class LocalPages:
    """The pages this worker served, as pickled bytes, the least recently used dropped beyond a size."""

    def __init__(self, limit: int = LOCAL_BYTES):
        self.limit, self.size, self.pages = limit, 0, OrderedDict()
        self.lock = threading.Lock()

    def get(self, key) -> bytes | None:
        with self.lock:
            data = self.pages.get(key)
            if data is not None:
                self.pages.move_to_end(key)
            return data

    def put(self, key, data: bytes) -> None:
        with self.lock:
            if key in self.pages:
                self.size -= len(self.pages.pop(key))
            self.pages[key] = data
            self.size += len(data)
            while self.size > self.limit:
                self.size -= len(self.pages.popitem(last=False)[1])

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.size = 0


local_pages = LocalPages()


def public_page(view):
    """Cache a public GET page per language and full URL; anything else goes straight to the view."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            not settings.PAGE_CACHE
            or request.method not in ("GET", "HEAD")
            or request.user.is_authenticated
            or _has_messages(request)
        ):
            return view(request, *args, **kwargs)
        # The address is hashed: a query string can be longer than any cache key may be (250 characters).
        address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"dashboard:page:{settings.RELEASE}:{public_state()}:{get_language()}:{address}"
        # Both caches hold the page pickled once, as bytes: the worker's memory takes what the shared cache gave.
        data = local_pages.get(key)
        if data is None:
            data = cache.get(key)
            if data is not None:
                local_pages.put(key, data)
        if data is not None:
            # Each request gets a response of its own, which middleware may change freely.
            response = pickle.loads(data)
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                if hasattr(response, "render"):
                    response.render()
                data = pickle.dumps(response, pickle.HIGHEST_PROTOCOL)
                cache.set(key, data, TIMEOUT)
                local_pages.put(key, data)
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _has_messages(request) -> bool:
    """Whether messages wait for this visitor, such as a save's left in the cookie of staff who logged out: the page
    shows them, so it is neither served from the cache (they would not see them) nor cached (everyone would).
    Counting them does not mark them as shown."""
    return len(get_messages(request)) > 0
