import re

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

DOCUMENT = re.compile(r"\b[\w-]+\.(?:txt|md)\b")


@register.filter
def linked_sources(text: str) -> str:
    """A source reference with each document name linked to the document itself."""
    escaped = escape(text)
    return mark_safe(
        DOCUMENT.sub(
            lambda match: format_html(
                '<a href="{}">{}</a>', reverse("source_document", args=[match.group(0)]), match.group(0)
            ),
            escaped,
        )
    )
