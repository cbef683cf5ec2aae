"""Reading the posted grid: which cells the editor changed, and what they wrote.

Each cell of the grid posts up to five fields, named after its line and year (``c-12-2022``):

- ``c``: the cell as typed (an amount, "ukendt", a text saying the money is financed elsewhere, or nothing);
- ``r``: its remark and ``k``: "1" when it is a correction, each only where the cell has one;
- ``o``: the cell as the grid showed it, the value, and where the cell had a remark or was a correction, a tab,
  the remark, a tab and "1" for a correction (tabs, because no value or remark may hold one);
- ``v``: the version of the cell the grid showed, empty for a blank cell.
"""

import re

from django.utils.translation import gettext as _

from budgets.cells import ParsedCell, format_value, parse_cell
from budgets.models import Allocation, BudgetLine
from editing.services import CellEdit, GridError

# Every field the grid writes for a cell: its kind of field, the line id and the year, in ASCII digits only
# (Python's \d takes "١٢٣" too), of a length a database key and a year can have.
CELL_FIELD = re.compile(r"([covrk])-([0-9]{1,18})-([0-9]{4})", re.ASCII)
VERSION = re.compile(r"[0-9]{1,9}", re.ASCII)
FIELD_SHOWN = 40  # characters of a malformed field's name quoted back


def cell_name(line_id: int, year: int, field: str = "c") -> str:
    """The name of one field of one cell in the grid; CELL_FIELD reads it back."""
    return f"{field}-{line_id}-{year}"


def shown_field(cell, value: str | None = None) -> str:
    """What the ``o`` field carries: the cell as the grid shows it, remark and correction included; ``value``, the
    cell's format_value when the caller has it already."""
    value = format_value(cell) if value is None else value
    if cell is not None and (cell.remark or cell.is_correction):
        return f"{value}\t{cell.remark}\t{'1' if cell.is_correction else ''}"
    return value


def _as_shown(shown: str | None, cell) -> ParsedCell | None:
    """What the editor saw in the cell when the grid was drawn; the stored cell if the form does not say."""
    if shown is None:
        return ParsedCell.of(cell)
    value, _tab, rest = shown.partition("\t")
    remark, _tab, correction = rest.partition("\t")
    try:
        return parse_cell(value, remark, correction=correction == "1")
    except ValueError:
        return ParsedCell.of(cell)


def _posted_cells(post, strategy) -> dict[tuple[int, int], dict]:
    """(line id, year) → the fields posted for that cell, by kind; a GridError for any field the grid does not
    write, so a forged or mangled form is refused with a message rather than read in part."""
    cells, page = {}, []
    for name in post:
        if name[:2] not in ("c-", "o-", "v-", "r-", "k-"):
            continue
        match = CELL_FIELD.fullmatch(name)
        if match is None:
            page.append(
                _("The form holds a field the grid does not write, “%(name)s”. Reload the page and type again.")
                % {"name": name[:FIELD_SHOWN]}
            )
            continue
        kind, line_id, year = match[1], int(match[2]), int(match[3])
        if year not in strategy.years:
            page.append(
                _("%(year)s is outside the strategy's period %(first)s–%(last)s.")
                % {"year": year, "first": strategy.first_year, "last": strategy.last_year}
            )
            continue
        cells.setdefault((line_id, year), {})[kind] = post[name]
    if page:
        raise GridError(page=sorted(set(page)))
    return {key: fields for key, fields in cells.items() if "c" in fields}


def grid_edits(post, strategy) -> list[CellEdit]:
    """The edits in a posted grid, in the table's order; a GridError names every cell that cannot be read.

    Only the posted cells are read from the database (the grid's script posts only the changed ones), so a
    save costs the same in a strategy of 5.000 lines as in one of fifty.
    """
    posted = _posted_cells(post, strategy)
    lines = {
        pk: (chapter is None, chapter or 0, position)
        for pk, chapter, position in BudgetLine.objects.for_strategy(strategy)
        .filter(pk__in={line_id for line_id, _year in posted})
        .values_list("pk", "chapter__number", "position")
    }
    if {line_id for line_id, _year in posted} - set(lines):
        raise GridError(page=[_("A row that is not in the grid of %(strategy)s was sent.") % {"strategy": strategy}])
    stored = {
        (cell.line_id, cell.year): cell
        for cell in Allocation.objects.filter(line_id__in=lines, year__in={year for _line, year in posted})
    }
    edits, errors, page = [], {}, []
    for key in sorted(posted, key=lambda key: (lines[key[0]], key[1])):
        fields = posted[key]
        try:
            parsed = parse_cell(fields["c"], fields.get("r", ""), correction=fields.get("k") in ("1", "on"))
        except ValueError as error:
            errors[key] = str(error)
            continue
        if parsed == _as_shown(fields.get("o"), stored.get(key)):
            continue
        version = fields.get("v", "")
        if version and not VERSION.fullmatch(version):
            page.append(_("The grid's record of which version of a cell you saw is unreadable; reload the page."))
            continue
        edits.append(CellEdit(*key, parsed, int(version) if version else None))
    if errors or page:
        raise GridError(errors, sorted(set(page)))
    return edits
