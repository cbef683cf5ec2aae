from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum

from budgets.changes import generation
from budgets.models import Allocation, BudgetLine, CellKind, FrameAmount
from budgets.synthetic import SLUG_PREFIX, GenerationError, generate_data
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy

pytestmark = pytest.mark.django_db

SIZE = {"strategies": 4, "initiatives": 50, "years": 3}


class Rollback(Exception):
    pass


def content(seed) -> dict:
    """What the generator wrote for a seed, without the database's ids, and then rolled back."""
    try:
        with transaction.atomic():
            generate_data(**SIZE, seed=seed)
            data = {
                "strategies": list(
                    Strategy.objects.filter(slug__startswith=SLUG_PREFIX).values_list("slug", "first_year", "last_year")
                ),
                "initiatives": list(
                    Initiative.objects.filter(chapter__strategy__slug__startswith=SLUG_PREFIX)
                    .order_by("chapter__strategy__slug", "position")
                    .values_list("chapter__strategy__slug", "chapter__number", "number", "title", "theme")
                ),
                "cells": list(
                    Allocation.objects.filter(line__strategy__slug__startswith=SLUG_PREFIX)
                    .order_by("line__strategy__slug", "line__position", "year")
                    .values_list("line__position", "year", "kind", "amount", "text")
                ),
                "links": sorted(
                    InitiativeLink.objects.filter(successor__chapter__strategy__slug__startswith=SLUG_PREFIX)
                    .values_list("predecessor__title", "successor__title", "relation")
                    .order_by()
                ),
            }
            raise Rollback
    except Rollback:
        return data


class TestGenerateData:
    def test_it_adds_strategies_initiatives_lines_and_a_cell_per_line_and_year(self):
        before = {model: model.objects.count() for model in (Strategy, Initiative, BudgetLine, Allocation)}

        result = generate_data(**SIZE, seed=3)

        assert (result.strategies, result.initiatives, result.lines, result.allocations) == (4, 200, 200, 600)
        assert Strategy.objects.count() - before[Strategy] == 4
        assert Initiative.objects.count() - before[Initiative] == 200
        assert BudgetLine.objects.count() - before[BudgetLine] == 200
        assert Allocation.objects.count() - before[Allocation] == 600
        for strategy in Strategy.objects.filter(slug__startswith=SLUG_PREFIX):
            assert len(strategy.years) == 3
            cells = Allocation.objects.filter(line__strategy=strategy)
            assert set(cells.values_list("year", flat=True)) == set(strategy.years)

    def test_it_mixes_unknown_and_financed_cells_among_the_amounts(self):
        result = generate_data(**SIZE, seed=3)

        kinds = Counter(
            Allocation.objects.filter(line__strategy__slug__startswith=SLUG_PREFIX).values_list("kind", flat=True)
        )
        assert kinds[CellKind.UNKNOWN] == result.unknown > 0
        assert kinds[CellKind.FINANCED_ELSEWHERE] == result.financed > 0
        assert kinds[CellKind.AMOUNT] > 0.8 * result.allocations
        financed = Allocation.objects.filter(
            line__strategy__slug__startswith=SLUG_PREFIX, kind=CellKind.FINANCED_ELSEWHERE
        )
        assert set(financed.values_list("text", flat=True)) == {"Er finansieret"}

    def test_it_puts_every_initiative_and_its_line_in_a_chapter_of_its_strategy(self):
        generate_data(**SIZE, seed=3)

        for strategy in Strategy.objects.filter(slug__startswith=SLUG_PREFIX):
            chapters = list(Chapter.objects.filter(strategy=strategy).order_by("number"))
            assert [chapter.number for chapter in chapters] == [1, 2, 3, 4, 5]
            for line in BudgetLine.objects.filter(strategy=strategy).prefetch_related("initiatives"):
                (initiative,) = line.initiatives.all()
                assert line.chapter_id == initiative.chapter_id
                assert line.chapter.strategy_id == strategy.pk
                assert line.title == initiative.title

    def test_it_links_initiatives_to_predecessors_in_earlier_strategies(self):
        result = generate_data(**SIZE, seed=3)

        links = InitiativeLink.objects.filter(
            successor__chapter__strategy__slug__startswith=SLUG_PREFIX
        ).select_related("predecessor__chapter__strategy", "successor__chapter__strategy")
        assert len(links) == result.links > 0
        for link in links:
            assert link.predecessor.strategy.first_year < link.successor.strategy.first_year

    def test_it_gives_each_year_a_frame_above_what_is_allocated(self):
        generate_data(**SIZE, seed=3)

        for strategy in Strategy.objects.filter(slug__startswith=SLUG_PREFIX):
            frames = FrameAmount.objects.for_strategy(strategy).by_year()
            allocated = dict(
                Allocation.objects.for_strategy(strategy)
                .values("year")
                .annotate(total=Sum("amount"))
                .values_list("year", "total")
            )
            assert set(frames) == set(strategy.years)
            assert all(frames[year] >= allocated[year] > Decimal("0") for year in strategy.years)

    def test_the_same_seed_gives_the_same_data_and_another_seed_other_data(self):
        first = content(11)

        assert content(11) == first
        other = content(12)
        assert other["cells"] != first["cells"]
        assert other["initiatives"] != first["initiatives"]

    def test_it_records_no_history_for_the_synthetic_rows_but_drops_the_cached_pages(self):
        events = apps.get_model("budgets", "AllocationEvent").objects.count()
        cached = generation()

        generate_data(**SIZE, seed=3)

        assert apps.get_model("budgets", "AllocationEvent").objects.count() == events
        assert generation() > cached

    def test_it_refuses_a_seed_already_loaded_and_changes_nothing(self):
        generate_data(**SIZE, seed=3)
        count = Allocation.objects.count()

        with pytest.raises(GenerationError, match="frø 3 findes allerede"):
            generate_data(**SIZE, seed=3)
        assert Allocation.objects.count() == count


class TestGenerateDataCommand:
    def test_it_prints_one_line_of_what_it_generated(self, capsys):
        call_command("generate_data", "--strategies", "2", "--initiatives", "10", "--years", "2", "--seed", "4")

        output = capsys.readouterr().out.strip()
        assert len(output.splitlines()) == 1
        assert "2 strategier" in output and "20 initiativer" in output and "40 celler" in output

    @pytest.mark.parametrize(
        "arguments",
        [["--strategies", "0"], ["--initiatives", "40000"], ["--years", "200"]],
    )
    def test_it_refuses_sizes_it_cannot_make_and_changes_nothing(self, arguments):
        count = Strategy.objects.count()

        with pytest.raises(CommandError, match="Intet genereret"):
            call_command("generate_data", *arguments)
        assert Strategy.objects.count() == count
