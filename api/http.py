"""What every open-data response shares: the reader's language, validators for caches, CORS by middleware."""

import functools
import hashlib

from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import condition
from drf_spectacular.utils import OpenApiParameter
from rest_framework import views
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError

from publication.state import figures_changed_at, figures_state, public_changed_at, public_state


def _asked(request) -> str:
    asked = "|".join(
        [
            settings.RELEASE,
            request.get_full_path(),
            request.headers.get("Accept", ""),
            translation.get_language() or "",
        ]
    )
    return hashlib.sha256(asked.encode()).hexdigest()[:16]


# The response is a function of what the public sees and of what was asked, so that is its validator: the figures'
# key for the budget's data, the dated key for the tracking's, which shows a milestone as late from a day with no write.
def _etag(request, *args, **kwargs) -> str:
    return f"{figures_state()}-{_asked(request)}"


def _dated_etag(request, *args, **kwargs) -> str:
    return f"{public_state()}-{_asked(request)}"


def open_data(view, dated: bool = False):
    """Answer in the language the client asks for (Accept-Language), and 304 when its copy is current.
    ``dated``: the answer also changes at midnight (it shows what is late)."""
    conditional = condition(
        etag_func=_dated_etag if dated else _etag,
        last_modified_func=lambda request, *args, **kwargs: public_changed_at() if dated else figures_changed_at(),
    )(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = conditional(request, *args, **kwargs)
        # The body's language, which LocaleMiddleware would otherwise say is the site's default.
        response["Content-Language"] = language
        if response.status_code >= 400:
            # Django's condition() validates any answer; an error is not the resource, and a client that sent its
            # ETag back would get 304 for a body it never had (a download's "being made" 503, say).
            del response["ETag"]
            del response["Last-Modified"]
        return response

    return wrapper


def safe_methods(view):
    """GET and HEAD only, as require_safe, but any other method gets the API's JSON 405 in the reader's language."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse(
                {"detail": str(MethodNotAllowed(request.method).detail)},
                status=405,
                json_dumps_params={"ensure_ascii": False},
            )
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        return view(request, *args, **kwargs)

    return wrapper


def exception_handler(exc, context):
    """Django's 404 says "No Strategy matches the given query." in English whatever the reader asked for; the API
    says "Not found." in the reader's language instead, as for every other error it reports."""
    if isinstance(exc, Http404):
        exc = NotFound()
    return views.exception_handler(exc, context)


AMOUNTS_AS_TEXT = "amounts_as_text"
AMOUNTS_PARAMETER = OpenApiParameter(
    "amounts",
    str,
    enum=["number", "string"],
    description="How amounts are written: JSON numbers with one decimal (`number`, the default) or decimal strings "
    "(`string`, for clients that read JSON numbers as binary floating point). An unknown amount is null either way.",
)


def amounts_as_text(request) -> bool:
    """Whether the client asked for amounts as decimal strings (?amounts=string)."""
    asked = request.GET.getlist("amounts")
    if asked in ([], ["number"]):
        return False
    if asked == ["string"]:
        return True
    raise ValidationError({"amounts": [_("Write ?amounts=number (the default) or ?amounts=string.")]})


class AmountsAsAsked:
    """A view whose serializers write amounts as the client asked (?amounts=)."""

    def get_serializer_context(self):
        return {**super().get_serializer_context(), AMOUNTS_AS_TEXT: amounts_as_text(self.request)}
