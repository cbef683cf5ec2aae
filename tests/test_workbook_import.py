import io
import tracemalloc
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks import hostile_workbooks as hostile
from budgets.models import Allocation, BudgetLine
from budgets.synthetic import generate_data
from budgets.workbooks import strategy_workbook
from editing.history import changes
from editing.imports import MAX_LISTED
from editing.views import IMPORT_SESSION_KEY
from initiatives.models import Strategy
from publication.editions import Edition
from tests.helpers import cell_snapshot

pytestmark = pytest.mark.django_db

URL = "/strategies/2021/import/"


def exported(client) -> bytes:
    return client.get("/strategies/2021/export.xlsx").content


def edited(content: bytes, edit) -> bytes:
    """The workbook after an analyst's edit in a spreadsheet program (openpyxl keeps cached values out)."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    edit(workbook)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def row_of(sheet, number: str) -> int:
    line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number=number)
    return next(row[0].row for row in sheet.iter_rows(min_row=4) if row[0].value == line.pk)


def upload(client, content: bytes, name="budget.xlsx"):
    return client.post(URL, {"workbook": SimpleUploadedFile(name, content)})


@pytest.fixture
def editor(client, make_editor):
    user = make_editor("analytiker", "2021")
    client.force_login(user)
    return user


def change_26_in_2022(workbook):
    sheet = workbook["Budget"]
    sheet.cell(row_of(sheet, "26"), 5).value = 15.8


class TestWorkbookImport:
    def test_it_previews_exactly_the_one_changed_cell_and_imports_it_as_one_revertable_save(self, client, editor):
        before = cell_snapshot()
        response = upload(client, edited(exported(client), change_26_in_2022))

        assert response.status_code == 200
        preview = response.context["preview"]
        assert [
            (change.line.initiatives.get().number, change.year, change.old, change.new) for change in preview.changes
        ] == [("26", 2022, "16,8", "15,8")]
        assert cell_snapshot() == before

        confirmed = client.post(URL, {"confirm": "1", "reason": "Regneark fra analytiker"})

        assert confirmed.status_code == 302
        cell = Allocation.objects.get(line__initiatives__number="26", line__strategy__slug="2021", year=2022)
        assert cell.amount == Decimal("15.8")
        logged = [
            change
            for change in changes(Strategy.objects.get(slug="2021"))
            if change.reason == "Regneark fra analytiker"
        ]
        assert len(logged) == 1 and logged[0].username == "analytiker"

    def test_it_shows_no_change_for_an_untouched_export(self, client, editor):
        response = upload(client, exported(client))

        assert response.status_code == 200
        assert response.context["preview"].changes == []
        assert response.context["preview"].errors == []

    @pytest.mark.parametrize("slug", ["2018", "2030"])
    def test_it_reads_back_unknown_cells_and_rows_without_a_line_after_a_spreadsheet_saved_them(
        self, client, make_editor, recalculated, slug
    ):
        client.force_login(make_editor("analytiker", slug))
        saved = recalculated(raw=True, budget=client.get(f"/strategies/{slug}/export.xlsx").content)["budget"]

        response = client.post(f"/strategies/{slug}/import/", {"workbook": SimpleUploadedFile("budget.xlsx", saved)})

        assert response.status_code == 200
        preview = response.context["preview"]
        assert (preview.changes, list(preview.errors), list(preview.new_initiatives)) == ([], [], [])

    def test_it_names_the_cell_with_text_in_an_amount_cell_and_imports_nothing(self, client, editor):
        def text_in_amount(workbook):
            sheet = workbook["Budget"]
            sheet.cell(row_of(sheet, "27"), 6).value = "mange penge"
            change_26_in_2022(workbook)

        before = cell_snapshot()
        response = upload(client, edited(exported(client), text_in_amount))

        assert response.status_code == 400
        assert any(
            error.startswith("Budget!F") and "mange penge" in error for error in response.context["preview"].errors
        )
        assert client.post(URL, {"confirm": "1", "reason": "x"}).status_code == 302
        assert cell_snapshot() == before

    def test_it_refuses_a_formula_without_a_cached_value(self, client, editor):
        def formula(workbook):
            sheet = workbook["Budget"]
            sheet.cell(row_of(sheet, "26"), 5).value = "=16+1"

        response = upload(client, edited(exported(client), formula))

        assert response.status_code == 400
        assert "intet gemt resultat" in " ".join(response.context["preview"].errors)

    def test_it_lists_rows_it_cannot_match_and_new_rows(self, client, editor):
        def extra_rows(workbook):
            sheet = workbook["Budget"]
            sheet.append([999999, "99", "Ukendt linje", 1.0])
            sheet.append([None, "40", "Nyt initiativ", 2.0])

        preview = upload(client, edited(exported(client), extra_rows)).context["preview"]

        assert any("999999" in row for row in preview.unmatched)
        assert any("Nyt initiativ" in row for row in preview.new_initiatives)

    @pytest.mark.parametrize(
        "breakage, message",
        [
            (lambda wb: setattr(wb["Budget"], "title", "Ark1"), "intet ark med navnet “Budget”"),
            (lambda wb: wb["Budget"].move_range("D3:F3", cols=1), "kolonner er flyttet"),
            (lambda wb: setattr(wb["Budget"]["F3"], "value", "2024"), "uden for 2021–2023"),
        ],
    )
    def test_it_refuses_a_workbook_whose_layout_changed(self, client, editor, breakage, message):
        before = cell_snapshot()
        response = upload(client, edited(exported(client), breakage))

        assert response.status_code == 400
        assert message in response.content.decode()
        assert cell_snapshot() == before

    def test_it_refuses_a_file_that_is_no_workbook(self, client, editor):
        response = upload(client, b"Linje;2021\n1;2,0\n", name="budget.csv")

        assert response.status_code == 400
        assert "ikke en Excel-projektmappe" in response.content.decode()

    def test_it_refuses_a_file_over_10_mb(self, client, editor):
        response = upload(client, b"PK" + b"\0" * (10 * 1024 * 1024))

        assert response.status_code == 400
        assert "større end 10 MB" in response.content.decode()

    def test_it_refuses_a_zip_bomb_without_unpacking_it(self, client, editor):
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open("xl/worksheets/sheet1.xml", "w") as member:
                for _ in range(120):
                    member.write(b"\0" * (1024 * 1024))
        assert len(bomb.getvalue()) < 1024 * 1024

        response = upload(client, bomb.getvalue())

        assert response.status_code == 400
        assert "langt mere, end et budget kræver" in response.content.decode()

    def test_it_refuses_an_xml_entity_attack(self, client, editor):
        content = exported(client)
        source, attacked = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
        with zipfile.ZipFile(attacked, "w") as archive:
            for item in source.infolist():
                data = source.read(item.filename)
                if item.filename == "xl/workbook.xml":
                    data = b'<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>' + data
                archive.writestr(item, data)

        response = upload(client, attacked.getvalue())

        assert response.status_code == 400
        assert "kunne ikke læses" in response.content.decode()

    def test_it_is_closed_to_editors_of_other_strategies(self, client, make_editor):
        client.force_login(make_editor("bo", "2030"))
        assert client.get(URL).status_code == 403


def line_ids(slug="2021") -> list[int]:
    return list(BudgetLine.objects.filter(strategy__slug=slug).order_by("position").values_list("pk", flat=True))


@pytest.fixture(scope="module")
def hostile_builders(django_db_setup, django_db_blocker) -> dict:
    """How to build each of the security test's workbooks from the 2021 export. Each test builds only its own file
    (some are 100 MB unpacked and take seconds to pack), so no worker of a parallel run builds all of them."""
    with django_db_blocker.unblock():
        honest, ids = strategy_workbook(Strategy.objects.get(slug="2021"), Edition.draft()), line_ids()
    return hostile.hostile_workbooks(honest, ids)


class TestHostileWorkbooks:
    """The files of the security test that passed every check of the time and took a worker for up to two minutes,
    gigabytes of memory or pages of 96 MB. `make bench` times each against an honest import."""

    @pytest.mark.parametrize("name", list(hostile.hostile_workbooks(b"", [])))
    def test_it_refuses_each_with_a_short_message_and_stores_nothing(self, client, editor, hostile_builders, name):
        before = cell_snapshot()

        response = upload(client, hostile_builders[name]())

        assert response.status_code == 400
        assert len(response.content) < 50_000
        assert IMPORT_SESSION_KEY not in client.session
        assert cell_snapshot() == before

    def test_it_reads_the_worst_files_for_a_large_strategy_in_bounded_memory(self, client, make_editor):
        """For a strategy of 2.000 lines the limits that scale with the strategy let the 100 MB parts through to
        be read, and the reading streams: at most what an honest import of the same strategy takes, and far
        below the 100 MB a request may grow by."""
        generate_data(1, 2000, 10, seed=21)
        strategy = Strategy.objects.get(slug__startswith="syn21")
        client.force_login(make_editor("stor", strategy.slug))
        url = f"/strategies/{strategy.slug}/import/"
        honest = strategy_workbook(strategy, Edition.draft())
        files = {
            "honest": honest,
            "huge cells": hostile.huge_cells(honest, line_ids(strategy.slug)),
            "shared strings": hostile.shared_strings(honest),
            "repeated rows": hostile.repeated_rows(honest, line_ids(strategy.slug)[0]),
        }
        peaks = {}
        for name, content in files.items():
            tracemalloc.start()
            response = client.post(url, {"workbook": SimpleUploadedFile("budget.xlsx", content)})
            peaks[name] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            assert response.status_code == (200 if name == "honest" else 400), name

        print("\nPeak memory of an import, MiB: " + ", ".join(f"{name} {peak:.1f}" for name, peak in peaks.items()))
        assert max(peaks.values()) < 100
        assert max(peak for name, peak in peaks.items() if name != "honest") < 2 * peaks["honest"]

    def test_it_refuses_a_line_named_twice(self, client, editor):
        def twice(workbook):
            sheet = workbook["Budget"]
            row = row_of(sheet, "26")
            sheet.append([sheet.cell(row, 1).value, "26", "Igen", 1.0, 2.0, 3.0])

        response = upload(client, edited(exported(client), twice))

        assert response.status_code == 400
        assert any("står allerede i række" in error for error in response.context["preview"].errors)
        assert IMPORT_SESSION_KEY not in client.session

    def test_it_lists_the_first_hundred_errors_and_counts_the_rest(self, client, editor):
        def every_cell_wrong(workbook):
            sheet = workbook["Budget"]
            for row in sheet.iter_rows(min_row=4):
                if isinstance(row[0].value, int):
                    for cell in row[3:6]:
                        cell.value = "mange penge"

        response = upload(client, edited(exported(client), every_cell_wrong))

        errors = response.context["preview"].errors
        assert response.status_code == 400
        assert len(errors) == MAX_LISTED and errors.more == 3 * len(line_ids()) - MAX_LISTED
        assert f"…og {errors.more} flere." in response.content.decode()

    def test_it_refuses_a_cell_longer_than_any_cell_without_repeating_it(self, client, editor):
        def long_text(workbook):
            sheet = workbook["Budget"]
            sheet.cell(row_of(sheet, "26"), 5).value = "Er finansieret " + "meget " * 200

        response = upload(client, edited(exported(client), long_text))

        assert response.status_code == 400
        assert "rummer mere end 320 tegn" in response.content.decode()
        assert "meget meget" not in response.content.decode()

    def test_it_reads_a_workbook_formatted_far_beyond_its_data(self, client, editor):
        def formatted(workbook):
            sheet = workbook["Budget"]
            sheet["AZ3"].font = openpyxl.styles.Font(bold=True)
            sheet.cell(60_000, 2).fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
            change_26_in_2022(workbook)

        response = upload(client, edited(exported(client), formatted))

        assert response.status_code == 200
        assert len(response.context["preview"].changes) == 1

    def test_it_takes_no_lock_while_it_reads_a_workbook(self, client, editor):
        content = edited(exported(client), change_26_in_2022)
        with CaptureQueriesContext(connection) as queries:
            assert upload(client, content).status_code == 200

        assert not [query["sql"] for query in queries if "FOR UPDATE" in query["sql"] or "lock" in query["sql"]]
