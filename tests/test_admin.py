import pytest
from django.urls import reverse

from budgets.models import Allocation, BudgetLine
from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

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
        url = reverse("admin:budgets_budgetline_change", args=[line.pk])
        cells = list(line.allocations.order_by("year"))
        data = {
            "strategy": line.strategy_id,
            "chapter": line.chapter_id,
            "kind": line.kind,
            "position": line.position,
            "title": line.title,
            "initiatives": [initiative.pk for initiative in line.initiatives.all()],
            "source": line.source,
            "change_reason": "Rettet efter finansloven",
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
                f"allocations-{index}-kind": cell.kind,
                f"allocations-{index}-amount": "17.0" if cell.year == 2023 else str(cell.amount),
                f"allocations-{index}-text": cell.text,
            }
        response = client.post(url, data)

        assert response.status_code == 302, response.context["adminform"].form.errors
        assert Allocation.objects.get(line=line, year=2023).amount == 17

    def test_it_refuses_a_second_allocation_for_the_same_year_with_a_message(self, client):
        line = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="26")
        url = reverse("admin:budgets_allocation_add")
        response = client.post(url, {"line": line.pk, "year": 2022, "kind": "amount", "amount": "1.0", "text": ""})

        assert response.status_code == 200
        assert response.context["adminform"].form.non_field_errors() == [
            "Bevilling med dette Budgetlinje og År eksisterer allerede."
        ]
        assert line.allocations.count() == 3

    def test_it_is_closed_to_anonymous_visitors(self, client):
        client.logout()
        response = client.get(reverse("admin:budgets_allocation_changelist"))
        assert response.status_code == 302
