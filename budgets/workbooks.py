"""Excel budget sheets laid out like the published tables, computing their own totals with formulas.

Written with openpyxl's write-only mode, so a large strategy streams to the file in flat memory.
"""

import io
import warnings
from collections import defaultdict
from datetime import UTC, datetime

from django.db.models import Count
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo

from budgets.cells import StoredCell, format_cell
from budgets.exports import AllocationExport
from budgets.models import BudgetLine, CellKind, FrameAmount, PublishedTotal
from budgets.text import without_control_characters
from publication.editions import Edition

BUDGET_SHEET = "Budget"
DATA_SHEET = "Data"
NOTES_SHEET = "Noter og kilder"
HEADER_ROW = 3
FIRST_YEAR_COLUMN = 4  # A: line id, B: number, C: title
NUMBER_FORMAT = "#,##0.0"
LINES_PER_CHUNK = 500  # lines whose cells are read at once: the whole strategy is never held in memory
# Text that a spreadsheet would read as a formula or a command if it came first in a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
BAND = PatternFill("solid", fgColor="EEF3F8")


def header(years) -> list[str]:
    return [_("Line id"), _("No."), _("Title"), *[str(year) for year in years], _("Total")]


class _Sheet:
    """Rows for one write-only sheet, with the styled-cell boilerplate in one place."""

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self.row_number = 0

    def plain(self, value):
        """A value without styling, as fast as write-only mode writes; only formula-like text is wrapped."""
        value = without_control_characters(value)
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            return self.text(value)
        return value

    def text(self, value, *, bold=False, band=False):
        # Stripped first, so that a control character cannot hide a leading "=" from the check below.
        value = without_control_characters(value)
        cell = WriteOnlyCell(self.worksheet, value=value)
        if isinstance(value, str):
            # A text cell stays text: Excel shows '=HYPERLINK(…)' in a title, never runs it.
            cell.data_type = "s"
            if value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True
        return self._style(cell, bold, band)

    def number(self, value, *, bold=False, band=False):
        cell = WriteOnlyCell(self.worksheet, value=value)
        cell.number_format = NUMBER_FORMAT
        return self._style(cell, bold, band)

    def formula(self, expression, *, bold=False, band=False):
        cell = WriteOnlyCell(self.worksheet, value=expression)
        cell.number_format = NUMBER_FORMAT
        return self._style(cell, bold, band)

    @staticmethod
    def _style(cell, bold, band):
        if bold:
            cell.font = BOLD
        if band:
            cell.fill = BAND
        return cell

    def append(self, cells):
        self.worksheet.append(cells)
        self.row_number += 1
        return self.row_number


def _cell(sheet: _Sheet, cell: StoredCell | None):
    if cell is None:
        return None
    if cell.kind == CellKind.UNKNOWN:
        blank = WriteOnlyCell(sheet.worksheet, value=None)
        blank.comment = Comment(_("unknown"), "Strategy Tracker")
        return blank
    if cell.kind == CellKind.FINANCED_ELSEWHERE:
        return sheet.text(cell.text)
    written = sheet.number(float(cell.amount))
    if cell.remark:
        written.comment = Comment(without_control_characters(cell.remark), "Strategy Tracker")
    return written


def _column(index: int) -> str:
    return get_column_letter(FIRST_YEAR_COLUMN + index)


def _sections(strategy, years, edition: Edition):
    """Each chapter (then the reserves) with its number of lines and its lines streamed in chunks, with the cells
    of ``edition``.

    Lines come with their cells but the whole strategy is never held in memory at once.
    """
    chapters = list(strategy.chapters.annotate(lines=Count("budget_lines")).order_by("number"))
    reserves = BudgetLine.objects.for_strategy(strategy).filter(chapter__isnull=True)
    groups = [(chapter, chapter.lines, BudgetLine.objects.filter(chapter=chapter)) for chapter in chapters]
    groups.append((None, reserves.count(), reserves))
    for chapter, count, lines in groups:
        if not count:
            continue

        def rows(lines=lines):
            heads = list(lines.order_by("position").values_list("pk", "title"))
            for start in range(0, len(heads), LINES_PER_CHUNK):
                chunk = heads[start : start + LINES_PER_CHUNK]
                ids = [pk for pk, _title in chunk]
                # Plain values, not model instances: the default orders of Allocation and Initiative would also
                # join every chunk's cells to their lines and strategies, and the instances cost more than the XML.
                cells = StoredCell.by_line(edition.cells_of(strategy).filter(line_id__in=ids))
                numbers = defaultdict(list)
                for line_id, number in (
                    BudgetLine.initiatives.through.objects.filter(budgetline_id__in=ids)
                    .order_by("initiative__position")
                    .values_list("budgetline_id", "initiative__number")
                ):
                    if number:
                        numbers[line_id].append(number)
                for pk, title in chunk:
                    yield pk, title, " + ".join(numbers[pk]), [cells[pk].get(year) for year in years]

        yield chapter, count, rows()


def write_budget_sheet(workbook, strategy, edition: Edition, name: str = BUDGET_SHEET) -> None:
    worksheet = workbook.create_sheet(name)
    years = list(strategy.years)
    last_column = get_column_letter(FIRST_YEAR_COLUMN + len(years) - 1)
    worksheet.freeze_panes = f"{_column(0)}{HEADER_ROW + 1}"
    for letter, width in (("A", 8), ("B", 8), ("C", 70)):
        worksheet.column_dimensions[letter].width = width
    for index in range(len(years) + 1):
        worksheet.column_dimensions[get_column_letter(FIRST_YEAR_COLUMN + index)].width = 12
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    sheet = _Sheet(worksheet)
    price_basis = strategy.price_basis or _("price basis not stated in the source")
    sheet.append([sheet.text(f"{strategy.title}: {_('mio. kr.')}, {price_basis}", bold=True)])
    sheet.append([sheet.text(_("Totals and subtotals are formulas; change an amount and they follow."))])
    sheet.append([sheet.text(title, bold=True) for title in header(years)])

    def row_total(row_number):
        return sheet.formula(f"=SUM({_column(0)}{row_number}:{last_column}{row_number})")

    subtotal_rows = []
    for chapter, count, rows in _sections(strategy, years, edition):
        heading = None
        if chapter:
            heading = sheet.row_number + 1
            first, last = heading + 1, heading + count
            sheet.append(
                [
                    None,
                    sheet.text(str(chapter.number), bold=True, band=True),
                    sheet.text(chapter.title, bold=True, band=True),
                    *[
                        sheet.formula(f"=SUM({_column(i)}{first}:{_column(i)}{last})", bold=True, band=True)
                        for i in range(len(years))
                    ],
                    sheet.formula(f"=SUM({_column(0)}{heading}:{last_column}{heading})", bold=True, band=True),
                ]
            )
            subtotal_rows.append(heading)
        for pk, title, numbers, cells in rows:
            row_number = sheet.row_number + 1
            sheet.append(
                [
                    pk,
                    sheet.text(numbers),
                    sheet.text(title),
                    *[_cell(sheet, cell) for cell in cells],
                    row_total(row_number),
                ]
            )
            if heading is None:
                subtotal_rows.append(row_number)

    total_row = sheet.row_number + 1
    sheet.append(
        [
            None,
            None,
            sheet.text(_("Total"), bold=True),
            *[
                sheet.formula(
                    "=" + "+".join(f"{_column(i)}{row}" for row in subtotal_rows) if subtotal_rows else "=0", bold=True
                )
                for i in range(len(years))
            ],
            row_total(total_row),
        ]
    )
    totals = dict(PublishedTotal.objects.filter(strategy=strategy, chapter__isnull=True).values_list("year", "amount"))
    published = [totals.get(year) for year in years]
    frame_amounts = FrameAmount.objects.for_strategy(strategy).by_year()
    frames = [frame_amounts.get(year) for year in years]
    sheet.append([None, None, sheet.text(_("Total as published")), *[_optional(sheet, value) for value in published]])
    frame_row = sheet.row_number + 1
    sheet.append([None, None, sheet.text(_("Frame")), *[_optional(sheet, value) for value in frames]])
    sheet.append(
        [
            None,
            None,
            sheet.text(_("Left of the frame")),
            *[
                sheet.formula(f"={_column(i)}{frame_row}-{_column(i)}{total_row}") if frame is not None else None
                for i, frame in enumerate(frames)
            ],
        ]
    )


def _optional(sheet, value):
    return None if value is None else sheet.number(float(value))


def write_data_sheet(workbook, strategy, edition: Edition) -> None:
    """One row per cell, ready for a pivot table, as an Excel Table."""
    worksheet = workbook.create_sheet(DATA_SHEET)
    export = AllocationExport(edition.cells_of(strategy))
    sheet = _Sheet(worksheet)
    sheet.append([sheet.text(name) for name in export.field_names])
    for row in export.rows():
        # Plain values: 17 columns times every cell of a strategy is most of the file, so no styling here.
        sheet.append(
            [
                float(value) if name == "amount" and value is not None else sheet.plain(value)
                for name, value in row.items()
            ]
        )
    last = get_column_letter(len(export.field_names))
    table = Table(displayName=f"Data{strategy.slug}".replace("-", "_"), ref=f"A1:{last}{max(sheet.row_number, 2)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    # In write-only mode openpyxl cannot read the header back from the sheet, so the columns are named here.
    table._initialise_columns()
    for column, name in zip(table.tableColumns, export.field_names, strict=True):
        column.name = name
    with warnings.catch_warnings():
        # openpyxl warns in write-only mode whether or not the columns were named, as they are above.
        warnings.filterwarnings("ignore", message="In write-only mode you must add table columns manually")
        worksheet.add_table(table)


def write_notes_sheet(workbook, strategy, edition: Edition) -> None:
    worksheet = workbook.create_sheet(NOTES_SHEET)
    worksheet.column_dimensions["A"].width = 30
    worksheet.column_dimensions["B"].width = 120
    sheet = _Sheet(worksheet)
    sheet.append([sheet.text(_("Source"), bold=True), sheet.text(strategy.source)])
    sheet.append([sheet.text(_("Price basis"), bold=True), sheet.text(strategy.price_basis or _("not stated"))])
    for footnote in strategy.footnotes.all():
        sheet.append(
            [sheet.text(_("Footnote %(marker)s") % {"marker": footnote.marker}, bold=True), sheet.text(footnote.text)]
        )
    for frame in strategy.frames.all():
        sheet.append([sheet.text(frame.name, bold=True), sheet.text(f"{frame.note} ({frame.source})")])
    for cell in edition.cells_of(strategy).exclude(text="", remark="").select_related("line"):
        sheet.append([sheet.text(f"{cell.line.title[:60]} {cell.year}"), sheet.text(cell.text or cell.remark)])


def _finish(workbook, title: str, subject: str, edition: Edition) -> bytes:
    generated = datetime.now(UTC)
    workbook.properties.title = without_control_characters(title)
    workbook.properties.subject = subject
    workbook.properties.creator = "Strategy Tracker"
    workbook.properties.description = _("Generated %(when)s from the %(which)s figures.") % {
        "when": formats.date_format(generated, "DATETIME_FORMAT"),
        "which": _("draft (not published)") if edition.is_draft else _("published"),
    }
    workbook.properties.keywords = "draft" if edition.is_draft else "published"
    workbook.properties.created = generated.replace(tzinfo=None)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def strategy_workbook(strategy, edition: Edition) -> bytes:
    """The strategy's budget sheet, its flat data, its notes and its initiatives' status, as an .xlsx file."""
    workbook = Workbook(write_only=True)
    write_budget_sheet(workbook, strategy, edition)
    write_data_sheet(workbook, strategy, edition)
    write_notes_sheet(workbook, strategy, edition)
    # Imported here: the tracking app writes its sheet with this module's helpers.
    from tracking.workbooks import write_status_sheet

    write_status_sheet(workbook, strategy, edition)
    return _finish(workbook, f"{strategy.title} – {_('budget')}", strategy.slug, edition)


def all_strategies_workbook(funding, edition: Edition) -> bytes:
    """An overview sheet of funding per year, then one budget sheet per strategy."""
    strategies = funding.strategies
    workbook = Workbook(write_only=True)
    overview = _Sheet(workbook.create_sheet(_("Overview")))
    overview.append(
        [overview.text(_("Year"), bold=True), *[overview.text(s.short_title, bold=True) for s in strategies]]
    )
    for year in funding.years:
        figures = [funding.figure(strategy, year) for strategy in strategies]
        overview.append(
            [year, *[None if f is None or not f.is_complete else overview.number(float(f.amount)) for f in figures]]
        )
    for strategy in strategies:
        write_budget_sheet(workbook, strategy, edition, name=f"{BUDGET_SHEET} {strategy.slug}")
    return _finish(workbook, _("Life science strategies"), "all", edition)


def comparison_workbook(comparison, edition: Edition) -> bytes:
    """What the compare page shows: years side by side and each change as a formula."""
    workbook = Workbook(write_only=True)
    sheet = _Sheet(workbook.create_sheet(_("Comparison")))
    years = comparison.years
    changes = list(zip(years, years[1:], strict=False))
    sheet.append(
        [
            sheet.text(_("Theme") if comparison.by == "theme" else _("Chapter"), bold=True),
            *[sheet.text(str(year), bold=True) for year in years],
            *[sheet.text(f"{after} − {before}", bold=True) for before, after in changes],
        ]
    )
    for row in [*comparison.rows, comparison.totals]:
        row_number = sheet.row_number + 1
        values = [row.figures.get(year) for year in years]
        cells = [None if f is None or not f.is_complete else sheet.number(float(f.amount)) for f in values]
        column = {year: get_column_letter(2 + index) for index, year in enumerate(years)}
        formulas = [
            sheet.formula(f"={column[after]}{row_number}-{column[before]}{row_number}") for before, after in changes
        ]
        sheet.append([sheet.text(row.label), *cells, *formulas])
    return _finish(workbook, _("Comparison"), ",".join(strategy.slug for strategy in comparison.strategies), edition)


def change_log_workbook(strategy, changes) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = _Sheet(workbook.create_sheet(_("Change log")))
    titles = [_("When"), _("Who"), _("Budget line"), _("Year"), _("Before"), _("After"), _("Reason")]
    sheet.append([sheet.text(title, bold=True) for title in titles])
    for change in changes:
        sheet.append(
            [
                sheet.text(change.at.strftime("%Y-%m-%d %H:%M:%S")),
                sheet.text(change.username),
                sheet.text(change.line_title),
                change.year,
                sheet.text(format_cell(change.before)),
                sheet.text(format_cell(change.after)),
                sheet.text(change.reason),
            ]
        )
    return _finish(workbook, f"{strategy.title} – {_('Change log')}", strategy.slug, Edition.draft())
