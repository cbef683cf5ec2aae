from decimal import Decimal

import pytest

from budgets.cells import parse_cell
from budgets.models import BudgetLine
from editing.history import changes
from editing.services import CellEdit, save_grid
from initiatives.models import Strategy
from tests.helpers import cell_snapshot, table_rows

pytestmark = pytest.mark.django_db


def line(number) -> BudgetLine:
    return BudgetLine.objects.get(strategy__slug="2021", initiatives__number=number)


def edit(number, year, text) -> CellEdit:
    cell = line(number).allocations.filter(year=year).first()
    return CellEdit(line(number).pk, year, parse_cell(text), cell.version if cell else None)


@pytest.fixture
def strategy():
    return Strategy.objects.get(slug="2021")


class TestChangeLog:
    def test_it_lists_each_change_with_who_old_new_and_why(self, client, make_editor, strategy):
        editor = make_editor("anna", "2021")
        save_grid(strategy, editor, [edit("26", 2022, "15,8"), edit("27", 2022, "17,8")], "Omprioritering")
        client.force_login(editor)

        response = client.get("/strategies/2021/changes/")

        html = response.content.decode()
        assert response.status_code == 200
        assert "Styrket internationalt myndighedssamarbejde til fremme af dansk eksport" in html
        assert "<td>anna</td>" in html and "Omprioritering" in html
        recorded = list(changes(strategy))
        assert {(change.line_id, change.before.amount, change.after.amount) for change in recorded} == {
            (line("26").pk, Decimal("16.8"), Decimal("15.8")),
            (line("27").pk, Decimal("16.8"), Decimal("17.8")),
        }

    def test_it_filters_by_user_and_date(self, client, make_editor, strategy):
        anna, bo = make_editor("anna", "2021"), make_editor("bo", "2021")
        save_grid(strategy, anna, [edit("26", 2022, "15,8")], "Annas rettelse")
        save_grid(strategy, bo, [edit("27", 2022, "17,8")], "Bos rettelse")
        client.force_login(anna)

        only_bo = client.get("/strategies/2021/changes/", {"user": "bo"}).content.decode()
        tomorrow = client.get("/strategies/2021/changes/", {"since": "2999-01-01"}).content.decode()

        assert "Bos rettelse" in only_bo and "Annas rettelse" not in only_bo
        assert "Ingen ændringer registreret endnu." in tomorrow
        assert client.get("/strategies/2021/changes/", {"since": "igår"}).status_code == 400

    def test_it_reverts_one_save_as_a_new_recorded_save(self, client, make_editor, strategy):
        editor = make_editor("anna", "2021")
        result = save_grid(strategy, editor, [edit("26", 2022, "15,8"), edit("27", 2022, "17,8")], "Fejl")
        client.force_login(editor)

        response = client.post(f"/strategies/2021/changes/{result.save_id}/revert/", {"reason": "Fortrudt"})

        assert response.status_code == 302
        assert line("26").allocations.get(year=2022).amount == Decimal("16.8")
        assert line("27").allocations.get(year=2022).amount == Decimal("16.8")
        reverted = [change for change in changes(strategy) if change.reason == "Fortrudt"]
        assert len(reverted) == 2

    def test_it_leaves_a_cell_changed_again_since_when_reverting(self, make_editor, strategy):
        from editing.services import revert_save

        editor = make_editor("anna", "2021")
        first = save_grid(strategy, editor, [edit("26", 2022, "15,8"), edit("27", 2022, "17,8")], "Første")
        save_grid(strategy, editor, [edit("26", 2022, "14,0")], "Anden")

        result = revert_save(strategy, editor, first.save_id, "Fortryd første")

        assert len(result.conflicts) == 1
        assert line("26").allocations.get(year=2022).amount == Decimal("14.0")
        assert line("27").allocations.get(year=2022).amount == Decimal("16.8")

    def test_it_is_closed_to_the_public(self, client):
        assert client.get("/strategies/2021/changes/").status_code == 302

    def test_it_reverts_a_single_change_of_a_save(self, client, make_editor, strategy):
        editor = make_editor("anna", "2021")
        save_grid(strategy, editor, [edit("26", 2022, "15,8"), edit("27", 2022, "17,8")], "To celler")
        only_27 = next(change for change in changes(strategy) if change.line_id == line("27").pk)
        client.force_login(editor)

        response = client.post(f"/strategies/2021/changes/change/{only_27.event_id}/revert/", {"reason": "Kun 27"})

        assert response.status_code == 302
        assert line("27").allocations.get(year=2022).amount == Decimal("16.8")
        assert line("26").allocations.get(year=2022).amount == Decimal("15.8")

    def test_it_asks_to_confirm_a_revert_and_why_before_it_changes_anything(self, client, make_editor, strategy):
        editor = make_editor("anna", "2021")
        result = save_grid(strategy, editor, [edit("26", 2022, "15,8"), edit("27", 2022, "17,8")], "To celler")
        client.force_login(editor)
        url = f"/strategies/2021/changes/{result.save_id}/revert/"
        before = cell_snapshot()

        page = client.get(url)
        without_reason = client.post(url, {"reason": "  "})

        assert page.status_code == 200
        rows = table_rows(page.content.decode(), "reverted")[1:]
        assert {tuple(row[4:6]) for row in rows} == {("16,8", "15,8"), ("16,8", "17,8")}
        assert 'name="reason"' in page.content.decode() and "Tilbagefør denne gemning" in page.content.decode()
        assert without_reason.status_code == 400
        assert "Skriv kort, hvorfor" in without_reason.content.decode()
        assert cell_snapshot() == before
        assert client.post(url, {"reason": "Aftalen faldt"}).status_code == 302
        assert {change.reason for change in changes(strategy) if change.save_id != result.save_id} == {"Aftalen faldt"}

    def test_it_answers_404_for_a_save_it_does_not_know(self, client, make_editor):
        client.force_login(make_editor("anna", "2021"))

        assert client.get("/strategies/2021/changes/no-such-save/revert/").status_code == 404
        assert client.post("/strategies/2021/changes/no-such-save/revert/", {"reason": "x"}).status_code == 404

    def test_it_shows_the_log_of_one_initiative(self, client, make_editor, strategy):
        editor = make_editor("anna", "2021")
        save_grid(strategy, editor, [edit("26", 2022, "15,8"), edit("27", 2022, "17,8")], "To celler")
        client.force_login(editor)
        number_26 = line("26").initiatives.get()

        rows = client.get("/strategies/2021/changes/", {"initiative": number_26.pk}).context["changes"]

        assert [change.line_id for change in rows] == [line("26").pk]
        assert "Ændringslog for initiativet" in client.get(number_26.get_absolute_url()).content.decode()
