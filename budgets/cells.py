"""One cell of a budget table as a person writes it: the grid, the workbook import, the admin and the shipped
fixtures all read cells with parse_cell.

A cell holds exactly one of: an amount, "ukendt", a text saying the money is financed elsewhere, or nothing. A
remark beside an amount ("Øvrig 5 er finansieret") and the mark that a negative amount is a correction are given
apart from the cell's text, never read out of it: "1,1 2,2" pasted into one cell is refused, not saved as 1,1 with
the remark "2,2".
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from budgets.models import MAXIMUM_AMOUNT, Allocation, CellKind
from budgets.numbers import ONE_DECIMAL, amount_formatter, format_amount, parse_amount
from budgets.text import has_control_characters

EMPTY_MARKS = {"", "-", "–"}
UNKNOWN_WORDS = {"ukendt", "unknown"}
# Every text cell of the sources says the money is financed elsewhere ("Er finansieret", ...).
FINANCED_WORDS = ("finansieret", "financed")
# A leading minus, hyphen or the typographic minus sign (U+2212) that Word and LibreOffice write.
MINUS_SIGNS = ("-", "\u2212")
# What a number may begin with besides a digit: a text beginning so is read as an amount or refused, never as words.
NUMBER_STARTS = (*MINUS_SIGNS, "+", ".", ",")
_C1_AND_DELETE = re.compile(r"[\x7f-\x9f]")
_MARKERS = re.compile(r"(\*+)$")
# The fixtures' way to write a remark beside an amount: "0,5 [Øvrig 5 er finansieret]". Only the fixture loader
# reads it (fixture_cell); the grid, the import and the admin take a remark in a field of its own.
_FIXTURE_REMARK = re.compile(r"(?P<value>[^\[\]]*?)\s*\[(?P<remark>[^\[\]]*)\]")
TEXT_LENGTH = Allocation._meta.get_field("text").max_length
REMARK_LENGTH = Allocation._meta.get_field("remark").max_length


@dataclass(frozen=True)
class ParsedCell:
    kind: str
    amount: Decimal | None = None
    text: str = ""  # the words of a financed-elsewhere cell
    remark: str = ""  # a remark beside an amount
    correction: bool = False

    @classmethod
    def of(cls, cell) -> "ParsedCell | None":
        """A stored cell as parse_cell would read it back."""
        if cell is None:
            return None
        return cls(cell.kind, cell.amount, cell.text, cell.remark, cell.is_correction)


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
    remark: str
    is_correction: bool
    version: int

    FIELDS = ("pk", "line_id", "year", "kind", "amount", "text", "remark", "is_correction", "version")

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


def parse_cell(value: str, remark: str = "", *, correction: bool = False) -> ParsedCell | None:
    """Read a cell: None for blank or a dash (nothing allocated), else an amount, unknown, or a text saying the
    money is financed elsewhere; ``remark`` and ``correction`` come from fields of their own.

    Raises ValueError with a message for the user for anything it would otherwise have to guess: several numbers
    in one cell, a number followed by words, tabs or line breaks (a pasted block), a remark without words.
    """
    _refuse_invisible(value)
    _refuse_invisible(remark)
    value, remark = value.strip(), remark.strip()
    if value in EMPTY_MARKS:
        if remark or correction:
            raise ValueError(_("An empty cell takes no remark and is no correction."))
        return None
    if value.startswith(NUMBER_STARTS) or value[:1].isdecimal():
        return checked_cell(ParsedCell(CellKind.AMOUNT, _read_amount(value), remark=remark, correction=correction))
    if value.lower() in UNKNOWN_WORDS:
        return checked_cell(ParsedCell(CellKind.UNKNOWN, remark=remark, correction=correction))
    return checked_cell(ParsedCell(CellKind.FINANCED_ELSEWHERE, text=value, remark=remark, correction=correction))


def checked_cell(cell: ParsedCell | None) -> ParsedCell | None:
    """The cell if it keeps the rules of every cell, however it was read (typed, pasted, imported, put back from
    the history); ValueError with a message for the user otherwise. The database holds the same rules again."""
    if cell is None:
        return None
    for text in (cell.text, cell.remark):
        _refuse_invisible(text)
    if cell.kind == CellKind.AMOUNT:
        _check_amount(cell)
    elif cell.remark or cell.correction:
        raise ValueError(_("Only an amount takes a remark or is a correction; this cell holds no amount."))
    elif cell.kind == CellKind.FINANCED_ELSEWHERE and not any(word in cell.text.lower() for word in FINANCED_WORDS):
        raise ValueError(
            _("“%(text)s” is neither an amount, “ukendt” nor a text saying the money is financed elsewhere.")
            % {"text": cell.text}
        )
    elif cell.kind == CellKind.FINANCED_ELSEWHERE and cell.text[:1].isdecimal():
        raise ValueError(
            _("“%(text)s” begins with a number: write the amount in the cell and the words in its remark.")
            % {"text": cell.text}
        )
    if len(cell.text) > TEXT_LENGTH:
        raise ValueError(_("A cell's text may be at most %(length)d characters.") % {"length": TEXT_LENGTH})
    return cell


def _check_amount(cell: ParsedCell) -> None:
    if cell.amount < 0 and not cell.correction:
        raise ValueError(
            _("Only a correction may be negative: mark the cell as a correction in its note, then write %(amount)s.")
            % {"amount": format_amount(cell.amount)}
        )
    if abs(cell.amount) > MAXIMUM_AMOUNT:
        raise ValueError(
            _("%(amount)s mio. kr. is more than any budget line holds (at most 10.000).")
            % {"amount": format_amount(cell.amount)}
        )
    if cell.amount != cell.amount.quantize(ONE_DECIMAL):
        raise ValueError(_("Amounts are in mio. kr. with one decimal."))
    if cell.text:
        raise ValueError(_("A cell with an amount holds no other text; write it in the cell's remark."))
    if cell.remark and not any(character.isalpha() for character in cell.remark):
        raise ValueError(_("The remark “%(remark)s” says nothing in words.") % {"remark": cell.remark})
    if len(cell.remark) > REMARK_LENGTH:
        raise ValueError(_("A remark may be at most %(length)d characters.") % {"length": REMARK_LENGTH})


def _refuse_invisible(text: str) -> None:
    """Refuse what no reader sees, before anything is stripped: tabs and line breaks (a block pasted into one
    cell), control characters (C1 too: str.strip() would quietly take U+0085 off the end)."""
    if "\t" in text or "\n" in text or "\r" in text:
        raise ValueError(
            _(
                "The cell holds a tab or a line break, as a block copied from a spreadsheet does: paste the block "
                "into the grid from its first cell, and each value lands in a cell of its own."
            )
        )
    if has_control_characters(text) or _C1_AND_DELETE.search(text):
        raise ValueError(_("The cell holds an invisible control character; type it again."))


def _read_amount(text: str) -> Decimal:
    """A signed amount; a number followed by anything is refused, whatever follows."""
    negative = text.startswith(MINUS_SIGNS)
    digits = text[1:].lstrip() if negative else text
    try:
        amount = parse_amount(digits)
    except ValueError:
        parts = digits.split()
        if len(parts) > 1 and all(_is_amount(part) for part in parts):
            raise ValueError(
                _("“%(text)s” holds several numbers; a cell holds one. A block pasted into the grid fills a cell each.")
                % {"text": text}
            ) from None
        if len(parts) > 1 and _is_amount(parts[0]):
            raise ValueError(
                _("“%(text)s” is a number followed by words: write the amount in the cell and the words in its remark.")
                % {"text": text}
            ) from None
        raise
    return -amount if negative else amount


def _is_amount(text: str) -> bool:
    try:
        parse_amount(text)
    except ValueError:
        return False
    return True


def fixture_cell(text: str) -> ParsedCell | None:
    """A cell of a fixture file: the cell as parse_cell reads it, with a remark written in brackets after it."""
    match = _FIXTURE_REMARK.fullmatch(text.strip())
    if match:
        return parse_cell(match["value"], match["remark"])
    return parse_cell(text)


def format_value(cell) -> str:
    """The cell's text without its remark, which parse_cell reads back as the same kind and amount, in the active
    language's notation: what the grid's input and the workbook's cell show."""
    return value_formatter()(cell)


def value_formatter():
    """``format_value`` for the active language, its words and separators looked up once: the grid of a 5.000-line
    strategy shows 50.000 cells, and looking the language up for each took a third of its time."""
    write_amount, unknown = amount_formatter(), _("unknown")

    def formatter(cell) -> str:
        if cell is None:
            return ""
        if cell.kind == CellKind.UNKNOWN:
            return unknown
        if cell.kind == CellKind.FINANCED_ELSEWHERE:
            return cell.text
        return write_amount(cell.amount)

    return formatter


def format_cell(cell) -> str:
    """The whole cell for a reader: its value, and its remark in brackets, as the fixtures write it."""
    value = format_value(cell)
    if cell is not None and cell.remark:
        return f"{value} [{cell.remark}]"
    return value
