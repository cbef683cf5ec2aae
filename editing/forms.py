"""Reading the posted grid: which cells the editor changed, and what they wrote."""

from budgets.cells import ParsedCell, parse_cell
from editing.services import CellEdit, GridError


def cell_name(line_id: int, year: int) -> str:
    return f"c-{line_id}-{year}"


def _as_shown(shown: str | None, cell) -> ParsedCell | None:
    """What the editor saw in the cell when the grid was drawn; the stored cell if the form does not say."""
    try:
        return ParsedCell.of(cell) if shown is None else parse_cell(shown)
    except ValueError:
        return ParsedCell.of(cell)


def grid_edits(post, table) -> list[CellEdit]:
    """The edits in a posted grid; a GridError names every cell that cannot be read."""
    edits, errors = [], {}
    for row in table.rows:
        for year, cell in zip(table.years, row.cells, strict=True):
            name = cell_name(row.line.pk, year)
            if name not in post:
                continue
            typed = post[name]
            try:
                parsed = parse_cell(typed)
            except ValueError as error:
                errors[(row.line.pk, year)] = str(error)
                continue
            if parsed == _as_shown(post.get(f"o-{row.line.pk}-{year}"), cell):
                continue
            version = post.get(f"v-{row.line.pk}-{year}", "")
            edits.append(CellEdit(row.line.pk, year, parsed, int(version) if version.isdigit() else None))
    if errors:
        raise GridError(errors)
    return edits
