"""The product's URLs plus the floor of the stack: a view that returns a constant page."""

from django.http import HttpResponse
from django.urls import path

from strategy_tracker.urls import urlpatterns as product

BARE_PATH = "/bench/bare/"
BARE_PAGE = (
    b'<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8"><title>Bench</title></head>'
    b"<body><p>A constant page: what the stack costs before any work of the product.</p></body></html>\n"
)


def bare(request):
    return HttpResponse(BARE_PAGE)


urlpatterns = [path(BARE_PATH.strip("/") + "/", bare, name="bench_bare"), *product]
