"""Reading an edited budget workbook back: a preview of every change, then one recorded save.

An upload is read within what its strategy can hold, checked before any value is read: the archive's members and
their unpacked sizes, the number of sheets, and the budget sheet's rows, columns, shared strings and text. Only the
parts the budget sheet needs are unpacked, each streamed (openpyxl's sheet parser over defusedxml), so a hostile
file costs at most what a large honest one does. The preview holds no lock; the save is the grid's.
"""

import io
import struct
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from defusedxml.ElementTree import fromstring, iterparse
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.comments.comment_sheet import CommentSheet
from openpyxl.packaging.relationship import get_dependents, get_rels_path
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHEET_MAIN_NS

from budgets.cells import TEXT_LENGTH, ParsedCell, StoredCell, format_cell, parse_cell
from budgets.models import Allocation, BudgetLine, CellKind
from budgets.numbers import ONE_DECIMAL
from budgets.workbooks import BUDGET_SHEET, FIRST_YEAR_COLUMN, HEADER_ROW, header, no_line_hint
from editing.services import CellEdit
from initiatives.models import Initiative

MAX_BYTES = 10 * 1024 * 1024
# An xlsx is a zip archive: refuse one that would unpack to far more than any budget needs.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# A workbook written by this app, Excel or LibreOffice has a dozen or two parts and three sheets.
MAX_MEMBERS = 200
END_OF_ARCHIVE, END_RECORD_SEARCH = b"PK\x05\x06", 22 + 65_535  # the record and how far from the end it may be
MAX_SHEETS = 20
# Room for an analyst's notes: rows (or a tenth more) and columns beyond the strategy's own; bytes per cell of the
# parts read.
ROW_MARGIN, COLUMN_MARGIN = 50, 10
BYTES_PER_CELL, BYTES_BASE = 1024, 1024 * 1024
# Text longer than any cell or title can be: the file is refused at the first such cell, which is not repeated.
MAX_TEXT = max(TEXT_LENGTH, BudgetLine._meta.get_field("title").max_length) + 20
# The preview lists at most this many problems of each kind, and says how many more there are.
MAX_LISTED = 100
FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
SHEET_TAG = f"{{{SHEET_MAIN_NS}}}sheet"
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
TEXT_TAG, RUN_TAG = f"{{{SHEET_MAIN_NS}}}t", f"{{{SHEET_MAIN_NS}}}r"
RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class WorkbookError(Exception):
    """A file that cannot be imported at all; nothing is read from it."""


@dataclass(frozen=True)
class CellChange:
    line: BudgetLine
    year: int
    old: str
    new: str


class Listing(list):
    """Messages of one kind: the first MAX_LISTED kept, the rest counted."""

    def __init__(self):
        super().__init__()
        self.more = 0

    def add(self, message: str) -> None:
        if len(self) < MAX_LISTED:
            self.append(message)
        else:
            self.more += 1

    @property
    def count(self) -> int:
        return len(self) + self.more


@dataclass
class Preview:
    edits: list[CellEdit] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)
    unmatched: Listing = field(default_factory=Listing)
    new_initiatives: Listing = field(default_factory=Listing)
    errors: Listing = field(default_factory=Listing)


@dataclass(frozen=True)
class Limits:
    """What a workbook of one strategy can hold: its rows and columns with a margin, and the bytes and shared
    strings of that many cells."""

    rows: int
    columns: int

    @classmethod
    def of(cls, strategy) -> "Limits":
        # The sheet has a heading row per chapter, a row per line and per initiative without a line, and five rows of
        # totals; an analyst may add some.
        rows = (
            HEADER_ROW
            + BudgetLine.objects.for_strategy(strategy).count()
            + strategy.chapters.count()
            + Initiative.objects.for_strategy(strategy).filter(budget_lines__isnull=True).count()
            + 5
        )
        return cls(
            rows=rows + max(ROW_MARGIN, rows // 10), columns=FIRST_YEAR_COLUMN + len(strategy.years) + COLUMN_MARGIN
        )

    @property
    def cells(self) -> int:
        return self.rows * self.columns

    @property
    def part_bytes(self) -> int:
        return min(BYTES_BASE + self.cells * BYTES_PER_CELL, MAX_UNPACKED_BYTES)


def _too_large() -> WorkbookError:
    return WorkbookError(_("The file would unpack to far more than a budget needs; it was not opened."))


def _declared_members(content: bytes) -> int | None:
    """The number of members a zip archive's end record declares; None if it has none (or is a zip64 archive,
    which no workbook of a budget needs)."""
    end = content.rfind(END_OF_ARCHIVE, max(0, len(content) - END_RECORD_SEARCH))
    if end < 0 or end + 12 > len(content):
        return None
    (count,) = struct.unpack_from("<H", content, end + 10)
    return None if count == 0xFFFF else count


def check_archive(content: bytes) -> zipfile.ZipFile:
    """The archive, if its size, its number of members and their unpacked sizes are those of a workbook."""
    if len(content) > MAX_BYTES:
        raise WorkbookError(_("The file is larger than 10 MB."))
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx)."))
    # Counted from the archive's end record before its list of members is read: listing 30.000 takes seconds.
    declared = _declared_members(content)
    if declared is None or declared > MAX_MEMBERS:
        raise WorkbookError(
            _("The workbook has more than %(count)d parts; a budget workbook has a few dozen.") % {"count": MAX_MEMBERS}
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise WorkbookError(_("The file is not an Excel workbook (.xlsx).")) from None
    if len(members) > MAX_MEMBERS:
        raise WorkbookError(
            _("The workbook has more than %(count)d parts; a budget workbook has a few dozen.") % {"count": MAX_MEMBERS}
        )
    unpacked = sum(member.file_size for member in members)
    ratio = max((member.file_size / max(member.compress_size, 1) for member in members), default=0)
    if unpacked > MAX_UNPACKED_BYTES or ratio > MAX_COMPRESSION_RATIO:
        raise _too_large()
    return archive


class _Package:
    """The parts of the archive that the budget sheet needs, each refused if larger than the strategy allows."""

    def __init__(self, archive: zipfile.ZipFile, limits: Limits):
        self.archive, self.limits = archive, limits

    def open(self, name: str):
        try:
            member = self.archive.getinfo(name)
        except KeyError:
            raise WorkbookError(_("The workbook could not be read: %(error)s") % {"error": name}) from None
        if member.file_size > self.limits.part_bytes:
            raise _too_large()
        return self.archive.open(member)

    def read(self, name: str) -> bytes:
        with self.open(name) as source:
            return source.read()

    def relationships(self, part: str) -> list:
        """The relationships of ``part`` to other parts, their targets as paths in the archive."""
        rels = get_rels_path(part)
        if rels not in self.archive.namelist():
            return []
        self.open(rels).close()  # its size checked before openpyxl reads it whole
        return list(get_dependents(self.archive, rels))

    def related(self, part: str, kind: str) -> list[str]:
        """The parts ``part`` refers to with relationships of ``kind`` (the last word of their type)."""
        return [rel.target for rel in self.relationships(part) if rel.Type.rsplit("/", 1)[-1] == kind]

    def sheets(self) -> tuple[str, dict[str, str]]:
        """The workbook part and its sheets' names → parts, refused beyond MAX_SHEETS as the list streams."""
        workbook = next(iter(self.related("_rels/.rels", "officeDocument")), "xl/workbook.xml")
        targets = {rel.id: rel.target for rel in self.relationships(workbook)}
        sheets = {}
        with self.open(workbook) as source:
            for _event, element in iterparse(source):
                if element.tag == SHEET_TAG:
                    if len(sheets) >= MAX_SHEETS:
                        raise WorkbookError(
                            _("The workbook has more than %(count)d sheets; a budget workbook has three.")
                            % {"count": MAX_SHEETS}
                        )
                    sheets[element.get("name")] = targets.get(element.get(RELATIONSHIP_ID))
                    element.clear()
        return workbook, sheets

    def shared_strings(self, workbook: str) -> list[str]:
        """The shared strings, no more than the sheet has cells; text beyond MAX_TEXT is cut (and refused where
        a cell uses it)."""
        strings = []
        for part in self.related(workbook, "sharedStrings"):
            with self.open(part) as source:
                for _event, element in iterparse(source):
                    if element.tag == STRING_TAG:
                        if len(strings) >= self.limits.cells:
                            raise _too_large()
                        strings.append(_string(element)[: MAX_TEXT + 1])
                        element.clear()
        return strings

    def comments(self, sheet: str) -> dict[str, str]:
        """The sheet's comments by cell reference ("F12"), as text."""
        found = {}
        for part in self.related(sheet, "comments"):
            for reference, comment in CommentSheet.from_tree(fromstring(self.read(part))).comments:
                found[reference] = comment.text[: MAX_TEXT + 1]
        return found


def _string(item) -> str:
    """A shared string's text: its plain text, or the text of its rich-text runs (phonetic guides left out).

    What openpyxl's Text.content gives, at a fraction of its cost per string.
    """
    plain = item.find(TEXT_TAG)
    if plain is not None:
        return plain.text or ""
    return "".join(run.findtext(TEXT_TAG, "") for run in item.iterfind(RUN_TAG))


class _SheetParser(WorkSheetParser):
    """openpyxl's streaming sheet parser, telling a formula cell's saved result and whether it is a formula."""

    def parse_cell(self, element):
        cell = super().parse_cell(element)
        cell["formula"] = element.find(FORMULA_TAG) is not None
        return cell


@dataclass(frozen=True)
class _Cell:
    value: object
    formula: bool
    comment: str | None


def _too_long(reference: str, sheet: str) -> WorkbookError:
    return WorkbookError(
        _("Cell %(cell)s of “%(sheet)s” holds more than %(length)d characters; no cell of a budget does.")
        % {"cell": reference, "sheet": sheet, "length": MAX_TEXT}
    )


def sheet_rows(package: _Package, limits: Limits, sheet: str = BUDGET_SHEET) -> dict[int, dict[int, _Cell]]:
    """Row number → column → cell of the sheet (the budget's, or the status report's), refused at the first row
    or column past the limits."""
    workbook, sheets = package.sheets()
    if sheet not in sheets:
        raise WorkbookError(
            _("The workbook has no sheet named “%(sheet)s”; it has %(sheets)s.")
            % {"sheet": sheet, "sheets": ", ".join(str(name)[:100] for name in sheets)}
        )
    part = sheets[sheet]
    outside = WorkbookError(
        _("“%(sheet)s” reaches past row %(rows)d or column %(column)s, more than this strategy's budget needs.")
        % {"sheet": sheet, "rows": limits.rows, "column": get_column_letter(limits.columns)}
    )
    strings, comments = package.shared_strings(workbook), package.comments(part)
    rows = {}
    with package.open(part) as source:
        for number, cells in _SheetParser(source, strings, data_only=True).parse():
            # Spreadsheet programs write cells that only carry formatting, far beyond the data; those are skipped.
            filled = []
            for cell in cells:
                reference = f"{get_column_letter(cell['column'])}{number}"
                if cell["value"] is not None or cell["formula"] or reference in comments:
                    filled.append((reference, cell))
            if not filled:
                continue
            if number > limits.rows or len(rows) >= limits.rows:
                raise outside
            row = rows.setdefault(number, {})
            for reference, cell in filled:
                if cell["column"] > limits.columns:
                    raise outside
                if isinstance(cell["value"], str) and len(cell["value"]) > MAX_TEXT:
                    raise _too_long(reference, sheet)
                row[cell["column"]] = _Cell(cell["value"], cell["formula"], comments.get(reference))
    return rows


def _read_cell(cell: _Cell, correction: bool) -> ParsedCell | None:
    """A cell of the sheet; ``correction`` is whether the stored cell is one, which a workbook cannot say: a
    negative number is taken only where the grid marked the cell as a correction."""
    value, comment = cell.value, cell.comment
    if cell.formula and value is None:
        raise ValueError(_("The formula has no saved result; open the file in Excel or LibreOffice and save it again."))
    if value is None:
        if comment is not None and comment.strip().lower() in ("ukendt", "unknown"):
            return ParsedCell(CellKind.UNKNOWN)
        return None
    if isinstance(value, bool):
        raise ValueError(_("“%(text)s” is not an amount.") % {"text": value})
    if isinstance(value, int | float):
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("“%(text)s” is not an amount.") % {"text": value}) from None
        if not amount.is_finite() or abs(amount) >= 10**9:
            raise ValueError(_("“%(text)s” is not an amount.") % {"text": value})
        if amount != amount.quantize(ONE_DECIMAL):
            raise ValueError(
                _("“%(text)s” has more than one decimal; amounts are in mio. kr. with one decimal.") % {"text": value}
            )
        # The workbook writes a remark as the cell's comment, so a comment beside a number is its remark.
        remark = comment.strip() if comment is not None else ""
        return parse_cell(format(amount.quantize(ONE_DECIMAL), "f"), remark, correction=correction)
    return parse_cell(str(value))


def _text(value, length: int = 100) -> str:
    """A value of the file shown in a message, never longer than ``length``."""
    text = str(value).strip()
    return text if len(text) <= length else text[: length - 1] + "…"


def read_sheet(content: bytes, limits: Limits, sheet: str = BUDGET_SHEET) -> dict[int, dict[int, _Cell]]:
    """The cells of one sheet of an uploaded workbook, read within ``limits``; a WorkbookError for any file that
    cannot be read so."""
    try:
        with check_archive(content) as archive:
            return sheet_rows(_Package(archive, limits), limits, sheet)
    except WorkbookError:
        raise
    except Exception as error:  # openpyxl, defusedxml and zipfile raise many kinds; each means the same to the user
        raise WorkbookError(_("The workbook could not be read: %(error)s") % {"error": type(error).__name__}) from None


def read_workbook(strategy, content: bytes) -> Preview:
    """Every cell of the uploaded budget sheet that differs from the database, and every problem, by cell."""
    rows = read_sheet(content, Limits.of(strategy))
    years = list(strategy.years)
    expected = header(years)
    heading = rows.get(HEADER_ROW, {})
    found = [_text(getattr(heading.get(column), "value", None) or "") for column in range(1, len(expected) + 1)]
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
    current = StoredCell.by_line(Allocation.objects.filter(line__strategy=strategy))
    chapter_titles = {chapter.title for chapter in strategy.chapters.all()}
    labels = set()
    initiative_titles = list(Initiative.objects.for_strategy(strategy).values_list("title", flat=True))
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels |= {
                _("Total"),
                _("Total as published"),
                _("Frame"),
                _("In the published total but in no row"),
                _("Left of the frame"),
            }
            # The sheet lists an initiative without a line of its own as the page does, with the page's hint.
            labels |= {f"{title} {no_line_hint()}" for title in initiative_titles}
    preview, seen = Preview(), {}
    for row in sorted(number for number in rows if number > HEADER_ROW):
        cells = rows[row]
        line_id = getattr(cells.get(1), "value", None)
        title = str(getattr(cells.get(3), "value", None) or "").strip()
        if line_id in (None, ""):
            if title and title not in chapter_titles and title not in labels:
                preview.new_initiatives.add(_("Row %(row)d: %(title)s") % {"row": row, "title": _text(title)})
            continue
        line = lines.get(line_id) if isinstance(line_id, int) else None
        if line is None:
            preview.unmatched.add(
                _("Row %(row)d: line id %(id)s, “%(title)s”")
                % {"row": row, "id": _text(line_id, 20), "title": _text(title)}
            )
            continue
        if line.pk in seen:
            preview.errors.add(
                _("Row %(row)d: line id %(id)s is already in row %(first)d; each line may come once.")
                % {"row": row, "id": line.pk, "first": seen[line.pk]}
            )
            continue
        seen[line.pk] = row
        for index, year in enumerate(years):
            column = FIRST_YEAR_COLUMN + index
            where = f"{BUDGET_SHEET}!{get_column_letter(column)}{row}"
            existing = current[line.pk].get(year)
            try:
                parsed = _read_cell(
                    cells.get(column, _Cell(None, False, None)), existing is not None and existing.is_correction
                )
            except ValueError as error:
                preview.errors.add(f"{where}: {error}")
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
