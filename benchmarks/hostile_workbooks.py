"""The workbooks of the outside security test (issue 21) that passed every import check of the time and still
exhausted the workers, rebuilt from an honest export of the strategy they are uploaded to.

Each stays within the checks it passed then: at most 10 MB, at most 100 MB unpacked, at most 200:1 per part.
`make bench` times the import of each against the import of the honest workbook (benchmarks.suite), and
tests/test_workbook_import.py holds each to a bound of memory.
"""

import io
import random
import re
import zipfile
from xml.sax.saxutils import escape

BUDGET_PART = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Words to make text that compresses about as well as prose: far less than 200:1, as the old check required.
WORDS = (
    "life science strategi initiativ forskning klinisk sundhedsdata eksport vækst ramme finansieret mio kr "
    "midler aftale region kommune virksomhed produktion innovation data patient behandling"
).split()


DATA_PART = "xl/worksheets/sheet2.xml"
# The old checks: at most 100 MB unpacked. The files fill what the budget sheet leaves of it.
UNPACKED = 97 * 1024 * 1024
EMPTY_SHEET = f'<worksheet xmlns="{MAIN}"><sheetData /></worksheet>'.encode()


def _rebuilt(honest: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    """The honest workbook with some parts replaced and others added; the data sheet, which the import never reads
    and which for a large strategy is most of the file, left empty."""
    source, result = zipfile.ZipFile(io.BytesIO(honest)), io.BytesIO()
    replace = {DATA_PART: EMPTY_SHEET, **replace}
    with zipfile.ZipFile(result, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for member in source.infolist():
            archive.writestr(member.filename, replace.get(member.filename, source.read(member.filename)))
        for name, data in (add or {}).items():
            archive.writestr(name, data)
    return result.getvalue()


def _room(honest: bytes) -> int:
    """Bytes left under the old limit of 100 MB unpacked beside the honest parts."""
    members = zipfile.ZipFile(io.BytesIO(honest)).infolist()
    return UNPACKED - sum(member.file_size for member in members if member.filename != DATA_PART)


def _budget_sheet(honest: bytes) -> str:
    # Without its declared size, the sheet's rows themselves must be checked as they are read.
    return re.sub(r"<dimension [^>]*/>", "", zipfile.ZipFile(io.BytesIO(honest)).read(BUDGET_PART).decode())


def _with_rows(honest: bytes, rows: str) -> bytes:
    sheet = _budget_sheet(honest)
    return _rebuilt(honest, {BUDGET_PART: sheet.replace("</sheetData>", rows + "</sheetData>").encode()})


def _prose(characters: int, seed: int, vocabulary=WORDS) -> str:
    """Words at random, repeated every 100.000 characters: beyond deflate's window, so no cheaper to pack."""
    words = random.Random(seed)
    block = " ".join(words.choice(vocabulary) for _ in range(20_000))[:100_000]
    return (block * (characters // len(block) + 1))[:characters]


def _text_cell(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'


def _line_rows(line_ids: list[int], first_row: int, cells) -> str:
    """Rows naming the given lines, one per id, with ``cells(row)`` in the year columns."""
    rows = []
    for offset, line_id in enumerate(line_ids):
        row = first_row + offset
        rows.append(f'<row r="{row}"><c r="A{row}"><v>{line_id}</v></c>{cells(row)}</row>')
    return "".join(rows)


def huge_cells(honest: bytes, line_ids: list[int], count: int = 50) -> bytes:
    """Cells of about 2 MB of text each, the archive just under 100 MB unpacked."""
    ids = [line_ids[index % len(line_ids)] for index in range(count)]
    characters = _room(honest) // count - 100

    def cell(row):
        return _text_cell(f"D{row}", "Er finansieret " + _prose(characters, row, WORDS[:4]))

    return _with_rows(honest, _line_rows(ids, 1000, cell))


def many_sheets(honest: bytes, count: int = 30_000) -> bytes:
    """A workbook of tens of thousands of (empty) sheets."""
    source = zipfile.ZipFile(io.BytesIO(honest))
    workbook = source.read("xl/workbook.xml").decode()
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    types = source.read("[Content_Types].xml").decode()
    sheets = "".join(f'<sheet name="Ark{n}" sheetId="{n + 10}" r:id="rIdX{n}" />' for n in range(count))
    links = "".join(
        f'<Relationship Type="{RELATIONSHIPS}/worksheet" Target="/xl/worksheets/x{n}.xml" Id="rIdX{n}" />'
        for n in range(count)
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/x{n}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml" />'
        for n in range(count)
    )
    return _rebuilt(
        honest,
        {
            "xl/workbook.xml": workbook.replace("</sheets>", sheets + "</sheets>").encode(),
            "xl/_rels/workbook.xml.rels": rels.replace("</Relationships>", links + "</Relationships>").encode(),
            "[Content_Types].xml": types.replace("</Types>", overrides + "</Types>").encode(),
        },
        {f"xl/worksheets/x{n}.xml": EMPTY_SHEET for n in range(count)},
    )


def repeated_rows(honest: bytes, line_id: int, count: int = 60_000) -> bytes:
    """Tens of thousands of rows naming the same budget line, each with a new amount in every year."""
    return _with_rows(
        honest,
        _line_rows(
            [line_id] * count,
            1000,
            lambda row: f'<c r="D{row}"><v>{row % 90}.5</v></c><c r="E{row}"><v>1</v></c><c r="F{row}"><v>2</v></c>',
        ),
    )


def shared_strings(honest: bytes, count: int = 1_500_000) -> bytes:
    """A shared-string table of a million and a half strings (fewer where the budget sheet leaves less room), none
    of them used."""
    count = min(count, _room(honest) // 66)
    source = zipfile.ZipFile(io.BytesIO(honest))
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    types = source.read("[Content_Types].xml").decode()
    words = random.Random(1)
    table = "".join(
        f"<si><t>{n:07d} {words.choice(WORDS[:4])} {words.choice(WORDS[:4])} strategi for life science</t></si>"
        for n in range(count)
    )
    return _rebuilt(
        honest,
        {
            "xl/_rels/workbook.xml.rels": rels.replace(
                "</Relationships>",
                f'<Relationship Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml" Id="rIdS" />'
                "</Relationships>",
            ).encode(),
            "[Content_Types].xml": types.replace(
                "</Types>",
                '<Override PartName="/xl/sharedStrings.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
                "</Types>",
            ).encode(),
        },
        {"xl/sharedStrings.xml": f'<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">{table}</sst>'.encode()},
    )


def long_errors(honest: bytes, line_ids: list[int], count: int = 3000) -> bytes:
    """Thousands of cells of up to 32.000 characters that are no amount: each error message repeated its cell."""
    rows = -(-count // 3)
    characters = min(32_000, _room(honest) // count - 50)
    ids = [line_ids[index % len(line_ids)] for index in range(rows)]
    text = "x" + _prose(characters - 1, 7)
    return _with_rows(
        honest, _line_rows(ids, 1000, lambda row: "".join(_text_cell(f"{column}{row}", text) for column in "DEF"))
    )


def far_cell(honest: bytes) -> bytes:
    """One cell in the sheet's last row, 1.048.576."""
    return _with_rows(honest, '<row r="1048576"><c r="A1048576"><v>1</v></c></row>')


def hostile_workbooks(honest: bytes, line_ids: list[int]) -> dict:
    """Name → a function building the file, in the order of the issue's table."""
    return {
        "50 cells at the size limit": lambda: huge_cells(honest, line_ids),
        "30.000 sheets": lambda: many_sheets(honest),
        "60.000 rows naming one line": lambda: repeated_rows(honest, line_ids[0]),
        "1,5 M shared strings": lambda: shared_strings(honest),
        "3.000 long error cells": lambda: long_errors(honest, line_ids),
        "one cell in row 1.048.576": lambda: far_cell(honest),
    }
