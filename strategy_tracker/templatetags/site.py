"""The frame every page shares: navigation, footer, and what search engines and link previews read."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Name of the URL pattern → the main menu entry it belongs to.
_SECTIONS = {
    "overview": "overview",
    "strategy_detail": "overview",
    "versions": "overview",
    "compare": "compare",
    "initiative_list": "initiatives",
    "initiative_detail": "initiatives",
    "api_index": "api",
}
_MENU = [
    ("overview", "overview", _("Overview")),
    ("compare", "compare", _("Compare")),
    ("initiatives", "initiative_list", _("Initiatives")),
    ("api", "api_index", _("Open data")),
]


@register.simple_tag(takes_context=True)
def main_menu(context) -> list[dict]:
    from django.urls import reverse

    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    current = _SECTIONS.get(match.url_name if match else None)
    return [
        {"url": reverse(url_name), "label": label, "active": section == current} for section, url_name, label in _MENU
    ]


def absolute(request, path: str) -> str:
    """A path of this site as a full address; without a request (a 500 page), the path alone."""
    return request.build_absolute_uri(path) if request is not None else path


@register.inclusion_tag("_page_links.html", takes_context=True)
def page_links(context, title="", description=""):
    """The canonical address, the same page in each language, and the tags of a link preview (Open Graph)."""
    request = context.get("request")
    path = request.path if request is not None else ""
    return {
        "has_request": request is not None,
        "canonical": absolute(request, path),
        "alternates": [
            {"code": code, "url": absolute(request, translate_url(path, code))} for code, _name in settings.LANGUAGES
        ],
        "default_url": absolute(request, translate_url(path, settings.LANGUAGE_CODE)),
        "title": title,
        "description": description,
        "image": absolute(request, static("og-image.png")),
        "locale": {"da": "da_DK", "en": "en_GB"}.get(get_language(), "da_DK"),
    }


@register.simple_tag
def site_setting(name: str):
    """Who runs the site and under what terms its data may be used (settings SITE_OWNER, DATA_LICENCE, …)."""
    return getattr(settings, name)


@register.simple_tag(takes_context=True)
def block_text(context, name: str) -> str:
    """A block of the page as plain text, to say its title and description again in the head's meta tags.

    Django renders a block once where it stands; this renders the most derived one again, tags stripped.
    """
    block_context = context.render_context.get(BLOCK_CONTEXT_KEY)
    block = block_context.get_block(name) if block_context is not None else None
    if block is None:
        return ""
    with context.push():
        return " ".join(strip_tags(block.nodelist.render(context)).split())


_WIDGET_CLASSES = {"select": "form-select", "selectmultiple": "form-select", "textarea": "form-input"}
_INPUT_TYPES = {"text", "number", "search", "email", "password", "url", "date", "tel"}


@register.filter
def dkfds(field):
    """A form field's widget with Det Fælles Designsystem's class for its kind (form-input, form-select)."""
    widget = field.field.widget
    kind = type(widget).__name__.lower()
    css = _WIDGET_CLASSES.get(kind)
    if css is None and getattr(widget, "input_type", None) in _INPUT_TYPES:
        css = "form-input"
    if css is None:
        return field.as_widget()
    attrs = {"class": " ".join(filter(None, [widget.attrs.get("class"), css]))}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.filter
def is_choice_group(field) -> bool:
    """Whether the field is a group of checkboxes or radio buttons, which a fieldset and its legend name."""
    return getattr(field.field.widget, "input_type", None) in ("checkbox", "radio") and hasattr(field.field, "choices")


@register.filter
def json_ld(data: dict) -> str:
    """Structured data for search engines: a data block the browser never runs (CSP does not apply to it), escaped
    as json_script escapes, so no text in it can close the element."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
