import json
import re

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from publication.editions import for_request
from publication.templatetags.publication import published_date

register = template.Library()

DOCUMENT = re.compile(r"\b[\w-]+\.(?:txt|md)\b")
# A web address in a source: up to the first space, without the punctuation that ends the sentence around it.
ADDRESS = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:)]")
SOURCE_PART = re.compile(f"({ADDRESS.pattern})|({DOCUMENT.pattern})")


@register.filter
def linked_sources(text: str) -> str:
    """A source reference with each document name linked to the document itself and each web address to itself."""
    parts, end = [], 0
    for match in SOURCE_PART.finditer(text):
        parts.append(escape(text[end : match.start()]))
        if match.group(1):
            parts.append(format_html('<a href="{}" rel="noopener">{}</a>', match.group(1), match.group(1)))
        else:
            parts.append(
                format_html('<a href="{}">{}</a>', reverse("source_document", args=[match.group(2)]), match.group(2))
            )
        end = match.end()
    parts.append(escape(text[end:]))
    return mark_safe("".join(parts))


@register.filter
def chart_data(figure: dict, element_id: str) -> str:
    """A chart's figure as Django's json_script writes it, without the spaces after separators.

    json_script escapes with str.translate, which reads a dict per character: 50 ms for the megabyte of a
    comparison of a thousand chapters. Three replaces escape the same characters in a tenth of that.
    """
    text = json.dumps(figure, cls=DjangoJSONEncoder, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003C").replace(">", "\\u003E")
    return format_html('<script id="{}" type="application/json">{}</script>', element_id, mark_safe(text))


def _versions(edition, strategies) -> str:
    draft, version = _("%(strategy)s, draft"), _("%(strategy)s, version %(number)s, %(date)s")
    # Each day is written out once: a thousand strategies' versions, published on a few days, took 60 ms of a page.
    dates, zone = {}, timezone.get_current_timezone()
    parts = []
    for strategy in strategies:
        publication = edition.publication(strategy) if not edition.is_draft else None
        if publication is None:
            parts.append(draft % {"strategy": str(strategy)})
        else:
            day = (publication.published_at.astimezone(zone).date(), publication.precision)
            if day not in dates:
                dates[day] = published_date(publication)
            parts.append(version % {"strategy": str(strategy), "number": publication.number, "date": dates[day]})
    return "; ".join(parts)


@register.simple_tag(takes_context=True)
def share_links(context, embed_path: str = "") -> dict:
    """What the "Share / embed" box offers for the page: its address, a citation naming the versions of the
    figures it shows with their dates, and an iframe of the chart's /embed/ page (``embed_path``), whose query is
    the page's own (a comparison's selection)."""
    request = context["request"]
    edition = for_request(request)
    strategy = context.get("strategy")
    # A page that has read the reader's strategies already (the compare page's choice of them) hands them over.
    strategies = [strategy] if strategy is not None else context.get("strategies") or list(edition.strategies())
    permalink = request.build_absolute_uri(request.get_full_path())
    citation = _("Source: Strategy Tracker (%(owner)s), %(versions)s. %(address)s") % {
        "owner": settings.SITE_OWNER,
        "versions": _versions(edition, strategies),
        "address": permalink,
    }
    iframe = ""
    if embed_path:
        query = request.GET.urlencode()
        source = request.build_absolute_uri(embed_path + (f"?{query}" if query else ""))
        # Plain text, escaped here for its attributes and again by the page that shows it to be copied.
        iframe = '<iframe src="{}" title="{}" width="100%" height="520" style="border:0" loading="lazy"></iframe>'
        iframe = iframe.format(escape(source), escape(_("Chart from Strategy Tracker")))
    return {"permalink": permalink, "citation": citation, "iframe": iframe}
