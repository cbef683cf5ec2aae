"""One cell of a budget table as a person writes it: the shipped fixtures and the editing grid read alike."""

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from budgets.models import Allocation, CellKind
from budgets.numbers import format_amount, parse_amount
from budgets.text import has_control_characters

EMPTY_MARKS = {"", "-", "–"}
UNKNOWN_WORDS = {"ukendt", "unknown"}
# Every text cell of the sources says the money is financed elsewhere ("Er finansieret", ...).
FINANCED_WORDS = ("finansieret", "financed")
CORRECTION_WORDS = ("korrektion", "correction")
_LEADING_AMOUNT = re.compile(r"^([\d-]\S*)(?:\s+(.*))?$")
_MARKERS = re.compile(r"(\*+)$")
TEXT_LENGTH = Allocation._meta.get_field("text").max_length


@dataclass(frozen=True)
class ParsedCell:
    kind: str
    amount: Decimal | None = None
    text: str = ""
    correction: bool = False

    @classmethod
    def of(cls, cell: Allocation | None) -> "ParsedCell | None":
        """A stored cell as parse_cell would read it back."""
        if cell is None:
            return None
        return cls(cell.kind, cell.amount, cell.text, cell.is_correction)


@dataclass(frozen=True, slots=True)
class StoredCell:
    """A stored cell as the budget table and the grid show it, read as plain values.

    Building ten thousand Allocation instances for a strategy of 1.000 lines costs more than drawing them.
    """

    pk: int
    line_id: int
    year: int
    kind: str
    amount: Decimal | None
    text: str
    is_correction: bool
    version: int

    FIELDS = ("pk", "line_id", "year", "kind", "amount", "text", "is_correction", "version")

    @classmethod
    def by_line(cls, allocations) -> defaultdict:
        """Line id → year → the cell, for the allocations of a queryset, read as plain values in no order."""
        cells = defaultdict(dict)
        for values in allocations.order_by().values_list(*cls.FIELDS):
            cell = cls(*values)
            cells[cell.line_id][cell.year] = cell
        return cells


def split_markers(text: str) -> tuple[str, str]:
    """``"100**"`` → ``("100", "**")``: footnote markers as the tables print them."""
    match = _MARKERS.search(text.strip())
    if not match:
        return text.strip(), ""
    return text.strip()[: match.start()].strip(), match.group(1)


def parse_cell(text: str) -> ParsedCell | None:
    """Read a cell: None for blank or a dash (nothing allocated), else an amount (perhaps with a remark),
    unknown, or a text saying the money is financed elsewhere. ValueError with a message otherwise."""
    text = text.strip()
    if has_control_characters(text):
        raise ValueError(_("The cell holds an invisible control character; type it again."))
    cell = _read_cell(text)
    if cell is not None and len(cell.text) > TEXT_LENGTH:
        raise ValueError(_("A cell's text may be at most %(length)d characters.") % {"length": TEXT_LENGTH})
    return cell


def _read_cell(text: str) -> ParsedCell | None:
    if text in EMPTY_MARKS:
        return None
    if text.lower() in UNKNOWN_WORDS:
        return ParsedCell(CellKind.UNKNOWN)
    match = _LEADING_AMOUNT.match(text)
    if match:
        number, remark = match.group(1), (match.group(2) or "").strip()
        if number.startswith("-"):
            if not any(word in remark.lower() for word in CORRECTION_WORDS):
                raise ValueError(_("Only a correction may be negative: write it like “-1,0 korrektion”."))
            return ParsedCell(CellKind.AMOUNT, -parse_amount(number[1:]), remark, correction=True)
        return ParsedCell(CellKind.AMOUNT, parse_amount(number), remark)
    if any(word in text.lower() for word in FINANCED_WORDS):
        return ParsedCell(CellKind.FINANCED_ELSEWHERE, text=text)
    raise ValueError(
        _("“%(text)s” is neither an amount, “ukendt” nor a text saying the money is financed elsewhere.")
        % {"text": text}
    )


def format_cell(cell: Allocation | ParsedCell | None) -> str:
    """The text that parse_cell reads back as the same cell, in the active language's notation."""
    if cell is None:
        return ""
    if cell.kind == CellKind.UNKNOWN:
        return _("unknown")
    if cell.kind == CellKind.FINANCED_ELSEWHERE:
        return cell.text
    return f"{format_amount(cell.amount)} {cell.text}".strip()
