"""How stored amounts, sums and cells read on a page and in a CSV file."""

from decimal import Decimal

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from budgets.cells import ParsedCell, StoredCell
from budgets.models import Allocation, BaselineCell, CellKind
from budgets.numbers import Figure, amount_formatter, format_amount

SORTS_LAST = Decimal("-1")


_words: dict = {}


def _in_words(language) -> dict:
    """The words of unknown and financed sums in a language, as HTML, made once: a page may show thousands."""
    words = _words.get(language)
    if words is None:
        words = _words[language] = {
            "unknown": format_html('<span class="unknown">{}</span>', _("unknown")),
            "financed": format_html('<span class="cell-text">{}</span>', _("financed elsewhere")),
            "plus unknown": format_html(' <span class="unknown">{}</span>', _("+ unknown")),
            "at least": _("at least %(amount)s"),
        }
    return words


def at_least_text(amount_text: str) -> str:
    """A sum that includes unknown cells, in words: “mindst 70,0 + ukendt”. It is at least what its known cells add
    up to, and never shown as that alone."""
    return f"{_('at least %(amount)s') % {'amount': amount_text}} {_('+ unknown')}"


def figure_text(figure: Figure, write_amount=None) -> str:
    """A sum as plain text, as the pages show it, its amount written by ``write_amount``: in the reader's notation
    (hover labels, messages) unless given, str for a CSV file."""
    write_amount = write_amount or format_amount
    if figure.unknown and not figure.amount:
        return _("unknown")
    if figure.unknown:
        return at_least_text(write_amount(figure.amount))
    if figure.financed and not figure.amount:
        return _("financed elsewhere")
    return write_amount(figure.amount)


def amount_html(value):
    """An amount, a sum or a cell in the reader's notation; unknown and text cells say so in words.

    What it returns is safe HTML: the words are escaped, and an amount is digits and separators.
    """
    return amount_html_formatter()(value)


_html_formatters: dict = {}


def amount_html_formatter():
    """``amount_html`` for the active language, its words and separators looked up once, for a table's cells."""
    language = get_language()
    formatter = _html_formatters.get(language)
    if formatter is None:
        formatter = _html_formatters[language] = _html_formatter(_in_words(language), amount_formatter(language))
    return formatter


def _html_formatter(words: dict, format_amount):
    def formatter(value):
        if value is None or value == "":
            return ""
        if isinstance(value, Figure):
            if value.unknown and not value.amount:
                return words["unknown"]
            if value.financed and not value.amount:
                return words["financed"]
            if value.unknown:
                return mark_safe(
                    conditional_escape(words["at least"] % {"amount": format_amount(value.amount)})
                    + words["plus unknown"]
                )
            return format_amount(value.amount)
        if isinstance(value, Allocation | StoredCell | ParsedCell | BaselineCell):
            if value.kind == CellKind.UNKNOWN:
                return words["unknown"]
            if value.kind == CellKind.FINANCED_ELSEWHERE:
                return format_html('<span class="cell-text">{}</span>', value.text)
            if value.remark:
                return format_html('{} <span class="cell-text">{}</span>', format_amount(value.amount), value.remark)
            return format_amount(value.amount)
        return format_amount(Decimal(value))

    return formatter


def amount_text(value) -> str:
    """The same value for a CSV file: a plain decimal number, or the words a reader would see."""
    if value is None or value == "":
        return ""
    if isinstance(value, Figure):
        return figure_text(value, str)
    if isinstance(value, Allocation | StoredCell | ParsedCell | BaselineCell):
        if value.kind == CellKind.AMOUNT:
            return f"{value.amount} {value.remark}" if value.remark else str(value.amount)
        return value.text or _("unknown")
    return str(value)


def sort_key(value) -> Decimal:
    """Unknown and text cells sort below every amount."""
    if isinstance(value, Figure):
        return value.amount if value.is_complete else SORTS_LAST
    if isinstance(value, Allocation | StoredCell | ParsedCell | BaselineCell):
        return value.amount if value.kind == CellKind.AMOUNT else SORTS_LAST
    return SORTS_LAST if value is None else Decimal(value)
