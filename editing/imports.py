"""Reading an edited budget workbook back: a preview of every change, then one recorded save."""

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from budgets.cells import ParsedCell, format_cell, parse_cell
from budgets.models import Allocation, BudgetLine, CellKind
from budgets.numbers import ONE_DECIMAL
from budgets.workbooks import BUDGET_SHEET, FIRST_YEAR_COLUMN, HEADER_ROW, header
from editing.services import CellEdit

MAX_BYTES = 10 * 1024 * 1024
# An xlsx is a zip archive: refuse one that would unpack to far more than any budget needs.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200


class WorkbookError(Exception):
    """A file that cannot be imported at all; nothing is read from it."""


@dataclass(frozen=True)
class CellChange:
    line: BudgetLine
    year: int
    old: str
    new: str


@dataclass
class Preview:
    edits: list[CellEdit] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    new_initiatives: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check_archive(content: bytes) -> None:
    if len(content) > MAX_BYTES:
        raise WorkbookError(_("The file is larger than 10 MB."))
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx)."))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        ratio = max((member.file_size / max(member.compress_size, 1) for member in members), default=0)
    if unpacked > MAX_UNPACKED_BYTES or ratio > MAX_COMPRESSION_RATIO:
        raise WorkbookError(_("The file would unpack to far more than a budget needs; it was not opened."))


def _load(content: bytes, data_only: bool):
    try:
        return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)
    except Exception as error:  # openpyxl and defusedxml raise many kinds; each means the same to the user
        raise WorkbookError(_("The workbook could not be read: %(error)s") % {"error": type(error).__name__}) from None


def _read_cell(value, formula, comment, correction: bool) -> ParsedCell | None:
    """A cell of the sheet; ``correction`` is whether the stored cell is one, which a workbook cannot say: a
    negative number is taken only where the grid marked the cell as a correction."""
    if isinstance(formula, str) and formula.startswith("=") and value is None:
        raise ValueError(_("The formula has no saved result; open the file in Excel or LibreOffice and save it again."))
    if value is None:
        if comment is not None and comment.text.strip().lower() in ("ukendt", "unknown"):
            return ParsedCell(CellKind.UNKNOWN)
        return None
    if isinstance(value, bool):
        raise ValueError(_("“%(text)s” is not an amount.") % {"text": value})
    if isinstance(value, int | float):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("“%(text)s” is not an amount.") % {"text": value}) from None
        if amount != amount.quantize(ONE_DECIMAL):
            raise ValueError(
                _("“%(text)s” has more than one decimal; amounts are in mio. kr. with one decimal.") % {"text": value}
            )
        # The workbook writes a remark as the cell's comment, so a comment beside a number is its remark.
        remark = comment.text.strip() if comment is not None else ""
        return parse_cell(format(amount.quantize(ONE_DECIMAL), "f"), remark, correction=correction)
    return parse_cell(str(value))


def read_workbook(strategy, content: bytes) -> Preview:
    """Every cell of the uploaded budget sheet that differs from the database, and every problem, by cell."""
    check_archive(content)
    values, formulas = _load(content, data_only=True), _load(content, data_only=False)
    if BUDGET_SHEET not in values.sheetnames:
        raise WorkbookError(
            _("The workbook has no sheet named “%(sheet)s”; it has %(sheets)s.")
            % {"sheet": BUDGET_SHEET, "sheets": ", ".join(values.sheetnames)}
        )
    sheet, formula_sheet = values[BUDGET_SHEET], formulas[BUDGET_SHEET]
    years = list(strategy.years)
    expected = header(years)
    found = [str(cell.value or "").strip() for cell in sheet[HEADER_ROW]][: len(expected)]
    # A workbook downloaded in one language may come back while the editor reads the site in the other.
    accepted = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            accepted.append(header(years))
    if found not in accepted:
        raise WorkbookError(
            _(
                "Row %(row)d of “%(sheet)s” must read %(expected)s, but reads %(found)s: "
                "columns moved, or years outside %(first)s–%(last)s."
            )
            % {
                "row": HEADER_ROW,
                "sheet": BUDGET_SHEET,
                "expected": " | ".join(expected),
                "found": " | ".join(found),
                "first": strategy.first_year,
                "last": strategy.last_year,
            }
        )
    lines = {line.pk: line for line in BudgetLine.objects.for_strategy(strategy)}
    current = {(cell.line_id, cell.year): cell for cell in Allocation.objects.filter(line__strategy=strategy)}
    chapter_titles = {chapter.title for chapter in strategy.chapters.all()}
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels |= {_("Total"), _("Total as published"), _("Frame"), _("Left of the frame")}
    preview = Preview()
    for row in range(HEADER_ROW + 1, sheet.max_row + 1):
        line_id, title = sheet.cell(row, 1).value, str(sheet.cell(row, 3).value or "").strip()
        if line_id in (None, ""):
            if title and title not in chapter_titles and title not in labels:
                preview.new_initiatives.append(_("Row %(row)d: %(title)s") % {"row": row, "title": title})
            continue
        line = lines.get(line_id) if isinstance(line_id, int) else None
        if line is None:
            preview.unmatched.append(
                _("Row %(row)d: line id %(id)s, “%(title)s”") % {"row": row, "id": line_id, "title": title}
            )
            continue
        for index, year in enumerate(years):
            column = FIRST_YEAR_COLUMN + index
            value_cell = sheet.cell(row, column)
            where = f"{BUDGET_SHEET}!{get_column_letter(column)}{row}"
            existing = current.get((line.pk, year))
            try:
                parsed = _read_cell(
                    value_cell.value,
                    formula_sheet.cell(row, column).value,
                    value_cell.comment,
                    existing is not None and existing.is_correction,
                )
            except ValueError as error:
                preview.errors.append(f"{where}: {error}")
                continue
            if parsed == ParsedCell.of(existing):
                continue
            preview.edits.append(CellEdit(line.pk, year, parsed, existing.version if existing else None))
            preview.changes.append(CellChange(line, year, format_cell(existing), format_cell(parsed)))
    return preview


def edits_to_session(edits: list[CellEdit]) -> list[dict]:
    return [
        {
            "line": edit.line_id,
            "year": edit.year,
            "cell": None
            if edit.cell is None
            else [
                edit.cell.kind,
                None if edit.cell.amount is None else str(edit.cell.amount),
                edit.cell.text,
                edit.cell.remark,
                edit.cell.correction,
            ],
            "version": edit.version,
        }
        for edit in edits
    ]


def edits_from_session(stored: list[dict]) -> list[CellEdit]:
    def cell(value):
        if value is None:
            return None
        kind, amount, text, remark, correction = value
        return ParsedCell(kind, None if amount is None else Decimal(amount), text, remark, correction)

    return [CellEdit(item["line"], item["year"], cell(item["cell"]), item["version"]) for item in stored]
