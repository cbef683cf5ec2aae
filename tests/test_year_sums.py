"""The sums per chapter, theme and year that the database keeps as cells, lines and initiatives change."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from budgets.cells import parse_cell
from budgets.models import Allocation, BudgetLine, CellKind, YearSum
from budgets.synthetic import generate_data
from editing.services import CellEdit, save_grid
from initiatives.models import Chapter, Initiative, Strategy, Theme

pytestmark = pytest.mark.django_db


def from_the_cells() -> dict:
    """The same sums added up here, one cell at a time, each line under its first initiative's theme."""
    sums = defaultdict(lambda: [Decimal("0.0"), 0, 0])
    lines = BudgetLine.objects.prefetch_related("allocations", "initiatives")
    for line in lines:
        covered = sorted(line.initiatives.all(), key=lambda initiative: (initiative.position, initiative.pk))
        theme = covered[0].theme if covered else None
        for cell in line.allocations.all():
            entry = sums[(line.strategy_id, line.chapter_id, theme, cell.year)]
            if cell.kind == CellKind.AMOUNT:
                entry[0] += cell.amount
            elif cell.kind == CellKind.UNKNOWN:
                entry[1] += 1
            else:
                entry[2] += 1
    return {key: tuple(value) for key, value in sums.items()}


def stored() -> dict:
    return {
        (row.strategy_id, row.chapter_id, row.theme, row.year): (row.amount, row.unknown, row.financed)
        for row in YearSum.objects.all()
    }


def edit(line, year, text):
    cell = Allocation.objects.filter(line=line, year=year).first()
    return CellEdit(line.pk, year, parse_cell(text), cell.version if cell else None)


class TestYearSums:
    def test_they_hold_the_sums_of_the_fixtures(self):
        assert stored() == from_the_cells()
        assert len(stored()) > 50

    def test_they_follow_a_save_that_changes_fills_and_empties_cells(self, make_editor):
        strategy = Strategy.objects.get(slug="2021")
        lines = list(BudgetLine.objects.filter(strategy=strategy).order_by("position"))
        blank = next(
            (line, year)
            for line in lines
            for year in strategy.years
            if not Allocation.objects.filter(line=line, year=year).exists()
        )
        filled = Allocation.objects.filter(line__strategy=strategy, kind=CellKind.AMOUNT).order_by("pk")
        edits = [
            edit(blank[0], blank[1], "3,3"),
            edit(filled[0].line, filled[0].year, "ukendt"),
            edit(filled[1].line, filled[1].year, ""),
            edit(filled[2].line, filled[2].year, "Er finansieret"),
            edit(filled[3].line, filled[3].year, "1.234,5"),
        ]

        result = save_grid(strategy, make_editor("redaktoer", "2021"), edits, "Finanslov")

        assert len(result.saved) == 5
        assert stored() == from_the_cells()

    def test_they_follow_a_line_moved_to_another_chapter_and_a_line_deleted(self):
        line = BudgetLine.objects.filter(strategy__slug="2030", chapter__number=2).order_by("position").first()
        line.chapter = Chapter.objects.get(strategy__slug="2030", number=3)
        line.save()
        assert stored() == from_the_cells()

        # A line never published (a published one stays, with its published cells).
        chapter = Chapter.objects.get(strategy__slug="2030", number=4)
        other = BudgetLine.objects.create(
            strategy=chapter.strategy, chapter=chapter, position=99, title="Ny", source="t"
        )
        Allocation.objects.create(line=other, year=2025, amount=Decimal("2.5"))
        assert stored() == from_the_cells()
        other.delete()
        assert stored() == from_the_cells()

    def test_a_published_line_cannot_be_deleted(self):
        line = BudgetLine.objects.filter(strategy__slug="2030", chapter__number=4).order_by("position").last()
        line.baseline_cells.all().delete()

        with pytest.raises(ProtectedError):
            line.delete()

    def test_they_follow_the_theme_and_order_of_the_initiatives_a_line_funds(self):
        funded = BudgetLine.objects.filter(strategy__slug="2021", initiatives__isnull=False, allocations__kind="amount")
        line = funded.distinct().order_by("position").first()
        (initiative,) = line.initiatives.all()
        initiative.theme = Theme.GREEN_GROWTH if initiative.theme != Theme.GREEN_GROWTH else Theme.WORKFORCE
        initiative.save()
        assert stored() == from_the_cells()

        earlier = Initiative.objects.create(
            chapter=initiative.chapter, number="", position=0, title="Ny", theme=Theme.REGULATION, source="test"
        )
        before = stored()
        line.initiatives.add(earlier)
        assert stored() == from_the_cells() != before

        line.initiatives.remove(earlier)
        assert stored() == from_the_cells() == before

    def test_they_follow_generated_data(self):
        generate_data(3, 40, 4, seed=9)

        assert stored() == from_the_cells()
