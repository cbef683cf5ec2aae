from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """The current page in each language: the language lives in the URL, so links can be shared."""
    request = context.get("request")
    if request is None:  # a 500 page, made without the request
        return []
    current = get_language()
    return [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(request.get_full_path(), code),
            "is_current": code == current,
        }
        for code, _ in settings.LANGUAGES
    ]
