"""/strategies/<slug>/tracking/import/: the quarterly status report, from the template the product exports, shown
as a preview and saved, on confirming, as one recorded save; bad files refused with nothing written."""

import io
import re
import zipfile

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from tests.helpers import table_rows
from tracking.models import StatusUpdate

pytestmark = pytest.mark.django_db
URL = "/strategies/2030/tracking/import/"


@pytest.fixture
def client(make_editor):
    client = Client()
    client.force_login(make_editor("rapport", "2030"))
    return client


def filled_template(client, rows: dict) -> bytes:
    """The template downloaded from the product, with the given rows (number → status, date, text) filled in."""
    workbook = load_workbook(io.BytesIO(client.get("/strategies/2030/tracking/status.xlsx").content))
    sheet = workbook["Status"]
    numbers = {sheet.cell(row, 1).value: row for row in range(2, sheet.max_row + 1)}
    for number, (status, day, text) in rows.items():
        row = numbers.get(number) or sheet.max_row + 1
        sheet.cell(row, 1, number)
        sheet.cell(row, 3, status)
        sheet.cell(row, 4, day)
        sheet.cell(row, 5, text)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def upload(client, content: bytes):
    return client.post(URL, {"workbook": SimpleUploadedFile("status.xlsx", content)})


def test_it_previews_the_report_and_saves_it_as_one_recorded_save_on_confirming(client):
    content = filled_template(
        client,
        {
            "2.2": ("igangsat", "2025-03-31", "Trial Nation videreudvikles."),
            "3.1": ("Carried out", "31-03-2025", "Indekset er etableret."),
            "9.9": ("igangsat", "2025-03-31", "Findes ikke."),
        },
    )

    preview = upload(client, content)

    assert preview.status_code == 200
    html = preview.content.decode()
    assert [row[0] for row in table_rows(html, "import-changes")[1:]] == ["2.2", "3.1"]
    assert "Række" in html and "9.9" in html and not StatusUpdate.objects.exists()
    response = client.post(URL, {"confirm": "1", "reason": "Statusrapport 1. kvartal 2025"})
    assert response.status_code == 302
    assert sorted(StatusUpdate.objects.values_list("initiative__number", "status")) == [
        ("2.2", "started"),
        ("3.1", "done"),
    ]
    saves = {
        event.pgh_context.metadata["save"] for event in apps.get_model("tracking", "StatusUpdateEvent").objects.all()
    }
    assert len(saves) == 1


def test_it_lists_every_bad_row_and_imports_nothing(client):
    content = filled_template(
        client,
        {"2.2": ("halvvejs", "2025-03-31", "x"), "3.1": ("igangsat", "2999-01-01", "x"), "4.1": ("igangsat", "", "x")},
    )

    response = upload(client, content)

    assert response.status_code == 400
    errors = re.search(r'<ul id="import-errors">(.*?)</ul>', response.content.decode(), re.S)[1]
    assert errors.count("<li>") == 3
    assert client.post(URL, {"confirm": "1", "reason": "x"}).status_code == 302
    assert not StatusUpdate.objects.exists()


def test_it_refuses_a_file_that_is_not_a_workbook_or_too_large_to_unpack(client):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)

    refused = ((b"not a workbook", "ikke en Excel-projektmappe"), (bomb.getvalue(), "ville pakke sig ud"))
    for content, message in refused:
        response = upload(client, content)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not StatusUpdate.objects.exists()
