import shutil
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from budgets.models import Allocation, Baseline, BudgetLine, Footnote, FrameAmount, FundingFrame, PublishedTotal
from budgets.services import FIXTURES_DIR, seed_strategies
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy
from tests.helpers import change_cell, forget_publications
from tracking.models import Indicator, Measurement, Target, Vision

pytestmark = pytest.mark.django_db


def empty_the_database():
    forget_publications()
    for model in (
        Measurement,
        Indicator,
        Target,
        Vision,
        Baseline,
        InitiativeLink,
        Allocation,
        PublishedTotal,
        BudgetLine,
        Footnote,
        FrameAmount,
        FundingFrame,
        Initiative,
        Chapter,
        Strategy,
    ):
        model.objects.all().delete()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Strategy, Chapter, Initiative, BudgetLine, Allocation, InitiativeLink)
    }


def edit_fixture(path, old: str, new: str) -> None:
    """Break one shipped fixture file in a copy, and empty the database so that seeding would load."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    empty_the_database()


@pytest.fixture
def broken_fixtures(tmp_path):
    directory = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, directory)
    return directory


class TestSeedStrategies:
    def test_it_loads_everything_into_an_empty_database_and_says_what(self, capsys):
        expected = counts()
        empty_the_database()

        call_command("seed_strategies")

        assert counts() == expected
        assert expected == {
            "Strategy": 3,
            "Chapter": 20,
            "Initiative": 84,
            "BudgetLine": 77,
            "Allocation": 217,
            "InitiativeLink": 14,
        }
        out = capsys.readouterr().out
        assert "3 strategier" in out and "84 initiativer" in out

    def test_it_leaves_a_database_with_strategies_alone_and_keeps_an_edit(self, capsys):
        cell = change_cell("2021", 2022, amount="17.2", initiatives__number="26")
        before = counts()

        call_command("seed_strategies")

        assert counts() == before
        cell.refresh_from_db()
        assert cell.amount == Decimal("17.2")
        assert "ingen rettelser overskrevet" in capsys.readouterr().out

    def test_it_loads_nothing_when_a_fixture_is_wrong(self, broken_fixtures):
        edit_fixture(broken_fixtures / "strategy-2030.csv", "Trial Nation;4,7;4,7", "Trial Nation;4,7;4,77")

        with pytest.raises(CommandError, match=r"strategy-2030.csv:\d+: .*4,77.*mere end én decimal"):
            call_command("seed_strategies", fixtures=broken_fixtures)

        assert Strategy.objects.count() == 0
        assert Allocation.objects.count() == 0

    def test_it_refuses_a_text_cell_that_is_neither_an_amount_nor_financed(self, broken_fixtures):
        edit_fixture(broken_fixtures / "strategy-2021.csv", ";Er finansieret;4,5;4,5;", ";Er bevilget;4,5;4,5;")

        with pytest.raises(CommandError, match="strategy-2021.csv:4: “Er bevilget” er hverken et beløb"):
            call_command("seed_strategies", fixtures=broken_fixtures)
        assert Strategy.objects.count() == 0

    def test_it_names_a_line_that_covers_an_unknown_initiative(self, broken_fixtures):
        edit_fixture(broken_fixtures / "strategy-2030.csv", "line;5;5.2 5.3;", "line;5;5.2 5.9;")

        with pytest.raises(CommandError, match=r"strategy-2030.csv:\d+: line covers unknown initiatives \['5.9'\]"):
            call_command("seed_strategies", fixtures=broken_fixtures)
        assert Initiative.objects.count() == 0

    def test_it_refuses_a_table_whose_years_are_not_the_strategys_period(self, broken_fixtures):
        edit_fixture(broken_fixtures / "strategy-2021.csv", ";2021;2022;2023;", ";2021;2022;2024;")

        with pytest.raises(CommandError, match="strategy-2021.csv:1: year columns"):
            call_command("seed_strategies", fixtures=broken_fixtures)
        assert Strategy.objects.count() == 0

    def test_it_is_the_same_operation_as_the_service(self):
        empty_the_database()
        result = seed_strategies()
        assert (result.strategies, result.initiatives, result.skipped) == (3, 84, False)
        assert seed_strategies().skipped
