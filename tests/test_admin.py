from decimal import Decimal

import pghistory
import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from budgets.cells import format_value, parse_cell
from budgets.models import Allocation, BudgetLine
from editing import history
from editing.services import CellEdit, save_grid
from initiatives.models import Initiative, Strategy
from tests.helpers import cell_snapshot

pytestmark = pytest.mark.django_db


def line_form(line, values: dict, reason="Rettet efter finansloven", **extra) -> dict:
    """The change form of a budget line as the admin posts it, its cells typed as ``values`` (year → text)."""
    cells = list(line.allocations.order_by("year"))
    data = {
        "strategy": line.strategy_id,
        "chapter": line.chapter_id,
        "kind": line.kind,
        "position": line.position,
        "title": line.title,
        "initiatives": [initiative.pk for initiative in line.initiatives.all()],
        "source": line.source,
        "change_reason": reason,
        "allocations-TOTAL_FORMS": len(cells),
        "allocations-INITIAL_FORMS": len(cells),
        "allocations-MIN_NUM_FORMS": 0,
        "allocations-MAX_NUM_FORMS": 1000,
    }
    for index, cell in enumerate(cells):
        data |= {
            f"allocations-{index}-id": cell.pk,
            f"allocations-{index}-line": line.pk,
            f"allocations-{index}-year": cell.year,
            f"allocations-{index}-value": values.get(cell.year, format_value(cell)),
            f"allocations-{index}-remark": cell.remark,
            f"allocations-{index}-seen_version": cell.version,
        }
    return data | extra


CHANGELISTS = [
    "initiatives_strategy",
    "initiatives_chapter",
    "initiatives_initiative",
    "initiatives_initiativelink",
    "budgets_budgetline",
    "budgets_allocation",
    "budgets_fundingframe",
    "budgets_footnote",
    "budgets_publishedtotal",
]


class TestAdmin:
    @pytest.fixture(autouse=True)
    def logged_in(self, client, staff_user):
        client.force_login(staff_user)

    @pytest.mark.parametrize("name", CHANGELISTS)
    def test_it_lists_every_model(self, client, name):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200

    def test_it_finds_initiatives_by_title_and_filters_by_strategy(self, client):
        response = client.get(
            reverse("admin:initiatives_initiative_changelist"),
            {
                "q": "Trial Nation",
                "chapter__strategy__id__exact": Initiative.objects.get(number="2.2").chapter.strategy_id,
            },
        )
        assert [initiative.number for initiative in response.context["cl"].result_list] == ["2.2"]

    def test_it_filters_budget_lines_by_chapter(self, client):
        line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="26")
        response = client.get(reverse("admin:budgets_budgetline_changelist"), {"chapter__id__exact": line.chapter_id})
        assert len(response.context["cl"].result_list) == 7

    def test_it_edits_allocations_inline_under_their_budget_line(self, client):
        line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="26")
        cells = list(line.allocations.order_by("year"))

        response = client.post(
            reverse("admin:budgets_budgetline_change", args=[line.pk]), line_form(line, {2023: "17,0"})
        )

        assert response.status_code == 302, response.context["adminform"].form.errors
        cell = Allocation.objects.get(line=line, year=2023)
        assert (cell.amount, cell.version) == (17, cells[2].version + 1)

    def test_it_refuses_a_second_allocation_for_the_same_year_with_a_message(self, client):
        line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="26")
        url = reverse("admin:budgets_allocation_add")
        response = client.post(url, {"line": line.pk, "year": 2022, "value": "1,0", "change_reason": "Ny celle"})

        assert response.status_code == 200
        assert response.context["adminform"].form.non_field_errors() == [
            "Bevilling med dette Budgetlinje og År eksisterer allerede."
        ]
        assert line.allocations.count() == 3

    def test_it_is_closed_to_anonymous_visitors(self, client):
        client.logout()
        response = client.get(reverse("admin:budgets_allocation_changelist"))
        assert response.status_code == 302


class TestCellsInAdmin:
    """The admin writes cells through the grid's parser, rules and service: a save with an id that the change log
    reverts, a version that refuses a stale grid, the grid's limits (security findings 5, 6 and 7)."""

    @pytest.fixture(autouse=True)
    def logged_in(self, client, staff_user):
        client.force_login(staff_user)

    @staticmethod
    def cell(number="26", year=2022) -> Allocation:
        return Allocation.objects.get(line__strategy__slug="2021", line__initiatives__number=number, year=year)

    @staticmethod
    def change(client, cell, value, reason="Rettet i administrationen", **fields):
        data = {
            "line": cell.line_id,
            "year": cell.year,
            "value": value,
            "remark": cell.remark,
            "seen_version": cell.version,
            "change_reason": reason,
        }
        return client.post(reverse("admin:budgets_allocation_change", args=[cell.pk]), data | fields)

    def test_an_admin_edit_is_a_save_that_the_change_log_lists_and_reverts(self, client):
        response = self.change(client, self.cell(), "15,0")

        assert response.status_code == 302, response.context["adminform"].form.errors
        log = client.get("/strategies/2021/changes/")
        assert log.status_code == 200
        (change,) = history.changes(Strategy.objects.get(slug="2021"))
        assert (change.username, change.reason, change.after.amount) == ("ministry", "Rettet i administrationen", 15)
        revert_url = f"/strategies/2021/changes/{change.save_id}/revert/"
        assert change.save_id and revert_url in log.content.decode()
        assert client.post(revert_url, {"reason": "Fortryder"}).status_code == 302
        assert self.cell().amount == Decimal("16.8")

    def test_the_change_log_shows_a_change_recorded_without_a_save(self, client):
        cell = self.cell()
        with pghistory.context(username="ministry", reason="Rettet uden om gitteret"):
            cell.amount = Decimal("1.0")
            cell.save()

        log = client.get("/strategies/2021/changes/")

        assert log.status_code == 200
        assert "Rettet uden om gitteret" in log.content.decode()

    def test_deleting_selected_cells_asks_why_and_records_the_reason_and_the_user(self, client):
        cells = [self.cell("26", 2022), self.cell("27", 2022)]
        data = {"action": "delete_selected", "_selected_action": [cell.pk for cell in cells], "post": "yes"}
        url = reverse("admin:budgets_allocation_changelist")

        refused = client.post(url, data)

        assert refused.status_code == 200
        assert 'name="change_reason"' in refused.content.decode()
        assert Allocation.objects.filter(pk__in=[cell.pk for cell in cells]).count() == 2

        assert client.post(url, data | {"change_reason": "Ryddet op"}).status_code == 302
        assert not Allocation.objects.filter(pk__in=[cell.pk for cell in cells]).exists()
        events = (
            apps.get_model("budgets", "AllocationEvent")
            .objects.filter(pgh_label="delete")
            .select_related("pgh_context")
        )
        assert [(event.pgh_context.metadata["reason"], event.pgh_context.metadata["username"]) for event in events] == [
            ("Ryddet op", "ministry"),
            ("Ryddet op", "ministry"),
        ]

    def test_deleting_one_cell_asks_why(self, client):
        cell = self.cell()
        url = reverse("admin:budgets_allocation_delete", args=[cell.pk])

        refused = client.post(url, {"post": "yes"})

        assert refused.status_code == 302 and refused.url == url
        assert Allocation.objects.filter(pk=cell.pk).exists()
        assert client.post(url, {"post": "yes", "change_reason": "Fejl"}).status_code == 302
        assert not Allocation.objects.filter(pk=cell.pk).exists()

    def test_a_grid_opened_before_an_admin_edit_cannot_overwrite_it(self, client, make_editor):
        from tests.test_grid_edit import grid_form

        editor = Client()
        editor.force_login(make_editor("redaktoer", "2021"))
        form = grid_form(editor)
        assert self.change(client, self.cell(), "15,0").status_code == 302

        form[f"c-{self.cell().line_id}-2022"] = "18,0"
        response = editor.post("/strategies/2021/edit/", form)

        assert response.status_code == 409
        assert self.cell().amount == Decimal("15.0")

    def test_an_admin_edit_of_a_cell_saved_since_the_page_was_opened_is_refused(self, client, staff_user):
        stale = self.cell()
        cell = self.cell()
        save_grid(
            cell.line.strategy, staff_user, [CellEdit(cell.line_id, 2022, parse_cell("20,0"), cell.version)], "Før"
        )

        response = self.change(client, stale, "15,0")

        assert response.status_code == 200
        assert "En anden har gemt cellen" in response.content.decode()
        assert self.cell().amount == Decimal("20.0")

    @pytest.mark.parametrize(
        "year, value, message",
        [
            (2022, "99.999,9", "højst 10.000"),
            (2022, "10.000,1", "højst 10.000"),
            (2035, "1,0", "uden for strategiens periode"),
            (1999, "1,0", "uden for strategiens periode"),
            (2022, "Er finansieret\x01", "kontroltegn"),
            (2022, "1,1 2,2", "flere tal"),
            (2022, "-1,0", "Kun en korrektion"),
        ],
    )
    def test_it_refuses_what_the_grid_refuses(self, client, year, value, message):
        blank = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="1")
        before = cell_snapshot()

        response = client.post(
            reverse("admin:budgets_allocation_add"),
            {"line": blank.pk, "year": year, "value": value, "change_reason": "Forsøg"},
        )

        assert response.status_code == 200
        assert message in response.content.decode()
        assert cell_snapshot() == before

    def test_it_refuses_a_reason_with_a_control_character_and_adds_nothing(self, client):
        blank = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="1")

        response = client.post(
            reverse("admin:budgets_allocation_add"),
            {"line": blank.pk, "year": 2022, "value": "1,0", "change_reason": "Ny\x01celle"},
        )

        assert response.status_code == 200
        assert "kontroltegn" in response.content.decode()
        assert not blank.allocations.exists()

    def test_it_saves_a_remark_and_a_correction_in_fields_of_their_own(self, client):
        response = self.change(client, self.cell(), "-0,5", remark="Tilbagebetalt", is_correction="on")

        assert response.status_code == 302, response.context["adminform"].form.errors
        cell = self.cell()
        assert (cell.amount, cell.remark, cell.is_correction, cell.text) == (Decimal("-0.5"), "Tilbagebetalt", True, "")

    def test_it_refuses_a_strategy_period_that_would_leave_cells_outside_it(self, client):
        strategy = Strategy.objects.get(slug="2021")
        form = client.get(reverse("admin:initiatives_strategy_change", args=[strategy.pk])).context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None}
        data |= {"last_year": 2022, "change_reason": "Kortere periode"}

        response = client.post(reverse("admin:initiatives_strategy_change", args=[strategy.pk]), data)

        assert response.status_code == 200
        assert "celler i 2023, uden for 2021–2022" in response.content.decode()
        assert Strategy.objects.get(slug="2021").last_year == 2023
