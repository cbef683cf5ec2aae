"""The product's URLs plus the floor of the stack: a view that returns a constant page."""

import functools

from django.http import HttpResponse
from django.urls import path

from strategy_tracker.urls import urlpatterns as product

BARE_PATH = "/bench/bare/"
BARE_PAGE = (
    b'<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"><title>Bench</title></head>'
    b"<body><p>A constant page: what the stack costs before any work of the product.</p></body></html>\n"
)


def bare(request):
    """The constant page; ``?bytes=N`` pads it to N bytes, to tell what a page's mere size costs."""
    size = request.GET.get("bytes", "")
    if size.isdigit():
        return HttpResponse(_padded(int(size)))
    return HttpResponse(BARE_PAGE)


@functools.cache
def _padded(size: int) -> bytes:
    return BARE_PAGE + b"<!--" + b"x" * max(0, size - len(BARE_PAGE) - 7) + b"-->\n"


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare, name="bench_bare"), *product]
