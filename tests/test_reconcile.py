from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from budgets.figures import reconcile
from budgets.models import CellKind
from initiatives.models import Strategy
from publication.editions import Edition
from tests.helpers import change_cell

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("reconcile", *args, stdout=out)
    return out.getvalue()


def line_for(output: str, year: int, scope: str) -> str:
    return next(line for line in output.splitlines() if line.strip().startswith(f"{year}  {scope}"))


class TestReconcile:
    def test_it_passes_on_the_shipped_fixtures_and_shows_the_bridge_financing_note(self):
        output = run()

        assert "Alle 28 offentliggjorte tal stemmer." in output
        row = line_for(output.split("frem mod 2030 (2030)")[1], 2024, "I alt")
        assert row.split()[3:7] == ["100,0", "99,1", "100,0", "0,9"]
        assert "brofinansiering på i alt 0,9 mio. kr." in row

    def test_it_prints_frame_rows_and_published_per_strategy_and_year(self):
        output = run("2021")

        assert line_for(output, 2022, "I alt").split()[3:7] == ["100,4", "100,4", "100,4", "0,0"]
        assert line_for(output, 2021, "I alt").split()[3:7] == ["70,0", "70,0", "70,0", "0,0"]
        assert "reserven for 2024 er ikke fordelt" in line_for(output, 2024, "I alt")

    def test_it_fails_when_a_row_no_longer_adds_up_to_the_published_total(self):
        change_cell("2021", 2022, amount="3.8", initiatives__number="14")

        with pytest.raises(CommandError, match="2 af 24 offentliggjorte tal stemmer ikke"):
            run("2021")

    def test_it_names_the_unexplained_difference_on_the_chapter_and_the_total(self):
        change_cell("2021", 2022, amount="3.8", initiatives__number="14")

        problems = [
            check for check in reconcile(Strategy.objects.get(slug="2021"), Edition.draft()) if not check.is_reconciled
        ]

        assert [(check.year, check.scope, check.difference) for check in problems] == [
            (2022, "I alt", Decimal("-0.1")),
            (2022, "2. Bedre brug af sundhedsdata", Decimal("-0.1")),
        ]
        assert problems[0].problem == "Forskellen på -0.1 mio. kr. er ikke forklaret."

    def test_it_fails_when_the_explained_difference_no_longer_matches(self):
        change_cell("2030", 2024, amount="5.6", title="Videreudvikle Trial Nation")

        with pytest.raises(CommandError, match="1 af 4 offentliggjorte tal stemmer ikke"):
            run("2030")

    def test_it_cannot_vouch_for_a_published_total_over_unknown_cells(self):
        change_cell("2021", 2021, kind=CellKind.UNKNOWN, initiatives__number="9")

        with pytest.raises(CommandError):
            run("2021")
        problems = [
            check.problem
            for check in reconcile(Strategy.objects.get(slug="2021"), Edition.draft())
            if not check.is_reconciled
        ]
        assert problems == ["1 ukendt celle; det offentliggjorte tal kan ikke efterprøves."] * 2

    def test_it_says_which_slug_does_not_exist(self):
        with pytest.raises(CommandError, match="Ingen strategi med kortnavn 2019"):
            run("2019")
