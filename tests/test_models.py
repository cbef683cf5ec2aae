"""The database itself refuses duplicates and impossible values, whatever code writes them."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from budgets.models import Allocation, BudgetLine, CellKind, LineKind, PublishedTotal
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def line():
    return BudgetLine.objects.get(strategy__slug="2021", initiatives__number="26")


def refused(**fields) -> bool:
    try:
        with transaction.atomic():
            Allocation.objects.create(**fields)
    except IntegrityError:
        return True
    return False


class TestAllocationConstraints:
    def test_it_allows_one_allocation_per_line_and_year(self, line):
        assert refused(line=line, year=2022, kind=CellKind.AMOUNT, amount=Decimal("1.0"))

    def test_it_refuses_a_negative_amount(self, line):
        line.allocations.all().delete()
        assert refused(line=line, year=2022, kind=CellKind.AMOUNT, amount=Decimal("-0.1"))

    def test_it_allows_a_negative_amount_only_in_a_correction(self, line):
        line.allocations.all().delete()
        assert not refused(line=line, year=2022, kind=CellKind.AMOUNT, amount=Decimal("-0.1"), is_correction=True)

    def test_it_refuses_an_amount_cell_without_an_amount(self, line):
        line.allocations.all().delete()
        assert refused(line=line, year=2022, kind=CellKind.AMOUNT, amount=None)

    def test_it_refuses_an_unknown_cell_with_an_amount(self, line):
        line.allocations.all().delete()
        assert refused(line=line, year=2022, kind=CellKind.UNKNOWN, amount=Decimal("1.0"))

    def test_it_refuses_a_financed_elsewhere_cell_without_its_text(self, line):
        line.allocations.all().delete()
        assert refused(line=line, year=2022, kind=CellKind.FINANCED_ELSEWHERE, text="")
        assert not refused(line=line, year=2022, kind=CellKind.FINANCED_ELSEWHERE, text="Er finansieret")

    def test_it_refuses_a_year_no_budget_can_have(self, line):
        assert refused(line=line, year=20222, kind=CellKind.AMOUNT, amount=Decimal("1.0"))

    def test_it_stores_amounts_as_decimals_with_one_decimal(self, line):
        cell = line.allocations.get(year=2022)
        assert cell.amount == Decimal("16.8") and isinstance(cell.amount, Decimal)
        cell.amount = Decimal("16.85")
        cell.save()
        cell.refresh_from_db()
        assert cell.amount == Decimal("16.9")


class TestRulesOfEveryCell:
    """The rules the grid, the import and the admin check are the database's too: a cell written any other way
    (a command, a shell, plain SQL) keeps them (security finding 7)."""

    @pytest.fixture
    def blank(self):
        return BudgetLine.objects.get(strategy__slug="2021", initiatives__number="1")

    @pytest.mark.parametrize("amount", ["10000.1", "99999.9", "-10000.1", "-9999999.9"])
    def test_it_refuses_an_amount_beyond_what_a_line_holds(self, blank, amount):
        assert refused(line=blank, year=2022, kind=CellKind.AMOUNT, amount=Decimal(amount), is_correction=True)
        assert not refused(line=blank, year=2023, kind=CellKind.AMOUNT, amount=Decimal("10000.0"))

    @pytest.mark.parametrize("year", [2035, 1999, 2020, 2024])
    def test_it_refuses_a_cell_outside_its_strategys_period(self, blank, year):
        assert refused(line=blank, year=year, kind=CellKind.AMOUNT, amount=Decimal("1.0"))

    def test_it_refuses_moving_a_cell_out_of_the_period(self, line):
        cell = line.allocations.get(year=2022)
        cell.year = 2030
        with pytest.raises(IntegrityError), transaction.atomic():
            cell.save()

    def test_it_refuses_shrinking_a_period_that_would_leave_cells_outside(self):
        strategy = Strategy.objects.get(slug="2021")
        strategy.last_year = 2022
        with pytest.raises(IntegrityError), transaction.atomic():
            strategy.save()

    def test_it_refuses_moving_a_line_to_a_strategy_whose_period_leaves_its_cells_outside(self, line):
        line.strategy = Strategy.objects.get(slug="2030")
        with pytest.raises(IntegrityError), transaction.atomic():
            line.save()

    @pytest.mark.parametrize(
        "text", ["Er finansieret\x01", "Er\tfinansieret", "Er finansieret\n", "Er finansieret\x7f"]
    )
    def test_it_refuses_control_characters_tabs_and_line_breaks(self, blank, text):
        assert refused(line=blank, year=2022, kind=CellKind.FINANCED_ELSEWHERE, text=text)
        assert refused(line=blank, year=2022, kind=CellKind.AMOUNT, amount=Decimal("1.0"), remark=f"Note {text}")

    def test_it_keeps_text_for_cells_financed_elsewhere_and_remarks_for_amounts(self, blank):
        assert refused(line=blank, year=2022, kind=CellKind.AMOUNT, amount=Decimal("1.0"), text="2,2 3,3")
        assert refused(line=blank, year=2022, kind=CellKind.UNKNOWN, remark="Afventer")
        assert refused(line=blank, year=2022, kind=CellKind.UNKNOWN, is_correction=True)
        assert refused(line=blank, year=2022, kind=CellKind.AMOUNT, amount=Decimal("1.1"), remark="2,2 3,3 4,4")
        assert not refused(line=blank, year=2022, kind=CellKind.AMOUNT, amount=Decimal("1.1"), remark="Øvrig 5")

    def test_it_counts_every_change_of_a_cell_as_a_new_version_whoever_writes_it(self, line):
        cell = line.allocations.get(year=2022)
        Allocation.objects.filter(pk=cell.pk).update(amount=Decimal("1.0"))
        Allocation.objects.filter(pk=cell.pk).update(amount=Decimal("1.0"))

        assert Allocation.objects.get(pk=cell.pk).version == cell.version + 1


class TestOtherConstraints:
    def test_it_refuses_a_reserve_inside_a_chapter(self, line):
        with pytest.raises(IntegrityError), transaction.atomic():
            BudgetLine.objects.create(
                strategy=line.strategy,
                chapter=line.chapter,
                kind=LineKind.RESERVE,
                position=999,
                title="Reserve",
                source="test",
            )

    def test_it_refuses_a_second_grand_total_for_the_same_year(self):
        strategy = Strategy.objects.get(slug="2021")
        with pytest.raises(IntegrityError), transaction.atomic():
            PublishedTotal.objects.create(strategy=strategy, chapter=None, year=2021, amount=Decimal("70.0"))

    def test_it_refuses_a_difference_that_no_footnote_explains(self):
        total = PublishedTotal.objects.get(strategy__slug="2021", chapter=None, year=2021)
        total.explained_difference = Decimal("0.5")
        with pytest.raises(IntegrityError), transaction.atomic():
            total.save()

    def test_it_refuses_two_initiatives_with_the_same_number_in_a_chapter(self):
        chapter = Chapter.objects.get(strategy__slug="2030", number=2)
        with pytest.raises(IntegrityError), transaction.atomic():
            Initiative.objects.create(
                chapter=chapter, number="2.2", position=99, title="Dublet", theme="research", source="test"
            )

    def test_it_refuses_a_link_from_an_initiative_to_itself(self):
        initiative = Initiative.objects.get(chapter__strategy__slug="2030", number="2.2")
        with pytest.raises(IntegrityError), transaction.atomic():
            InitiativeLink.objects.create(
                predecessor=initiative, successor=initiative, relation="continued", source="test"
            )

    def test_it_refuses_a_period_that_ends_before_it_starts(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            Strategy.objects.create(
                slug="x",
                title="X",
                short_title="X",
                published_year=2025,
                first_year=2026,
                last_year=2025,
                source="test",
            )

    def test_it_keeps_a_chapter_that_has_initiatives_from_being_deleted(self):
        from django.db.models import ProtectedError

        with pytest.raises(ProtectedError):
            Chapter.objects.get(strategy__slug="2021", number=1).delete()
