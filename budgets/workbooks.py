"""Excel workbooks that hold what their pages hold: the budget tables laid out like the published ones, the overview
and the comparison, each computing its sums with its own formulas.

A sum's formula carries unknown cells as the pages do: it shows “ukendt” where every cell it adds is unknown and
“mindst 70,0 + ukendt” where some are, never the known part alone (figure_formula). Written with openpyxl's
write-only mode, so a large strategy streams to the file in flat memory.
"""

import io
import warnings
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Min
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.table import Table, TableStyleInfo

from budgets.cells import StoredCell, format_cell
from budgets.csvfiles import FORMULA_TRIGGERS
from budgets.display import at_least_text
from budgets.exports import AllocationExport
from budgets.figures import footer_rows, in_printed_order, initiative_count, strategy_summaries
from budgets.models import BudgetLine, CellKind, FrameAmount, PublishedTotal
from budgets.text import without_control_characters
from initiatives.english import translated
from initiatives.models import Initiative
from publication.editions import Edition

BUDGET_SHEET = "Budget"
DATA_SHEET = "Data"
NOTES_SHEET = "Noter og kilder"
HEADER_ROW = 3
FIRST_YEAR_COLUMN = 4  # A: line id, B: number, C: title
NUMBER_FORMAT = "#,##0.0"
PERCENT_FORMAT = "0.0 %"
# Rows of the all-strategies workbook's data sheet beyond which it points to the open data's CSV file instead.
MOST_DATA_ROWS = 100_000
LINES_PER_CHUNK = 500  # lines whose cells are read at once: the whole strategy is never held in memory
BOLD = Font(bold=True)
BAND = PatternFill("solid", fgColor="EEF3F8")
WRAPPED = Alignment(wrap_text=True, vertical="top")
NOTHING = "–"  # as the pages print a value that is not there: no published total, no frame
CELLS = "\0"  # where a formula written out once takes the cells it is of


def header(years) -> list[str]:
    return [_("Line id"), _("No."), _("Title"), *[str(year) for year in years], _("Total")]


def no_line_hint() -> str:
    return _("(no row of its own in the budget table)")


def marked_format(marker: str) -> str:
    """A number format that prints text beside the number and keeps the cell a number: a footnote's marker (100,0**)
    or a remark (0,5 Øvrig 5 er finansieret), as the page prints them."""
    if not marker:
        return NUMBER_FORMAT
    # A number format's literal is quoted; a quote inside it is written escaped, between two quoted parts.
    return NUMBER_FORMAT + '"' + marker.replace('"', '"\\""') + '"'


class _Sheet:
    """Rows for one write-only sheet, with the styled-cell boilerplate in one place.

    Each look (bold, banded, a number format…) is made once per sheet and shared by every cell that has it, and a
    number or a formula of ours goes into its cell as it is: setting a style on each of a million cells, and
    openpyxl checking each value's type again, took half of a large workbook's time.
    """

    def __init__(self, worksheet):
        self.worksheet = worksheet
        self.row_number = 0
        self._looks = {}
        # openpyxl first tries each cell given to append() as a value, and on the error that follows, whose message
        # prints the cell, takes it as a cell: a tenth of a large workbook's time. Its rows come from here instead.
        worksheet._values_to_row = self._cells_of_row

    def _cells_of_row(self, values, row_number: int):
        """A row's cells for openpyxl's writer, as WriteOnlyWorksheet._values_to_row gives them."""
        for column, value in enumerate(values, 1):
            if value is None:
                continue
            cell = value if isinstance(value, Cell) else WriteOnlyCell(self.worksheet, value=value)
            cell.column, cell.row = column, row_number
            yield cell

    def _look(self, bold=False, band=False, wrap=False, quote=False, number_format=None):
        """The style of cells that look alike, made on a cell of its own the first time it is asked for."""
        key = (bold, band, wrap, quote, number_format)
        look = self._looks.get(key)
        if look is None:
            cell = WriteOnlyCell(self.worksheet)
            if bold:
                cell.font = BOLD
            if band:
                cell.fill = BAND
            if wrap:
                cell.alignment = WRAPPED
            if quote:
                cell.quotePrefix = True
            if number_format:
                cell.number_format = number_format
            look = self._looks[key] = cell._style
        return look

    def _cell(self, value, data_type: str, look):
        cell = WriteOnlyCell(self.worksheet)
        cell._value, cell.data_type, cell._style = value, data_type, look
        return cell

    def plain(self, value):
        """A value without styling, as fast as write-only mode writes; only formula-like text is wrapped."""
        value = without_control_characters(value)
        if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
            return self.text(value)
        return value

    def text(self, value, *, bold=False, band=False, wrap=False):
        # Stripped first, so that a control character cannot hide a leading "=" from the check below.
        value = without_control_characters(value)
        if not isinstance(value, str):
            cell = WriteOnlyCell(self.worksheet, value=value)
            cell._style = self._look(bold, band, wrap)
            return cell
        # A text cell stays text: Excel shows '=HYPERLINK(…)' in a title, never runs it.
        cell = WriteOnlyCell(self.worksheet, value=value)  # openpyxl checks the text's characters and length
        cell.data_type = "s"
        cell._style = self._look(bold, band, wrap, quote=value.startswith(FORMULA_TRIGGERS))
        return cell

    def number(self, value, *, bold=False, band=False, number_format=NUMBER_FORMAT):
        return self._cell(value, "n", self._look(bold, band, number_format=number_format))

    def formula(self, expression, *, bold=False, band=False, number_format=NUMBER_FORMAT):
        return self._cell(expression, "f", self._look(bold, band, number_format=number_format))

    def label(self, text: str):
        """A number as the pages print it in a number column ('12'), else the text ('2.2', '5.2 + 5.3')."""
        return int(text) if text.isdecimal() and len(text) < 10 else self.text(text)

    def append(self, cells):
        self.worksheet.append(cells)
        self.row_number += 1
        return self.row_number


# ---- Sums that carry unknown cells ----


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def unknown_word() -> str:
    """What an unknown cell holds: the word the grid and the import read back as unknown."""
    return _("unknown")


def figure_formula(known: str, unknown: str, financed: str) -> str:
    """A sum as the pages show it, from three expressions: the sum of its known amounts, its number of unknown cells
    and its number of cells financed elsewhere (budgets.display.amount_html)."""
    before, after = at_least_text("\0").split("\0")
    at_least = f"{_quoted(before)}&FIXED({known},1)&{_quoted(after)}"
    return (
        f"=IF({unknown}>0,IF({known}=0,{_quoted(unknown_word())},{at_least}),"
        f"IF(AND({financed}>0,{known}=0),{_quoted(_('financed elsewhere'))},{known}))"
    )


def range_formula(cells: str) -> str:
    """The sum of a block of cells that hold amounts, “ukendt” or a text saying the money comes from elsewhere."""
    unknown = f"COUNTIF({cells},{_quoted(unknown_word())})"
    return figure_formula(f"SUM({cells})", unknown, f"(COUNTA({cells})-COUNT({cells})-{unknown})")


def lines_formula(ids: str, columns: list[str]) -> str:
    """The sum of the line rows of one or more columns, the lines being the rows with a line id in ``ids``: chapter
    headings and their subtotals in between are left out, whatever their number."""
    known = "+".join(f'SUMIF({ids},">0",{column})' for column in columns)
    unknown = "+".join(f'COUNTIFS({ids},">0",{column},{_quoted(unknown_word())})' for column in columns)
    text = "+".join(f"SUMPRODUCT(({ids}>0)*ISTEXT({column}))" for column in columns)
    return figure_formula(f"({known})", f"({unknown})", f"({text}-({unknown}))")


def _column(index: int) -> str:
    return get_column_letter(FIRST_YEAR_COLUMN + index)


# ---- The budget sheet ----


@dataclass
class _Entry:
    """One row of a chapter: a budget line (``pk``) or an initiative without a line of its own (``pk`` None)."""

    pk: int | None
    title: str
    position: int | None  # the line's first initiative's or the initiative's own place in the strategy
    number: str = ""
    markers: str = ""
    cells: list | None = None  # a line's, once read


class _LineDetails:
    """The lines' numbers, footnote markers and cells, read LINES_PER_CHUNK lines at a time in the order they are
    written, across chapters: three queries for each chunk, never a strategy's cells held whole. (Read per chapter,
    the workbook of a hundred strategies took five thousand queries.)"""

    def __init__(self, strategy, years, edition: Edition, lines: list[_Entry]):
        self.strategy, self.years, self.edition = strategy, years, edition
        self.chunks = (lines[start : start + LINES_PER_CHUNK] for start in range(0, len(lines), LINES_PER_CHUNK))

    def fill(self, entry: _Entry) -> _Entry:
        while entry.cells is None:
            self._read(next(self.chunks))
        return entry

    def _read(self, chunk: list[_Entry]) -> None:
        ids = [entry.pk for entry in chunk]
        # Plain values, not model instances: the default orders of Allocation and Initiative would also join every
        # chunk's cells to their lines and strategies, and the instances cost more than the XML.
        cells = StoredCell.by_line(self.edition.cells_of(self.strategy).filter(line_id__in=ids))
        numbers, markers = defaultdict(list), defaultdict(str)
        for line_id, number in (
            BudgetLine.initiatives.through.objects.filter(budgetline_id__in=ids)
            .order_by("initiative__position")
            .values_list("budgetline_id", "initiative__number")
        ):
            if number:
                numbers[line_id].append(number)
        for line_id, marker in (
            BudgetLine.footnotes.through.objects.filter(budgetline_id__in=ids)
            .order_by("footnote__marker")
            .values_list("budgetline_id", "footnote__marker")
        ):
            markers[line_id] += marker
        for entry in chunk:
            entry.number = " + ".join(numbers[entry.pk])
            entry.markers = markers[entry.pk]
            entry.cells = [cells[entry.pk].get(year) for year in self.years]


def _sections(strategy, years, edition: Edition):
    """Each chapter (then the reserves) with its number of rows and its rows streamed in chunks, with the cells of
    ``edition``: its lines and the initiatives without a line, as the page lists them."""
    unlined = defaultdict(list)
    for initiative in Initiative.objects.for_strategy(strategy).filter(budget_lines__isnull=True).order_by("position"):
        unlined[initiative.chapter_id].append(initiative)
    heads = defaultdict(list)
    for line in (
        BudgetLine.objects.for_strategy(strategy)
        .order_by("position")
        .annotate(first=Min("initiatives__position"))
        .only("pk", "title", "title_en", "chapter_id")
    ):
        heads[line.chapter_id].append(_Entry(line.pk, translated(line, "title"), line.first))
    sections = []
    for chapter in [*strategy.chapters.order_by("number"), None]:
        initiatives = unlined[chapter.pk] if chapter else []
        entries = in_printed_order(
            heads[chapter.pk if chapter else None],
            lambda entry: entry.position,
            [_Entry(None, translated(item, "title"), item.position, item.number) for item in initiatives],
        )
        if chapter is not None or entries:
            sections.append((chapter, entries))
    details = _LineDetails(
        strategy, years, edition, [entry for _chapter, entries in sections for entry in entries if entry.pk]
    )
    for chapter, entries in sections:
        rows = (details.fill(entry) if entry.pk is not None else entry for entry in entries)
        yield chapter, len(entries), any(entry.pk is not None for entry in entries), rows


def _cell(sheet: _Sheet, cell: StoredCell | None):
    if cell is None:
        return None
    if cell.kind == CellKind.UNKNOWN:
        return sheet.text(unknown_word())
    if cell.kind == CellKind.FINANCED_ELSEWHERE:
        return sheet.text(cell.text)
    if not cell.remark:
        return sheet.number(float(cell.amount))
    remark = without_control_characters(cell.remark)
    # Shown beside the amount as on the page, and kept as the cell's comment, which the import reads back.
    written = sheet.number(float(cell.amount), number_format=marked_format(f" {remark}"))
    written.comment = Comment(remark, "Strategy Tracker")
    return written


@dataclass(frozen=True)
class BudgetSheet:
    """Where a written budget sheet keeps its lines and totals, for formulas of other sheets that read them."""

    name: str
    years: list
    first_row: int
    last_row: int
    total_row: int

    def reference(self, cell: str) -> str:
        return f"{quote_sheetname(self.name)}!{cell}"

    def column_of(self, year) -> str:
        return _column(self.years.index(year))

    def ids(self) -> str:
        return self.reference(f"$A${self.first_row}:$A${self.last_row}")

    def cells_of(self, year) -> str:
        column = self.column_of(year)
        return self.reference(f"{column}${self.first_row}:{column}${self.last_row}")


def write_budget_sheet(workbook, strategy, edition: Edition, name: str = BUDGET_SHEET) -> BudgetSheet:
    """The strategy's table as its page shows it: every chapter with its subtotals, every line and every initiative
    without a line in the page's order, footnote markers where the page has them, then the totals, the published
    totals, the frames, what the footnotes explain and what is left of the frames."""
    worksheet = workbook.create_sheet(name)
    years = list(strategy.years)
    last_column = get_column_letter(FIRST_YEAR_COLUMN + len(years) - 1)
    worksheet.freeze_panes = f"{_column(0)}{HEADER_ROW + 1}"
    for letter, width in (("A", 8), ("B", 10), ("C", 70)):
        worksheet.column_dimensions[letter].width = width
    for index in range(len(years) + 1):
        worksheet.column_dimensions[get_column_letter(FIRST_YEAR_COLUMN + index)].width = 14
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"

    sheet = _Sheet(worksheet)
    price_basis = translated(strategy, "price_basis") or _("price basis not stated in the source")
    sheet.append([sheet.text(f"{translated(strategy, 'title')}: {_('mio. kr.')}, {price_basis}", bold=True)])
    sheet.append([sheet.text(_("Totals and subtotals are formulas; change an amount and they follow."))])
    sheet.append([sheet.text(title, bold=True) for title in header(years)])
    first_row = HEADER_ROW + 1
    # Every line's total is one formula of its own row: written out once, with the row's cells put in.
    # A line with no cell at all has no total, as the page leaves it blank.
    first_column = _column(0)
    row_total = f'=IF(COUNTA({CELLS})=0,"",{range_formula(CELLS).removeprefix("=")})'

    for chapter, count, has_lines, rows in _sections(strategy, years, edition):
        # The chapter's rows follow its heading: its sums are formulas of them.
        first, last = sheet.row_number + 2, sheet.row_number + 1 + count
        if chapter:
            block = f"{_column(0)}{first}:{last_column}{last}"
            sheet.append(
                [
                    None,
                    sheet.number(chapter.number, bold=True, band=True, number_format="0"),
                    sheet.text(translated(chapter, "title"), bold=True, band=True),
                    *[
                        sheet.formula(range_formula(f"{_column(i)}{first}:{_column(i)}{last}"), bold=True, band=True)
                        if has_lines
                        else sheet.text("", band=True)
                        for i in range(len(years))
                    ],
                    sheet.formula(range_formula(block), bold=True, band=True)
                    if has_lines
                    else sheet.text("", band=True),
                ]
            )
        for entry in rows:
            row_number = sheet.row_number + 1
            if entry.pk is None:
                sheet.append(
                    [
                        None,
                        sheet.label(entry.number),
                        sheet.text(f"{entry.title} {no_line_hint()}"),
                        *[None] * len(years),
                        None,
                    ]
                )
                continue
            sheet.append(
                [
                    entry.pk,
                    sheet.label(entry.number),
                    sheet.text(entry.title + entry.markers),
                    *[_cell(sheet, cell) for cell in entry.cells],
                    sheet.formula(row_total.replace(CELLS, f"{first_column}{row_number}:{last_column}{row_number}")),
                ]
            )
    last_row = max(sheet.row_number, first_row)
    layout = BudgetSheet(name, years, first_row, last_row, sheet.row_number + 1)
    _write_footer(sheet, strategy, layout)
    return layout


def _write_footer(sheet: _Sheet, strategy, layout: BudgetSheet) -> None:
    """The rows below the table (budgets.figures.footer_rows): the totals and what is left of the frames as formulas
    of the rows above, the published totals, frames and explained differences as the numbers they are."""
    years = layout.years
    published_by_year = {
        total.year: total
        for total in PublishedTotal.objects.filter(strategy=strategy, chapter__isnull=True).select_related("footnote")
    }
    frame_by_year = FrameAmount.objects.for_strategy(strategy).by_year()
    footer = footer_rows([published_by_year.get(year) for year in years], [frame_by_year.get(year) for year in years])
    row_of = {row.key: layout.total_row + index for index, row in enumerate(footer)}
    ids = f"$A${layout.first_row}:$A${layout.last_row}"
    columns = [f"{_column(i)}${layout.first_row}:{_column(i)}${layout.last_row}" for i in range(len(years))]
    last_column = _column(len(years) - 1)
    unknown = _quoted(unknown_word())
    for row in footer:
        if row.key == "total":
            cells = [sheet.formula(lines_formula(ids, [column]), bold=True) for column in columns]
            total = sheet.formula(lines_formula(ids, columns), bold=True)
        elif row.key == "left":
            cells = []
            frames = next(item for item in footer if item.key == "frame").values
            for index, frame in enumerate(frames):
                column = _column(index)
                if frame is None:
                    cells.append(sheet.text(NOTHING))
                    continue
                explained = f"-N({column}{row_of['explained']})" if "explained" in row_of else ""
                # Rounded as the amounts are: 100 - 99,1 - 0,9 is 0,0, not a binary fraction's rest.
                spent = f"ROUND({column}{row_of['frame']}-{column}{row_of['total']}{explained},1)"
                # Nobody knows how much of the frame an unknown cell takes: what is left of it is unknown.
                cells.append(sheet.formula(f"=IF(ISNUMBER({column}{row_of['total']}),{spent},{unknown})"))
            lefts = f"{_column(0)}{row_of['left']}:{last_column}{row_of['left']}"
            total = None
            if row.total is not None:
                total = sheet.formula(f"=IF(COUNT({lefts})={len(years)},SUM({lefts}),{unknown})")
        else:
            cells = [
                sheet.text(NOTHING)
                if value is None
                else sheet.number(float(value), number_format=marked_format(marker))
                for value, marker in row.cells
            ]
            total = None
            if row.key == "frame" and row.total is not None:
                total = sheet.formula(f"=SUM({_column(0)}{row_of['frame']}:{last_column}{row_of['frame']})")
        sheet.append([None, None, sheet.text(row.label, bold=row.key == "total"), *cells, total])


# ---- Data and notes ----


def write_data_sheet(workbook, cells, table_name: str) -> None:
    """One row per cell, ready for a pivot table, as an Excel Table with the columns named in the reader's language
    (the open data's own names are English, for programs)."""
    worksheet = workbook.create_sheet(DATA_SHEET)
    export = AllocationExport(cells)
    labels = [str(item.label) for item in export.fields]
    sheet = _Sheet(worksheet)
    sheet.append([sheet.text(label, bold=True) for label in labels])
    for column, item in enumerate(export.fields, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = 40 if item.type == "string" else 12
    for row in export.rows():
        # Plain values: 17 columns times every cell of a strategy is most of the file, so no styling here.
        sheet.append(
            [
                float(value) if name == "amount" and value is not None else sheet.plain(value)
                for name, value in row.items()
            ]
        )
    last = get_column_letter(len(labels))
    table = Table(displayName=table_name.replace("-", "_"), ref=f"A1:{last}{max(sheet.row_number, 2)}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    # In write-only mode openpyxl cannot read the header back from the sheet, so the columns are named here.
    table._initialise_columns()
    for column, name in zip(table.tableColumns, labels, strict=True):
        column.name = name
    with warnings.catch_warnings():
        # openpyxl warns in write-only mode whether or not the columns were named, as they are above.
        warnings.filterwarnings("ignore", message="In write-only mode you must add table columns manually")
        worksheet.add_table(table)


def write_notes_sheet(workbook, strategies, edition: Edition) -> None:
    """Sources, price basis, footnotes, frames, the number of initiatives and every remark, wrapped, not cut."""
    worksheet = workbook.create_sheet(NOTES_SHEET)
    worksheet.column_dimensions["A"].width = 45
    worksheet.column_dimensions["B"].width = 110
    sheet = _Sheet(worksheet)

    def note(label, text):
        sheet.append([sheet.text(label, bold=True, wrap=True), sheet.text(text, wrap=True)])

    for strategy in strategies:
        if len(strategies) > 1:
            sheet.append([sheet.text(strategy.title, bold=True, band=True), sheet.text("", band=True)])
        note(_("Source"), strategy.source)
        note(_("Price basis"), strategy.price_basis or _("not stated"))
        count = initiative_count(strategy)
        text = str(count.count)
        if count.missing:
            text += " " + _("(%(named)s of them named in the sources found, %(missing)s not yet named)") % {
                "named": count.named,
                "missing": count.missing,
            }
        if count.footnote:
            text += " " + _("Footnote %(marker)s") % {"marker": count.footnote.marker}
        note(_("Initiatives"), text)
        for footnote in strategy.footnotes.all():
            note(_("Footnote %(marker)s") % {"marker": footnote.marker}, f"{footnote.text} ({footnote.source})")
        for frame in strategy.frames.all():
            note(frame.name, f"{frame.note} ({frame.source})")
        for cell in edition.cells_of(strategy).exclude(text="", remark="").select_related("line"):
            note(f"{cell.line.title} {cell.year}", cell.text or cell.remark)


def _finish(workbook, title: str, subject: str, edition: Edition) -> bytes:
    generated = datetime.now(UTC)
    workbook.properties.title = without_control_characters(title)
    workbook.properties.subject = subject
    workbook.properties.creator = "Strategy Tracker"
    workbook.properties.description = _("Generated %(when)s from the %(which)s figures.") % {
        "when": formats.date_format(timezone.localtime(generated), "DATETIME_FORMAT"),
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
    write_data_sheet(workbook, edition.cells_of(strategy), f"Data{strategy.slug}")
    write_notes_sheet(workbook, [strategy], edition)
    # Imported here: the tracking app writes its sheet with this module's helpers.
    from tracking.workbooks import write_status_sheet

    write_status_sheet(workbook, strategy, edition)
    return _finish(workbook, f"{strategy.title} – {_('budget')}", strategy.slug, edition)


# ---- Every strategy ----


def all_strategies_workbook(funding, edition: Edition) -> bytes:
    """The overview page as a sheet (funding per year with what is allocated and the frames in all, then the
    strategies), then each strategy's budget sheet, every cell as data, and the notes and sources of them all."""
    strategies = funding.strategies
    workbook = Workbook(write_only=True)
    overview = workbook.create_sheet(_("Overview"))
    layouts = [
        write_budget_sheet(workbook, strategy, edition, name=f"{BUDGET_SHEET} {strategy.slug}")
        for strategy in strategies
    ]
    _write_overview(_Sheet(overview), funding, layouts)
    cells = edition.cells().filter(line__strategy__in=strategies)
    if cells.count() <= MOST_DATA_ROWS:
        write_data_sheet(workbook, cells, "Data")
    else:
        # A ministry's million cells would be 17 million more in one sheet, minutes to write and near Excel's limit
        # of rows: the same rows are the open data's CSV file.
        data = _Sheet(workbook.create_sheet(DATA_SHEET))
        data.append([data.text(_("Every cell as data: %(address)s") % {"address": "/api/allocations.csv"})])
    write_notes_sheet(workbook, list(strategies), edition)
    return _finish(workbook, _("Life science strategies"), "all", edition)


def _write_overview(sheet: _Sheet, funding, layouts: list[BudgetSheet]) -> None:
    strategies = funding.strategies
    count = len(strategies)
    worksheet = sheet.worksheet
    worksheet.column_dimensions["A"].width = 45
    for index in range(count + 2):
        worksheet.column_dimensions[get_column_letter(2 + index)].width = 24
    # Three blocks of hidden helper columns, one column per strategy each: what each strategy's lines add up to in a
    # year, how many of them are unknown and how many financed elsewhere, read from its budget sheet, so that the
    # sum of all strategies carries unknown cells as each strategy's own total does.
    helpers = 2 + count + 2
    for index in range(3 * count):
        worksheet.column_dimensions[get_column_letter(helpers + index)].hidden = True
    sheet.append([sheet.text(_("Funding per year"), bold=True)])
    sheet.append([sheet.text(_("mio. kr.; 2030 strategy in 2024 prices, the others without a stated price basis"))])
    sheet.append(
        [
            sheet.text(_("Year"), bold=True),
            *[sheet.text(strategy.short_title, bold=True) for strategy in strategies],
            sheet.text(_("Allocated in all"), bold=True),
            sheet.text(_("Frames in all"), bold=True),
        ]
    )
    known_at, unknown_at, financed_at = (helpers + part * count for part in range(3))
    for year in funding.years:
        row = sheet.row_number + 1
        shown, known, unknown, financed = [], [], [], []
        for index, (strategy, layout) in enumerate(zip(strategies, layouts, strict=True)):
            if year not in strategy.years:
                for cells in (shown, known, unknown, financed):
                    cells.append(None)
                continue
            shown.append(sheet.formula(f"={layout.reference(f'{layout.column_of(year)}{layout.total_row}')}"))
            ids, cells = layout.ids(), layout.cells_of(year)
            known.append(sheet.formula(f'=SUMIF({ids},">0",{cells})'))
            unknown.append(sheet.formula(f'=COUNTIFS({ids},">0",{cells},{_quoted(unknown_word())})', number_format="0"))
            financed.append(
                sheet.formula(
                    f"=SUMPRODUCT(({ids}>0)*ISTEXT({cells}))-{get_column_letter(unknown_at + index)}{row}",
                    number_format="0",
                )
            )
        sums = [
            f"SUM({get_column_letter(start)}{row}:{get_column_letter(start + count - 1)}{row})"
            for start in (known_at, unknown_at, financed_at)
        ]
        frame = funding.total_frame(year)
        sheet.append(
            [
                year,
                *shown,
                sheet.formula(figure_formula(*sums)),
                sheet.text(NOTHING) if frame is None else sheet.number(float(frame)),
                *known,
                *unknown,
                *financed,
            ]
        )
    sheet.append([])
    sheet.append([sheet.text(_("The strategies"), bold=True)])
    sheet.append(
        [
            sheet.text(title, bold=True)
            for title in (_("Strategy"), _("Period"), _("Initiatives"), _("Frame"), _("Allocated"), _("Price basis"))
        ]
    )
    layout_of = {layout.name: layout for layout in layouts}
    for summary in strategy_summaries(funding):
        strategy, initiatives = summary.strategy, summary.initiatives
        named = f"{initiatives.count}"
        if initiatives.missing:
            named += " " + _("(%(named)s named)") % {"named": initiatives.named}
        frame = formats.number_format(summary.frame, 1, force_grouping=True)
        for year, amount in summary.frames_outside:
            frame += " " + _("+ %(amount)s in %(year)s, outside the period") % {
                "amount": formats.number_format(amount, 1, force_grouping=True),
                "year": year,
            }
        layout = layout_of[f"{BUDGET_SHEET} {strategy.slug}"]
        allocated = layout.reference(f"{_column(len(layout.years))}{layout.total_row}")
        sheet.append(
            [
                sheet.text(strategy.title),
                sheet.text(f"{strategy.first_year}–{strategy.last_year}"),
                sheet.text(named) if initiatives.missing else initiatives.count,
                sheet.text(frame) if summary.frames_outside else sheet.number(float(summary.frame)),
                sheet.formula(f"={allocated}"),
                sheet.text(strategy.price_basis or _("not stated")),
            ]
        )
    notes = funding.overlaps()
    if notes:
        sheet.append([])
        sheet.append([sheet.text(_("How the strategies relate where they overlap"), bold=True)])
        for note in notes:
            sheet.append([sheet.text(note)])


# ---- The comparison ----


def comparison_workbook(comparison, edition: Edition) -> bytes:
    """What the compare page shows: years side by side, the total as a formula of the rows, each change in mio. kr.
    and per cent as formulas. Hidden columns hold each row's known sum, unknown and financed cells per year, which
    the shown sums are formulas of, so that the total carries unknown cells as the page's does."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_("Comparison"))
    sheet = _Sheet(worksheet)
    years = comparison.years
    changes = list(zip(years, years[1:], strict=False))
    shown_columns = 1 + len(years) + 2 * len(changes)
    worksheet.column_dimensions["A"].width = 60
    for index in range(2, shown_columns + 1):
        worksheet.column_dimensions[get_column_letter(index)].width = 22
    helper = {
        (year, part): get_column_letter(shown_columns + 1 + index * 3 + offset)
        for index, year in enumerate(years)
        for offset, part in enumerate(("known", "unknown", "financed"))
    }
    for letter in helper.values():
        worksheet.column_dimensions[letter].hidden = True
    column = {year: get_column_letter(2 + index) for index, year in enumerate(years)}
    sheet.append(
        [
            sheet.text(_("Theme") if comparison.by == "theme" else _("Chapter"), bold=True),
            *[sheet.text(str(year), bold=True) for year in years],
            *[
                sheet.text(heading, bold=True)
                for before, after in changes
                for heading in (f"{after} − {before} ({_('mio. kr.')})", f"{after} − {before} (%)")
            ],
        ]
    )
    rows, totals = comparison.rows, comparison.totals
    first, last = 2, 1 + len(rows)
    for row in [*rows, totals]:
        row_number = sheet.row_number + 1
        is_total = row is totals
        shown, helpers = [], []
        for year in years:
            parts = {part: f"{helper[(year, part)]}{row_number}" for part in ("known", "unknown", "financed")}
            if is_total:
                shown.append(
                    sheet.formula(
                        figure_formula(
                            *[
                                f"SUM({helper[(year, part)]}{first}:{helper[(year, part)]}{last})"
                                for part in ("known", "unknown", "financed")
                            ]
                        ),
                        bold=True,
                    )
                )
                helpers += [None, None, None]
                continue
            figure = row.figures.get(year)
            if figure is None:
                shown.append(None)
                helpers += [None, None, None]
                continue
            shown.append(sheet.formula(figure_formula(parts["known"], parts["unknown"], parts["financed"])))
            helpers += [sheet.number(float(figure.amount)), figure.unknown, figure.financed]
        period = row.strategy.years if row.strategy else None
        changed = []
        for pair, (before, after) in enumerate(changes):
            if period is not None and not (before in period and after in period):
                changed += [sheet.text(NOTHING), sheet.text(NOTHING)]
                continue
            if is_total:
                old, new = f"{column[before]}{row_number}", f"{column[after]}{row_number}"
                complete = f"AND(ISNUMBER({old}),ISNUMBER({new}))"
            else:
                # As the page: a year without figures adds nothing, a year with unknown cells has no change.
                old, new = (f"N({helper[(year, 'known')]}{row_number})" for year in (before, after))
                unknowns = [f"N({helper[(year, 'unknown')]}{row_number})" for year in (before, after)]
                complete = f"{'+'.join(unknowns)}=0"
            difference = f"{get_column_letter(2 + len(years) + 2 * pair)}{row_number}"
            changed.append(sheet.formula(f"=IF({complete},{new}-{old},{_quoted(NOTHING)})", bold=is_total))
            changed.append(
                sheet.formula(
                    f"=IF(AND(ISNUMBER({difference}),{old}<>0),{difference}/{old},{_quoted(NOTHING)})",
                    bold=is_total,
                    number_format=PERCENT_FORMAT,
                )
            )
        sheet.append([sheet.text(row.label, bold=is_total), *shown, *changed, *helpers])
    return _finish(workbook, _("Comparison"), ",".join(strategy.slug for strategy in comparison.strategies), edition)


# ---- The change log ----


def change_log_workbook(strategy, changes) -> bytes:
    """The change log as its page shows it: Copenhagen time, amounts as numbers with their remark as a comment."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_("Change log"))
    for letter, width in zip("ABCDEFG", (20, 16, 60, 8, 16, 16, 60), strict=True):
        worksheet.column_dimensions[letter].width = width
    sheet = _Sheet(worksheet)
    titles = [_("When"), _("Who"), _("Budget line"), _("Year"), _("Before"), _("After"), _("Reason")]
    sheet.append([sheet.text(title, bold=True) for title in titles])

    def value(cell):
        if cell is not None and cell.kind == CellKind.AMOUNT:
            written = sheet.number(float(cell.amount))
            if cell.remark:
                written.comment = Comment(without_control_characters(cell.remark), "Strategy Tracker")
            return written
        return sheet.text(format_cell(cell))

    for change in changes:
        when = WriteOnlyCell(worksheet, value=timezone.localtime(change.at).replace(tzinfo=None, microsecond=0))
        when.number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.append(
            [
                when,
                sheet.text(change.username),
                sheet.text(change.line_title),
                change.year,
                value(change.before),
                value(change.after),
                sheet.text(change.reason, wrap=True),
            ]
        )
    return _finish(workbook, f"{strategy.title} – {_('Change log')}", strategy.slug, Edition.draft())
