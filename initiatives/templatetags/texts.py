"""{{ strategy|tr:"title" }}: a stored text in the reader's language (initiatives.english)."""

from django import template
from django.utils.safestring import mark_safe

from initiatives.english import translated, translated_html

register = template.Library()


@register.filter
def tr(obj, field: str) -> str:
    """As HTML: on an English page, a text that has no English is shown in Danish, marked lang="da"."""
    return mark_safe(translated_html(obj, field))


@register.filter
def tr_text(obj, field: str) -> str:
    """As plain text, for titles, attributes and charts."""
    return translated(obj, field)
