"""Every workbook, its formulas recalculated by LibreOffice as a reader's spreadsheet would, holds what its page holds,
cell by cell, and never turns an unknown cell into a number.

Each test converts its workbooks with one run of LibreOffice (``soffice --headless --convert-to xlsx``), in the
reader's locale, and reads the recalculated values with openpyxl.
"""

import io
import re
from datetime import UTC
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation

from budgets.cells import parse_cell
from budgets.models import BudgetLine
from budgets.numbers import format_amount
from budgets.workbooks import BUDGET_SHEET, DATA_SHEET, HEADER_ROW, NOTES_SHEET
from editing.history import changes
from editing.services import CellEdit, save_grid
from initiatives.models import Strategy
from tests.helpers import change_cell, publish_draft, table_rows

pytestmark = pytest.mark.django_db

# A literal a number format prints beside the number: the footnote marker of 100,0** ("…"), LibreOffice's \\* too.
LITERAL = re.compile(r'"([^"]*)"|\\(.)')


def shown(cell, language="da") -> str:
    """A recalculated cell as a reader sees it: numbers in the workbook's number format, in the reader's notation."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    number_format = cell.number_format or "General"
    with translation.override(language):
        if "%" in number_format:
            return f"{format_amount(Decimal(repr(value)) * 100)} %"
        if number_format.startswith("#,##0.0"):
            suffix = "".join(quoted or escaped for quoted, escaped in LITERAL.findall(number_format[len("#,##0.0") :]))
            return format_amount(Decimal(repr(value))) + suffix
    return str(int(value)) if float(value).is_integer() else str(value)


def sheet_rows(sheet, columns: int, first_row=1, language="da") -> list[list[str]]:
    """The shown text of the first ``columns`` cells of each row that holds anything, without the blank cells that
    end a row of fewer cells (a title, a heading)."""
    rows = []
    for row in sheet.iter_rows(min_row=first_row, max_col=columns):
        cells = [shown(cell, language) for cell in row[:columns]]
        if any(cells):
            while len(cells) > 1 and cells[-1] == "" and row[len(cells) - 1].value is None:
                cells.pop()
            rows.append(cells)
    return rows


def download(client, url) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content


def page_table(client, url, table_id) -> list[list[str]]:
    return table_rows(download(client, url).decode(), table_id)


def budget_sheet_as_page(workbook, sheet_name=BUDGET_SHEET, language="da") -> list[list[str]]:
    """The budget sheet's rows as the page prints them: no line ids, a chapter's number and title in one cell."""
    sheet = workbook[sheet_name]
    width = sheet.max_column
    rows = []
    for row in sheet.iter_rows(min_row=HEADER_ROW + 1, max_col=width):
        cells = [shown(cell, language) for cell in row]
        line_id, number, title, values = cells[0], cells[1], cells[2], cells[3:]
        if line_id == "" and number and row[1].font.b:  # a chapter's heading, its number in bold
            rows.append([f"{number}. {title}", *values])
        else:
            rows.append([number, title, *values])
    return rows


def strategy_page(client, slug, language="da"):
    prefix = "/en" if language == "en" else ""
    return page_table(client, f"{prefix}/strategies/{slug}/", "budget-table")[1:]


class TestStrategyWorkbooks:
    def test_each_strategys_recalculated_workbook_holds_its_page_cell_by_cell(self, client, recalculated):
        workbooks = recalculated(**{slug: download(client, f"/strategies/{slug}/export.xlsx") for slug in SLUGS})

        for slug in SLUGS:
            assert budget_sheet_as_page(workbooks[slug]) == strategy_page(client, slug), slug

    def test_the_growth_plans_workbook_shows_unknown_where_its_sums_are_and_no_zero_total(self, client, recalculated):
        sheet = recalculated(s2018=download(client, "/strategies/2018/export.xlsx"))["s2018"][BUDGET_SHEET]
        by_label = {row[2].value: [cell.value for cell in row[3:]] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)}

        assert by_label["I alt"] == ["ukendt"] * 5
        assert by_label["Tilbage af rammen"] == ["ukendt"] * 5
        assert by_label["Ramme"] == [30, 30, 30, 30, 120]
        sums = [row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if row[0].value is None and row[2].value]
        assert not any(cell.value == 0 for row in sums for cell in row[3:])
        assert len([row for row in sheet.iter_rows(min_row=HEADER_ROW + 1) if isinstance(row[0].value, int)]) == 18

    def test_the_2030_workbook_holds_chapter_1_the_initiatives_without_a_row_and_both_markers(
        self, client, recalculated
    ):
        sheet = recalculated(s2030=download(client, "/strategies/2030/export.xlsx"))["s2030"][BUDGET_SHEET]
        rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=HEADER_ROW + 1)]
        without_line = [
            row[1].value for row in rows if row[0].value is None and "ingen egen række" in str(row[2].value)
        ]

        assert [rows[0][1].value, rows[0][2].value] == [1, "Et stærkere vækstlag"]
        assert without_line == ["1.1", "2.3", "3.1", "4.3", "4.4", "4.5", "6.2", "6.3"]
        marked = {row[2].value for row in rows if str(row[2].value).endswith("*")}
        assert marked == {"Udpege nye industriparker*", "Oprette one-stop-shop for produktionsvirksomheder*"}
        published = next(row for row in rows if row[2].value == "I alt som offentliggjort")
        explained = next(row for row in rows if row[2].value == "I den offentliggjorte total, men i ingen række")
        left = next(row for row in rows if row[2].value == "Tilbage af rammen")
        assert (shown(published[3]), shown(explained[3]), shown(left[3])) == ("100,0**", "0,9**", "0,0")

    def test_a_partly_known_sum_reads_at_least_its_known_part_in_the_page_and_the_workbook(self, client, recalculated):
        change_cell("2018", 2019, amount="1234.5", title__contains="Trial Nation")
        publish_draft("2018")

        for language in ("da", "en"):
            prefix = "/en" if language == "en" else ""
            workbook = recalculated(language, s2018=download(client, f"{prefix}/strategies/2018/export.xlsx"))["s2018"]
            page = strategy_page(client, "2018", language)
            assert budget_sheet_as_page(workbook, language=language) == page
            total = next(row for row in page if row[1] in ("I alt", "Total"))
            assert total[3] == {"da": "mindst 1.234,5 + ukendt", "en": "at least 1,234.5 + unknown"}[language]

    def test_its_data_sheet_speaks_the_readers_language_and_its_notes_wrap(self, client):
        danish = openpyxl.load_workbook(io.BytesIO(download(client, "/strategies/2021/export.xlsx")))
        english = openpyxl.load_workbook(io.BytesIO(download(client, "/en/strategies/2021/export.xlsx")))

        assert [cell.value for cell in danish[DATA_SHEET][1]][:3] == ["Celle-id", "Strategi", "Strategiens titel"]
        assert [cell.value for cell in english[DATA_SHEET][1]][:3] == ["Cell id", "Strategy", "Strategy title"]
        notes = danish[NOTES_SHEET]
        assert all(row[0].alignment.wrap_text and row[1].alignment.wrap_text for row in notes.iter_rows())
        remark = next(row for row in notes.iter_rows() if row[1].value == "Øvrig 5 er finansieret")
        assert remark[0].value.startswith("Videreførsel af life science enhed")
        assert danish[BUDGET_SHEET]["B5"].value == 1  # numbers as numbers, not as text


SLUGS = ("2018", "2021", "2030")


class TestAllStrategiesWorkbook:
    def test_its_overview_holds_the_overview_pages_tables_cell_by_cell(self, client, recalculated):
        workbook = recalculated(all=download(client, "/export.xlsx"))["all"]
        overview = workbook["Overblik"]
        yearly = page_table(client, "/", "yearly-funding")
        strategies = page_table(client, "/", "strategies")
        rows = sheet_rows(overview, columns=6)

        assert rows[0] == ["Bevillinger pr. år"]
        assert rows[1][0].startswith("mio. kr.; strategien mod 2030 i 2024-priser")
        assert rows[2 : 3 + len(yearly) - 1] == yearly
        start = rows.index(["Strategierne"]) + 1
        assert rows[start : start + len(strategies)] == strategies
        assert rows[6] == ["2021", "ukendt", "70,0", "", "mindst 70,0 + ukendt", "100,0"]

    def test_it_holds_every_strategys_budget_sheet_as_its_page_and_the_data_and_notes(self, client, recalculated):
        workbook = recalculated(all=download(client, "/export.xlsx"))["all"]

        for slug in SLUGS:
            assert budget_sheet_as_page(workbook, f"Budget {slug}") == strategy_page(client, slug), slug
        notes = [cell.value for row in workbook[NOTES_SHEET].iter_rows() for cell in row]
        assert any("brofinansiering på i alt 0,9 mio. kr." in str(value) for value in notes)
        assert workbook[DATA_SHEET].max_row == 217 + 1


class TestComparisonWorkbook:
    def test_it_holds_the_compare_page_cell_by_cell_with_its_total_and_changes_as_formulas(self, client, recalculated):
        query = "year=2020&year=2021&year=2023&year=2024"
        content = download(client, f"/compare/export.xlsx?{query}")
        sheet = recalculated(comparison=content)["comparison"].active
        page = page_table(client, f"/compare/?{query}", "comparison")
        formulas = openpyxl.load_workbook(io.BytesIO(content)).active

        assert sheet_rows(sheet, columns=len(page[0])) == page
        total_row = sheet.max_row
        assert formulas.cell(total_row, 2).value.startswith("=IF(")  # the total is a formula of the rows
        assert page[-1][:5] == ["I alt", "ukendt", "mindst 70,0 + ukendt", "100,4", "99,1"]
        assert page[-1][-2:] == ["-1,3", "-1,3 %"]
        assert formulas.column_dimensions["A"].width == 60


class TestChangeLogWorkbook:
    def test_it_gives_copenhagen_times_and_amounts_as_numbers(self, client, make_editor):
        strategy = Strategy.objects.get(slug="2021")
        editor = make_editor("anna", "2021")
        line = BudgetLine.objects.get(strategy=strategy, initiatives__number="26")
        version = line.allocations.get(year=2022).version
        save_grid(strategy, editor, [CellEdit(line.pk, 2022, parse_cell("17,2"), version)], "Omprioritering")
        client.force_login(editor)

        sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/strategies/2021/changes/export.xlsx"))).active
        row = next(sheet.iter_rows(min_row=2, values_only=True))
        recorded = next(iter(changes(strategy))).at

        assert row[4:6] == (16.8, 17.2)
        assert row[0] == timezone.localtime(recorded).replace(tzinfo=None, microsecond=0)
        assert row[0] != recorded.astimezone(UTC).replace(tzinfo=None, microsecond=0)  # Copenhagen, not UTC
