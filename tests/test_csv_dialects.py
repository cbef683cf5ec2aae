"""Every CSV file in two dialects: RFC 4180 for programs, and ?dialect=excel-da for a Danish spreadsheet."""

import csv
import io
import re
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal

import openpyxl
import pytest

pytestmark = pytest.mark.django_db

URLS = [
    "/?export=csv",
    "/strategies/2021/?export=csv",
    "/initiatives/?export=csv",
    "/compare/?year=2023&year=2024&export=csv",
    "/compare/?by=chapter&export=csv",
    "/strategies/2030/progress/?export=csv",
    "/api/allocations.csv",
    "/api/initiatives.csv",
    "/api/versions.csv",
]
DOT_NUMBER = re.compile(r"^-?\d+\.\d$|^-?\d+$")
COMMA_NUMBER = re.compile(r"^-?\d+,\d$|^-?\d+$")
LOOKS_NUMERIC = re.compile(r"^[-+−]?[\d.,]+ ?%?$")
# Numbers that name things ("5.2", the second initiative of chapter 5) are text, in a text column of their own.
LABELS = {"number", "Nr.", "initiative_numbers"}


def body(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("text/csv; charset=utf-8")
    return b"".join(response.streaming_content) if response.streaming else response.content


def columns(text: str, delimiter: str) -> tuple[list[str], dict[str, list[str]]]:
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    values = defaultdict(list)
    for row in rows[1:]:
        assert len(row) == len(rows[0])
        for name, value in zip(rows[0], row, strict=True):
            values[name].append(value)
    return rows[0], values


@pytest.mark.parametrize("url", URLS)
def test_it_serves_rfc_4180_with_ascii_names_and_decimal_points_by_default(client, url):
    raw = body(client, url)

    assert not raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8")
    assert text.count("\r\n") == text.count("\n") > 1
    header, values = columns(text, ",")
    assert all(re.fullmatch(r"[a-z0-9_]+", name) for name in header), header
    for name, column in values.items():
        numeric = [value for value in column if LOOKS_NUMERIC.match(value) and name not in LABELS]
        assert all(DOT_NUMBER.match(value) for value in numeric), (name, numeric)


@pytest.mark.parametrize("url", URLS)
def test_it_serves_a_danish_spreadsheet_semicolons_decimal_commas_a_bom_and_crlf(client, url):
    raw = body(client, f"{url}{'&' if '?' in url else '?'}dialect=excel-da")

    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.count("\r\n") == text.count("\n") > 1
    _, values = columns(text, ";")
    assert len(values) > 2
    for name, column in values.items():
        numeric = [value for value in column if LOOKS_NUMERIC.match(value) and name not in LABELS]
        assert all(COMMA_NUMBER.match(value) for value in numeric), (name, numeric)


def test_the_danish_comparison_has_readers_headings_and_per_cent_as_a_number(client):
    text = body(client, "/compare/?year=2023&year=2024&export=csv&dialect=excel-da").decode("utf-8-sig")

    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Tema", "2023", "2024", "2024 − 2023 (mio. kr.)", "2024 − 2023 (%)"]
    assert rows[-1] == ["I alt", "100,4", "99,1", "-1,3", "-1,3"]


def test_the_comparison_for_programs_names_its_columns_in_ascii(client):
    rows = list(csv.reader(io.StringIO(body(client, "/compare/?year=2023&year=2024&export=csv").decode())))

    assert rows[0] == ["label", "2023", "2024", "change_2023_2024", "change_percent_2023_2024"]
    assert rows[-1] == ["I alt", "100.4", "99.1", "-1.3", "-1.3"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/compare/?export=csv&dialect=excel", "CSV findes i dialekterne rfc4180, excel-da"),
        ("/api/allocations.csv?dialect=semicolon", "CSV findes i dialekterne rfc4180, excel-da"),
    ],
)
def test_it_refuses_a_dialect_it_does_not_have(client, url, message):
    response = client.get(url)

    assert response.status_code == 400
    assert message in response.content.decode()


def test_danish_pages_link_the_table_as_csv_for_excel(client):
    danish = client.get("/strategies/2021/").content.decode()
    english = client.get("/en/strategies/2021/").content.decode()

    assert 'href="?export=csv&amp;dialect=excel-da" download>CSV til Excel</a>' in danish
    assert "dialect=excel-da" not in english


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_opening_it_as_danish_excel_reads_numbers_that_sum_to_the_source(client, tmp_path):
    # The Danish spreadsheet's way of opening a CSV: semicolons, UTF-8, Danish number notation (language 1030).
    (tmp_path / "allocations.csv").write_bytes(body(client, "/api/allocations.csv?strategy=2021&dialect=excel-da"))
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--convert-to",
            "xlsx",
            "--infilter=CSV:59,34,76,1,,1030",
            "--outdir",
            str(tmp_path),
            str(tmp_path / "allocations.csv"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    rows = list(openpyxl.load_workbook(tmp_path / "allocations.xlsx").active.values)
    header = list(rows[0])
    year, amount = header.index("year"), header.index("amount")
    sums = defaultdict(Decimal)
    for row in rows[1:]:
        assert row[amount] is None or isinstance(row[amount], int | float), row
        sums[row[year]] += Decimal(str(row[amount] or 0))

    assert {year: total.quantize(Decimal("0.1")) for year, total in sums.items()} == {
        2021: Decimal("70.0"),
        2022: Decimal("100.4"),
        2023: Decimal("100.4"),
    }
