"""The whole way from an editor's change to a published version, through HTTP as users make it."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.test import Client

from budgets.models import BudgetLine
from editing.services import grant_approver
from tests.helpers import table_rows
from tests.test_grid_edit import grid_post

pytestmark = pytest.mark.django_db


def row_26(html) -> list[str]:
    return next(row for row in table_rows(html, "budget-table") if row[0] == "26")


def public_figures_of_26(client) -> dict[str, str]:
    """What each public way of reading 2021 #26 for 2022 says."""
    line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="26")
    page = row_26(client.get("/strategies/2021/").content.decode())[3]
    rows = csv.DictReader(
        io.StringIO(b"".join(client.get("/api/allocations.csv?strategy=2021").streaming_content).decode())
    )
    api_csv = next(row["amount"] for row in rows if row["line_id"] == str(line.pk) and row["year"] == "2022")
    with zipfile.ZipFile(io.BytesIO(client.get("/api/fiscal-data-package.zip").content)) as package:
        rows = csv.DictReader(io.StringIO(package.read("allocations.csv").decode()))
        fdp = next(row["amount"] for row in rows if row["line_id"] == str(line.pk) and row["year"] == "2022")
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/strategies/2021/export.xlsx").content))["Budget"]
    workbook = next(row[4] for row in sheet.iter_rows(values_only=True) if row[0] == line.pk)
    return {"page": page, "csv": api_csv, "package": fdp, "workbook": f"{workbook:.1f}"}


def test_an_edit_reaches_the_public_only_when_another_person_publishes_it(make_editor):
    public, editor, approver = Client(), Client(), Client()
    editor.force_login(make_editor("redaktoer", "2021"))
    approving = make_editor("godkender")
    grant_approver(approving)
    approver.force_login(approving)

    assert grid_post(editor, {("26", 2022): "17,0"}, reason="Finanslov").status_code == 302

    assert public_figures_of_26(public) == {"page": "16,8", "csv": "16.8", "package": "16.8", "workbook": "16.8"}
    staff_page = editor.get("/strategies/2021/").content.decode()
    assert row_26(staff_page)[3] == "17,0"
    assert "Arbejdsversion – ikke offentliggjort" in staff_page and "1 celle afviger" in staff_page
    assert row_26(editor.get("/strategies/2021/?view=public").content.decode())[3] == "16,8"
    assert editor.get("/strategies/2021/publish/").status_code == 403

    review = approver.get("/strategies/2021/publish/")
    (change,) = table_rows(review.content.decode(), "review")[1:]
    assert change[3:5] == ["16,8", "17,0"] and "redaktoer" in change[6] and "Finanslov" in change[6]
    published = approver.post("/strategies/2021/publish/", {"note": "Test", "reviewed": review.context["review"].token})
    assert published.status_code == 302

    assert public_figures_of_26(public) == {"page": "17,0", "csv": "17.0", "package": "17.0", "workbook": "17.0"}
    page = public.get("/strategies/2021/").content.decode()
    assert "(version 2)" in page and "Arbejdsversion" not in page
    assert ["2", "Test", "1"] == [
        table_rows(public.get("/strategies/2021/versions/").content.decode(), "versions")[1][i] for i in (0, 2, 3)
    ]
    assert "Strategi 2021: version 2" in public.get("/feeds/publications.atom").content.decode()
    earlier = public.get("/api/allocations/?strategy=2021&year=2022&version=1").json()["results"]
    assert next(row["amount"] for row in earlier if row["initiative_numbers"] == ["26"]) == 16.8
