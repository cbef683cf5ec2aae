from urllib.parse import urlencode

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from budgets.display import amount_html
from budgets.models import CellKind
from publication.editions import PUBLIC_VIEW, sees_drafts
from publication.models import DatePrecision, Publication
from publication.permissions import can_publish
from publication.services import unpublished_changes
from tracking.publishing import unpublished as unpublished_tracking

register = template.Library()

_FORMATS = {DatePrecision.DAY: "j. F Y", DatePrecision.MONTH: "F Y", DatePrecision.YEAR: "Y"}


@register.filter
def published_date(publication) -> str:
    """The day a version became public, or only its month or year where no more is known (the sources')."""
    return date_format(timezone.localtime(publication.published_at), _FORMATS[publication.precision])


@register.filter
def change(difference):
    """A cell's change in mio. kr. with its sign; unknown where either side is unknown, never a number."""
    if difference.change is not None:
        text = amount_html(difference.change)
        return format_html("+{}", text) if difference.change > 0 else text
    if any(cell is not None and cell.kind == CellKind.UNKNOWN for cell in (difference.old, difference.new)):
        return format_html('<span class="unknown">{}</span>', _("unknown"))
    return "–"


def _switch(request, public: bool) -> str:
    query = request.GET.copy()
    query.pop("view", None)
    if public:
        query["view"] = PUBLIC_VIEW
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


@register.inclusion_tag("publication/_edition_banner.html", takes_context=True)
def edition_banner(context):
    """For staff on a page of figures: whether it shows the draft or what the public sees, and the switch."""
    request = context.get("request")
    edition = getattr(request, "_edition", None) if request else None
    if edition is None or not sees_drafts(request.user):
        return {"show": False}
    strategy = context.get("strategy")
    return {
        "show": True,
        "edition": edition,
        "strategy": strategy,
        "unpublished": unpublished_changes(strategy) if strategy is not None and edition.is_draft else None,
        "tracking_unpublished": unpublished_tracking(strategy) if strategy is not None and edition.is_draft else 0,
        "switch": _switch(request, public=edition.is_draft),
        "can_publish": strategy is not None and can_publish(request.user, strategy),
    }


@register.inclusion_tag("publication/_published_line.html", takes_context=True)
def published_line(context, strategy):
    """ "Offentliggjort 12. december 2026 (version 3)" with a link to the versions, for the version the page shows."""
    request = context["request"]
    edition = getattr(request, "_edition", None)
    if edition is None:
        return {"publication": None}
    if edition.is_draft:  # staff: the version the public sees beside the draft they see
        public = Publication.objects.for_strategy(strategy).public(edition.at).order_by("-number").first()
        return {"strategy": strategy, "publication": public, "beside_the_draft": True}
    return {"strategy": strategy, "publication": edition.publication(strategy)}


@register.simple_tag
def query(**values) -> str:
    return urlencode({name: value for name, value in values.items() if value not in (None, "")})
