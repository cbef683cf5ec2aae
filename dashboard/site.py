"""The pages every public site has beside its content: the accessibility statement, the list of sources, and the
files browsers and search engines ask for at fixed addresses (robots.txt, favicon.ico)."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from dashboard.views import SOURCE_NAME

DAY = 60 * 60 * 24


@require_safe
def accessibility(request):
    """Tilgængelighedserklæring: what a Danish public authority's site must say about its accessibility."""
    return render(request, "dashboard/accessibility.html")


@require_safe
def sources(request):
    """The published documents the figures come from, each a link to its text."""
    documents = sorted(
        path.name for path in settings.SOURCES_DIR.glob("*") if path.is_file() and SOURCE_NAME.match(path.name)
    )
    return render(request, "dashboard/sources.html", {"documents": documents})


@require_safe
@cache_control(public=True, max_age=DAY)
def robots_txt(request):
    """Everything public may be crawled; staff pages, downloads and embeds are left out, and the sitemap named."""
    lines = [
        "User-agent: *",
        *(f"Disallow: {prefix}{path}" for prefix in ("/", "/en/") for path in ("accounts/", "admin/", "embed/")),
        "Disallow: /*export",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
@cache_control(public=True, max_age=DAY)
def favicon(request):
    """/favicon.ico, where browsers and feed readers look for it whatever the page says."""
    return FileResponse(open(finders.find("favicon.ico"), "rb"), content_type="image/x-icon")
