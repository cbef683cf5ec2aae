"""Amounts in mio. kr.: read as people type them, written in the reader's notation."""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

ONE_DECIMAL = Decimal("0.1")
ZERO = Decimal("0.0")
# Amounts are stored with at most 9 digits, one of them a decimal: below 100 million mio. kr.
MAXIMUM_DIGITS = 8
# Digits are ASCII digits only (re.ASCII): Python's \d also takes "١٢٣", which no reader of a page would see as 123.
_DANISH_GROUPED = re.compile(r"\d{1,3}(\.\d{3})+(,\d+)?", re.ASCII)
_ENGLISH_GROUPED = re.compile(r"\d{1,3}(,\d{3})+\.\d+", re.ASCII)
# "1 234,5" and "2 000": a space, a no-break space or a narrow no-break space between groups of three digits,
# as Danish typography, LibreOffice and Excel write thousands. Any other space parts two numbers.
_SPACE_GROUPED = re.compile(r"\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?", re.ASCII)
_PLAIN = re.compile(r"\d+([.,]\d+)?", re.ASCII)


def parse_amount(text: str) -> Decimal:
    """Read an amount typed in Danish (``1.234,5``, ``16,8``, ``1 234,5``) or English (``1,234.5``, ``16.8``)
    notation.

    Raises ValueError with a message for the user when the text is no amount of mio. kr. with at most one
    decimal. Nothing is dropped to make a text fit: ``1 2`` is no amount, not 12.
    """
    cleaned = text.strip()
    if _DANISH_GROUPED.fullmatch(cleaned):
        normalised = cleaned.replace(".", "").replace(",", ".")
    elif _ENGLISH_GROUPED.fullmatch(cleaned):
        normalised = cleaned.replace(",", "")
    elif _SPACE_GROUPED.fullmatch(cleaned):
        normalised = re.sub(r"[ \u00a0\u202f]", "", cleaned).replace(",", ".")
    elif _PLAIN.fullmatch(cleaned):
        normalised = cleaned.replace(",", ".")
    else:
        raise ValueError(_("“%(text)s” is not an amount. Write it like 16,8 or 1.234,5.") % {"text": text})
    value = Decimal(normalised)
    if value.adjusted() >= MAXIMUM_DIGITS:
        # More digits than any amount column holds (and than Decimal's context rounds without error).
        raise ValueError(_("“%(text)s” is too large to be an amount.") % {"text": text})
    if value != value.quantize(ONE_DECIMAL):
        raise ValueError(
            _("“%(text)s” has more than one decimal; amounts are in mio. kr. with one decimal.") % {"text": text}
        )
    return value.quantize(ONE_DECIMAL)


_formatters: dict = {}


def amount_formatter(language: str | None = None):
    """``format_amount`` for one language, its separators looked up once: a page formats thousands of amounts.

    Python's own formatting groups the digits; the language's separators are swapped in after. Django's
    number_format gives the same text (a property test holds them together) but looks everything up per call.
    """
    language = language or get_language()
    formatter = _formatters.get(language)
    if formatter is None:
        decimal_separator = formats.get_format("DECIMAL_SEPARATOR", lang=language)
        thousand_separator = formats.get_format("THOUSAND_SEPARATOR", lang=language)

        def formatter(value: Decimal) -> str:
            rounded = value.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
            if not rounded:
                rounded = ZERO  # no "-0,0"
            text = f"{rounded:,.1f}"  # always ends in ".d"
            return text[:-2].replace(",", thousand_separator) + decimal_separator + text[-1]

        _formatters[language] = formatter
    return formatter


def format_amount(value: Decimal) -> str:
    """One decimal, grouped, in the active language's notation: 1.234,5 in Danish, 1,234.5 in English."""
    return amount_formatter()(value)


@dataclass(frozen=True)
class Figure:
    """A sum of cells. ``unknown`` counts the cells whose amount nobody knows yet, ``financed`` those
    whose money comes from elsewhere; neither adds to the amount."""

    amount: Decimal = ZERO
    unknown: int = 0
    financed: int = 0

    @property
    def is_complete(self) -> bool:
        return self.unknown == 0

    def __add__(self, other: "Figure") -> "Figure":
        return Figure(self.amount + other.amount, self.unknown + other.unknown, self.financed + other.financed)

    @classmethod
    def of(cls, cell) -> "Figure":
        """What one cell adds to a sum: financed-elsewhere and blank cells add nothing."""
        if cell is None:
            return cls()
        if cell.amount is None:
            return cls(unknown=int(cell.kind == "unknown"), financed=int(cell.kind == "financed"))
        return cls(cell.amount)
