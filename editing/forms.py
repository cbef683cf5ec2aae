"""Reading the posted grid: which cells the editor changed, and what they wrote."""

import re

from budgets.cells import ParsedCell, parse_cell
from budgets.models import Allocation, BudgetLine
from editing.services import CellEdit, GridError


def cell_name(line_id: int, year: int) -> str:
    """The grid input of one cell; CELL_NAME reads it back."""
    return f"c-{line_id}-{year}"


def _as_shown(shown: str | None, cell) -> ParsedCell | None:
    """What the editor saw in the cell when the grid was drawn; the stored cell if the form does not say."""
    try:
        return ParsedCell.of(cell) if shown is None else parse_cell(shown)
    except ValueError:
        return ParsedCell.of(cell)


CELL_NAME = re.compile(r"^c-(\d+)-(\d+)$")


def grid_edits(post, strategy) -> list[CellEdit]:
    """The edits in a posted grid, in the table's order; a GridError names every cell that cannot be read.

    Only the posted cells are read from the database (the grid's script posts only the changed ones), so a
    save costs the same in a strategy of 5.000 lines as in one of fifty. Cells of other strategies or years
    outside the period are not part of this grid and are ignored.
    """
    posted = {}
    for name in post:
        match = CELL_NAME.match(name)
        if match and int(match.group(2)) in strategy.years:
            posted[(int(match.group(1)), int(match.group(2)))] = name
    lines = {
        pk: (chapter is None, chapter or 0, position)
        for pk, chapter, position in BudgetLine.objects.for_strategy(strategy)
        .filter(pk__in={line_id for line_id, _ in posted})
        .values_list("pk", "chapter__number", "position")
    }
    stored = {
        (cell.line_id, cell.year): cell
        for cell in Allocation.objects.filter(line_id__in=lines, year__in={year for _, year in posted})
    }
    edits, errors = [], {}
    for line_id, year in sorted((key for key in posted if key[0] in lines), key=lambda key: (lines[key[0]], key[1])):
        typed = post[posted[(line_id, year)]]
        try:
            parsed = parse_cell(typed)
        except ValueError as error:
            errors[(line_id, year)] = str(error)
            continue
        if parsed == _as_shown(post.get(f"o-{line_id}-{year}"), stored.get((line_id, year))):
            continue
        version = post.get(f"v-{line_id}-{year}", "")
        edits.append(CellEdit(line_id, year, parsed, int(version) if version.isdigit() else None))
    if errors:
        raise GridError(errors)
    return edits
