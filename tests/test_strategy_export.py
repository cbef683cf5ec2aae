import io
import tempfile
from decimal import Decimal

import openpyxl
import pytest
from pycel import ExcelCompiler

from budgets.models import Allocation, CellKind
from budgets.workbooks import BUDGET_SHEET, DATA_SHEET, NOTES_SHEET
from initiatives.models import Initiative
from tracking.workbooks import STATUS_SHEET

pytestmark = pytest.mark.django_db


def download(client, url="/strategies/2021/export.xlsx") -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response.content


def rows(content: bytes, sheet=BUDGET_SHEET):
    return list(openpyxl.load_workbook(io.BytesIO(content))[sheet].iter_rows(values_only=True))


def computed(content: bytes, path: str):
    """What Excel would show: the workbook's own formulas evaluated by pycel."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(content)
        file.flush()
        return round(ExcelCompiler(filename=file.name).evaluate(path), 1)


class TestStrategyExport:
    def test_it_computes_the_published_totals_with_its_own_formulas(self, client):
        content = download(client)
        total_row = next(index for index, row in enumerate(rows(content), start=1) if row[2] == "I alt")

        assert [computed(content, f"{BUDGET_SHEET}!{column}{total_row}") for column in "DEF"] == [70.0, 100.4, 100.4]
        assert rows(content)[total_row - 1][3].startswith("=")
        left = [computed(content, f"{BUDGET_SHEET}!{column}{total_row + 3}") for column in "DEF"]
        assert left == [0.0, 0.0, 0.0]

    def test_it_holds_exactly_the_databases_cells(self, client):
        content = download(client)
        by_line = {row[0]: row for row in rows(content) if isinstance(row[0], int)}

        for cell in Allocation.objects.filter(line__strategy__slug="2021"):
            written = by_line[cell.line_id][3 + cell.year - 2021]
            if cell.kind == CellKind.AMOUNT:
                assert Decimal(str(written)) == cell.amount
            elif cell.kind == CellKind.FINANCED_ELSEWHERE:
                assert written == cell.text

    def test_it_lays_out_and_prints_like_the_source_table(self, client):
        workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
        sheet = workbook[BUDGET_SHEET]

        assert workbook.sheetnames == [BUDGET_SHEET, DATA_SHEET, NOTES_SHEET, STATUS_SHEET]
        assert sheet.freeze_panes == "D4"
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.print_title_rows == "$3:$3"
        assert sheet["E6"].value == 4.5 and sheet["E6"].number_format == "#,##0.0"
        assert workbook.properties.subject == "2021"
        assert workbook.properties.keywords == "published"
        assert sheet["B4"].value == "1" and sheet["C4"].value == "Bedre rammer for forskning og udvikling"

    def test_it_marks_unknown_cells_with_a_comment(self, client):
        sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/strategies/2018/export.xlsx")))[BUDGET_SHEET]
        trial = next(row for row in sheet.iter_rows(min_row=4) if "Trial Nation" in str(row[2].value))

        assert trial[3].value is None
        assert trial[3].comment.text == "ukendt"

    def test_it_gives_the_flat_data_as_an_excel_table(self, client):
        workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
        data = workbook[DATA_SHEET]

        assert list(data.tables) == ["Data2021"]
        assert (
            data.tables["Data2021"].ref == f"A1:Q{Allocation.objects.filter(line__strategy__slug='2021').count() + 1}"
        )

    def test_it_writes_formula_like_titles_as_text(self, client):
        initiative = Initiative.objects.get(chapter__strategy__slug="2021", number="26")
        line = initiative.budget_lines.get()
        line.title = '=HYPERLINK("http://evil.example","klik")'
        line.save()
        initiative.title = "+cmd|' /C calc'!A0"
        initiative.save()

        sheet = openpyxl.load_workbook(io.BytesIO(download(client)))[BUDGET_SHEET]
        cell = next(row[2] for row in sheet.iter_rows(min_row=4) if row[0].value == line.pk)

        assert cell.value == '=HYPERLINK("http://evil.example","klik")'
        assert cell.data_type == "s"
        assert cell.quotePrefix

    def test_it_drops_control_characters_excel_cannot_hold_without_uncovering_a_formula(self, client):
        # The admin stores a title with a control character; a leading one once hid "=" from the check.
        line = Initiative.objects.get(chapter__strategy__slug="2021", number="26").budget_lines.get()
        line.title = '\x01=HYPERLINK("http://evil.example","klik")'
        line.save()

        workbook = openpyxl.load_workbook(io.BytesIO(download(client)))
        budget = next(row[2] for row in workbook[BUDGET_SHEET].iter_rows(min_row=4) if row[0].value == line.pk)
        data = [cell for row in workbook[DATA_SHEET].iter_rows() for cell in row if cell.value == budget.value]

        assert budget.value == '=HYPERLINK("http://evil.example","klik")'
        assert (budget.data_type, budget.quotePrefix) == ("s", True)
        assert data and all((cell.data_type, cell.quotePrefix) == ("s", True) for cell in data)


class TestOtherWorkbooks:
    def test_it_exports_every_strategy_with_an_overview(self, client):
        workbook = openpyxl.load_workbook(io.BytesIO(download(client, "/export.xlsx")))

        assert workbook.sheetnames == ["Overblik", "Budget 2018", "Budget 2021", "Budget 2030"]
        overview = list(workbook["Overblik"].iter_rows(values_only=True))
        assert overview[0] == ("År", "Vækstplan 2018", "Strategi 2021", "Strategi 2030")
        assert overview[7][3] == pytest.approx(99.1)

    def test_it_exports_the_comparison_with_differences_as_formulas(self, client):
        content = download(client, "/compare/export.xlsx?year=2023&year=2024")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        last = sheet.max_row

        assert [sheet.cell(last, column).value for column in (1, 2, 3)] == ["I alt", 100.4, 99.1]
        assert sheet.cell(last, 4).value == f"=C{last}-B{last}"
        assert computed(content, f"Sammenligning!D{last}") == -1.3

    def test_it_exports_the_change_log_to_editors_only(self, client, make_editor):
        assert client.get("/strategies/2021/changes/export.xlsx").status_code == 302
        client.force_login(make_editor("anna", "2021"))
        sheet = openpyxl.load_workbook(io.BytesIO(download(client, "/strategies/2021/changes/export.xlsx"))).active

        assert [cell.value for cell in sheet[1]] == [
            "Hvornår",
            "Hvem",
            "Budgetlinje",
            "År",
            "Før",
            "Efter",
            "Begrundelse",
        ]
