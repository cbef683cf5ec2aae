"""What a visitor gets when a request fails: a database that is away is told apart from a bug."""

import json
import sys
from pathlib import Path

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import defaults

from strategy_tracker import health

RETRY_AFTER_SECONDS = 30


def is_database_unavailable(error: BaseException | None) -> bool:
    """Whether PostgreSQL is stopped, restarting or out of reach, also in the middle of a transaction.

    A lost or refused connection has no SQLSTATE, or one of class 08 (connection exception), 53 (out of
    connections or memory) or 57P (shutting down, starting up); psycopg2 reports a connection that broke between
    two statements as a bare DatabaseError. Anything else, a deadlock say, is a bug and stays a 500.
    """
    if isinstance(error, InterfaceError):
        return True
    if not (isinstance(error, OperationalError) or type(error) is DatabaseError):
        return False
    code = getattr(error.__cause__, "pgcode", None)
    return code is None or code.startswith(("08", "53", "57P"))


def server_error(request):
    """Django's handler500, which it calls for any uncaught exception, in a view or in a middleware.

    A process_exception middleware would only see the views' exceptions, while the session and pghistory
    middlewares reach the database before the view runs.
    """
    if is_database_unavailable(sys.exception()):
        return database_unavailable(request)
    return defaults.server_error(request)


def database_unavailable(request):
    """503 in the visitor's language, built without touching the database (no session, no user, no messages).

    Every write is one transaction, so a request cut off by the database was rolled back whole.
    """
    message = _("The database is not available at the moment, so nothing you sent was saved. Try again in a minute.")
    if request.path == reverse("health"):
        # A session cookie makes the middleware read the session before the health view can catch anything.
        response = health.unreachable()
    elif request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(
            render_to_string("503.html", {"request": request, "message": message}),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


# The pages nginx answers with itself when no instance of the app answered a request (502, 504): the app cannot
# render them then, so they are rendered ahead, one per language and one for the API (deploy/site.conf).
UNANSWERED_PAGES = {"da.html": "da", "en.html": "en", "api.json": "da"}


def write_unanswered_pages(directory: Path) -> list[Path]:
    """Render the pages nginx shows when no instance answered into ``directory``; they name the static files of the
    release collected last, so run it after collectstatic."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, language in UNANSWERED_PAGES.items():
        with translation.override(language):
            if name.endswith(".json"):
                detail = _("None of the site's servers answered in time. Try again in a moment.")
                content = json.dumps({"detail": detail}, ensure_ascii=False)
            else:
                content = render_to_string("502.html")
        path = directory / name
        # Written aside and renamed, so nginx never sends half a page while a deploy writes the next release's.
        aside = path.with_suffix(path.suffix + ".new")
        aside.write_text(content, encoding="utf-8")
        aside.replace(path)
        written.append(path)
    return written
