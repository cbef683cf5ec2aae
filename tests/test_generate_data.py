from collections import Counter
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets import synthetic
from budgets.changes import generation
from budgets.models import Allocation, BudgetLine, CellKind, FrameAmount, FundingFrame, YearSum
from budgets.synthetic import SLUG_PREFIX, GenerationError, generate_data
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy
from publication.models import (
    DatePrecision,
    Publication,
    PublishedCell,
    PublishedChapterTotal,
    PublishedYearSum,
    PublishedYearTotal,
)
from publication.services import publish_as_published

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


def versions() -> dict:
    """Every version of the synthetic strategies as the public reads it, by the cells' places instead of ids: its
    cells, its sums per chapter and theme, its totals per theme and per chapter."""
    found = {}
    for publication in Publication.objects.filter(strategy__slug__startswith=SLUG_PREFIX).select_related("strategy"):
        number = publication.number
        cells = PublishedCell.objects.filter(strategy=publication.strategy, valid_from__lte=number).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gt=number)
        )
        sums = PublishedYearSum.objects.filter(publication=publication)
        found[(publication.strategy.slug, number)] = {
            "note": publication.note,
            "changed": publication.changed_cells,
            "cells": sorted(cells.values_list("line__position", "year", "kind", "amount", "text", "remark", "version")),
            "sums": sorted(sums.values_list("chapter__number", "theme", "year", "amount", "unknown", "financed")),
            "themes": sorted(
                PublishedYearTotal.objects.filter(publication=publication).values_list(
                    "theme", "year", "amount", "unknown", "financed"
                )
            ),
            "chapters": sorted(
                PublishedChapterTotal.objects.filter(publication=publication).values_list(
                    "chapter__number", "year", "amount", "unknown", "financed"
                )
            ),
        }
    return found


def generated_versions(seed: int) -> tuple[dict, dict]:
    """The versions generate_data publishes, and the places of the cells each later version changed; rolled back."""
    try:
        with transaction.atomic():
            generate_data(**SIZE, seed=seed, versions=3)
            changed = {
                number: list(
                    PublishedCell.objects.filter(strategy__slug__startswith=SLUG_PREFIX, valid_from=number)
                    .order_by()
                    .values_list("strategy__slug", "line__position", "year")
                )
                for number in (2, 3)
            }
            found = versions()
            raise Rollback
    except Rollback:
        return found, changed


def published_by_hand(seed: int, changed: dict) -> dict:
    """The same strategies generated in one version, then for each later one the cells of ``changed`` raised by 0,1
    in the draft, whose triggers keep the sums, and the draft published as the app publishes it; rolled back."""
    try:
        with transaction.atomic():
            generate_data(**SIZE, seed=seed, versions=1)
            strategies = list(Strategy.objects.filter(slug__startswith=SLUG_PREFIX))
            for number in (2, 3):
                places = Q(pk__in=[])
                for slug, position, year in changed[number]:
                    places |= Q(line__strategy__slug=slug, line__position=position, year=year)
                Allocation.objects.filter(places).update(amount=F("amount") + Decimal("0.1"), version=F("version") + 1)
                publish_as_published(
                    strategies,
                    timezone.now(),
                    DatePrecision.DAY,
                    _("Generated figures, version %(number)d") % {"number": number},
                )
            found = versions()
            raise Rollback
    except Rollback:
        return found


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

    def test_its_versions_hold_what_publishing_the_draft_gives_whatever_the_batches(self, monkeypatch):
        monkeypatch.setattr(synthetic, "BATCH_CELLS", SIZE["initiatives"] * SIZE["years"])  # a strategy a batch

        generated, changed = generated_versions(seed=5)

        assert all(changed.values())
        assert len(generated) == 3 * SIZE["strategies"]
        assert generated == published_by_hand(5, changed)

    def test_its_published_rows_stay_protected(self):
        generate_data(**SIZE, seed=3, versions=2)

        published = PublishedCell.objects.filter(strategy__slug__startswith=SLUG_PREFIX, kind=CellKind.AMOUNT)
        with pytest.raises(IntegrityError, match="never changes"), transaction.atomic():
            published.filter(valid_until__isnull=True).update(amount=F("amount") + 1)
        with pytest.raises(IntegrityError, match="never deleted"), transaction.atomic():
            published.filter(valid_until=2).delete()

    def test_it_leaves_the_foreign_keys_checked_at_the_commit_again(self):
        generate_data(**SIZE, seed=3)

        written = False
        with pytest.raises(IntegrityError), transaction.atomic():
            FundingFrame.objects.create(strategy_id=2**40, name="Uden strategi", note="", source="")
            written = True  # checked at once, the missing strategy would have been refused already
            connection.check_constraints()
        assert written

    def test_it_leaves_the_sums_to_the_triggers_again(self):
        generate_data(**SIZE, seed=3)
        cell = Allocation.objects.filter(line__strategy__slug__startswith=SLUG_PREFIX, kind=CellKind.AMOUNT).first()
        sums = YearSum.objects.filter(strategy=cell.line.strategy, chapter=cell.line.chapter, year=cell.year)
        before = sums.aggregate(total=Sum("amount"))["total"]

        Allocation.objects.filter(pk=cell.pk).update(amount=F("amount") + 1)

        assert sums.aggregate(total=Sum("amount"))["total"] == before + 1


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
