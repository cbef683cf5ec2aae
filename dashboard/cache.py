"""Public pages are cached whole and all dropped at once when any budget figure changes.

Pages live in the shared cache (PostgreSQL) for every worker, and each worker also keeps the pages it served
in memory. Both are keyed by the version of what the public sees (publication.state.public_state: the figures'
generation and the embargoes passed), which every request reads from the shared cache: a publication, an edit of
the structure or the end of an embargo makes every copy unreachable at once. Only the public's pages are cached:
staff, who may see the draft, always get a page made for them. The memory copy spares a worker
fetching and decoding a page it has served before, which for the overview of a hundred strategies costs
several times what the rest of the request does.

A page is kept as its status, headers and body, not as a pickled response: the worker's memory hands the same
body bytes to every response made from it, so serving the 3 MiB page of a 5.000-line strategy copies nothing (a
pickled HttpResponse was unpickled, 3 MiB copied, for each request). A streamed page is kept once its last part
has been sent, and served whole from then on.
"""

import functools
import hashlib
import threading
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from publication.state import public_state

TIMEOUT = 60 * 60 * 24
LOCAL_BYTES = 32 * 2**20


class CachedPage(NamedTuple):
    status: int
    headers: tuple  # (name, value) pairs as the view set them
    content: bytes

    def response(self) -> HttpResponse:
        # Each request gets a response of its own, which middleware may change freely; the bytes are shared.
        return HttpResponse(self.content, status=self.status, headers=dict(self.headers))


class LocalPages:
    """The pages this worker served, the least recently used dropped beyond a size of their bodies."""

    def __init__(self, limit: int = LOCAL_BYTES):
        self.limit, self.size, self.pages = limit, 0, OrderedDict()
        self.lock = threading.Lock()

    def get(self, key) -> CachedPage | None:
        with self.lock:
            data = self.pages.get(key)
            if data is not None:
                self.pages.move_to_end(key)
            return data

    def put(self, key, page: CachedPage) -> None:
        with self.lock:
            if key in self.pages:
                self.size -= len(self.pages.pop(key).content)
            self.pages[key] = page
            self.size += len(page.content)
            while self.size > self.limit:
                self.size -= len(self.pages.popitem(last=False)[1].content)

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
        # "pages", no longer "page": a page is now kept as a CachedPage, not as a pickled response.
        key = f"dashboard:pages:{settings.RELEASE}:{public_state()}:{get_language()}:{address}"
        page = local_pages.get(key)
        if page is None:
            page = cache.get(key)
            if page is not None:
                local_pages.put(key, page)
        if page is not None:
            response = page.response()
        else:
            response = view(request, *args, **kwargs)
            if response.status_code == 200:
                if response.streaming:
                    # The view's own status and headers, taken now: the generator's body runs only once the
                    # middleware has added its headers, which each response made from the page gets again.
                    page = CachedPage(response.status_code, tuple(response.items()), b"")
                    response.streaming_content = _kept_when_sent(key, page, response.streaming_content)
                else:
                    if hasattr(response, "render"):
                        response.render()
                    _keep(key, CachedPage(response.status_code, tuple(response.items()), response.content))
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper


def _keep(key, page: CachedPage) -> None:
    cache.set(key, page, TIMEOUT)
    local_pages.put(key, page)


def _kept_when_sent(key, page: CachedPage, parts):
    """The streamed page's parts as they go out; once the last has gone, the whole page is kept with ``page``'s status
    and headers. A page cut off (the reader left, or an error) is not kept."""
    sent = []
    for part in parts:
        sent.append(part)
        yield part
    _keep(key, page._replace(content=b"".join(sent)))


def _has_messages(request) -> bool:
    """Whether messages wait for this visitor, such as a save's left in the cookie of staff who logged out: the page
    shows them, so it is neither served from the cache (they would not see them) nor cached (everyone would).
    Counting them does not mark them as shown."""
    return len(get_messages(request)) > 0
