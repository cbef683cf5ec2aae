"""Texts kept in Danish and, where staff have translated them, in English (the fields ending in _en).

The English pages show the English text where there is one, and otherwise the Danish, marked lang="da" so that a
screen reader reads it as Danish. The Danish pages always show the Danish.
"""

import tomllib
from pathlib import Path

from django.utils.html import conditional_escape, format_html
from django.utils.translation import get_language


def english(obj, field: str) -> str:
    """The English text of ``field`` when English is being read and there is one, else ""."""
    return getattr(obj, f"{field}_en", "") if get_language() == "en" else ""


def translated(obj, field: str) -> str:
    """``field`` in the reader's language where there is a translation, else in Danish: for plain text."""
    return english(obj, field) or getattr(obj, field)


def translated_html(obj, field: str) -> str:
    """The same as HTML: a Danish text on an English page is marked as Danish."""
    text = english(obj, field)
    if text:
        return conditional_escape(text)
    danish = getattr(obj, field)
    if get_language() != "da" and danish:
        return format_html('<span lang="da">{}</span>', danish)
    return conditional_escape(danish)


def load_english_texts(path: Path) -> None:
    """Fill the English fields from a file such as fixtures/english.toml, for the strategies it names."""
    from budgets.models import Footnote, FundingFrame
    from initiatives.models import Chapter, Strategy

    texts = tomllib.loads(path.read_text(encoding="utf-8"))
    for slug, entry in texts.items():
        strategy = Strategy.objects.filter(slug=slug).first()
        if strategy is None:
            continue
        fields = {
            f"{field}_en": entry[field]
            for field in ("title", "short_title", "description", "price_basis")
            if field in entry
        }
        Strategy.objects.filter(pk=strategy.pk).update(**fields)
        for number, title in entry.get("chapters", {}).items():
            Chapter.objects.filter(strategy=strategy, number=int(number)).update(title_en=title)
        for name, frame in entry.get("frames", {}).items():
            FundingFrame.objects.filter(strategy=strategy, name=name).update(
                name_en=frame["name"], note_en=frame.get("note", "")
            )
        for marker, text in entry.get("footnotes", {}).items():
            Footnote.objects.filter(strategy=strategy, marker=marker).update(text_en=text)
