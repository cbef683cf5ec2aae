from decimal import Decimal

import pytest

from budgets.baselines import MOST_BASELINES, PUBLISHED_NAME, differences, freeze_baseline, published_baseline
from budgets.models import Allocation, Baseline
from initiatives.models import Strategy
from tests.helpers import change_cell, publish_draft, table_rows

pytestmark = pytest.mark.django_db


class TestBaselines:
    def test_it_keeps_the_figures_as_published_from_the_seed(self):
        published = published_baseline()

        assert published.name == PUBLISHED_NAME
        assert published.cells.count() == Allocation.objects.count()
        assert differences(Strategy.objects.get(slug="2021"), published, None) == []

    def test_it_sends_the_old_comparison_with_the_published_figures_to_the_versions(self, client):
        change_cell("2021", 2022, amount="15.8", initiatives__number="26")
        change_cell("2021", 2022, amount="17.8", initiatives__number="27")
        publish_draft("2021")

        response = client.get("/strategies/2021/as-published/", follow=True)
        rows = table_rows(response.content.decode(), "differences")

        assert response.redirect_chain == [("/strategies/2021/versions/?from=1&to=2", 301)]

        assert rows[1:] == [
            [
                "26",
                "Styrket internationalt myndighedssamarbejde til fremme af dansk eksport",
                "2022",
                "16,8",
                "15,8",
                "-1,0",
            ],
            ["27", "Styrket globalt sundhedsdiplomati og myndighedssamarbejde", "2022", "16,8", "17,8", "+1,0"],
        ]

    def test_it_freezes_a_named_baseline_and_compares_two_of_them(self, client, make_editor):
        client.force_login(make_editor("anna", "2021"))
        change_cell("2021", 2022, amount="15.8", initiatives__number="26")

        response = client.post("/strategies/2021/baselines/", {"name": "Finanslov 2025"})
        frozen = Baseline.objects.get(name="Finanslov 2025")
        change_cell("2021", 2022, amount="14.0", initiatives__number="26")
        compared = client.get("/strategies/2021/baselines/", {"from": published_baseline().pk, "to": frozen.pk})

        assert response.status_code == 302
        assert frozen.created_by == "anna"
        assert table_rows(compared.content.decode(), "differences")[1][3:] == ["16,8", "15,8", "-1,0"]
        since = differences(Strategy.objects.get(slug="2021"), frozen, None)
        assert [(item.old.amount, item.new.amount, item.change) for item in since] == [
            (Decimal("15.8"), Decimal("14.0"), Decimal("-1.8"))
        ]

    @pytest.mark.parametrize("name, message", [("", "Giv basislinjen et navn"), (PUBLISHED_NAME, "findes allerede")])
    def test_it_refuses_a_missing_or_taken_name(self, client, make_editor, name, message):
        client.force_login(make_editor("anna", "2021"))
        count = Baseline.objects.count()

        response = client.post("/strategies/2021/baselines/", {"name": name})

        assert response.status_code == 400
        assert message in response.content.decode()
        assert Baseline.objects.count() == count

    def test_it_answers_400_for_a_baseline_that_does_not_exist(self, client, make_editor):
        client.force_login(make_editor("anna", "2021"))
        assert client.get("/strategies/2021/baselines/", {"from": "999999"}).status_code == 400

    def test_it_keeps_freezing_to_staff(self, client):
        assert client.post("/strategies/2021/baselines/", {"name": "X"}).status_code == 302
        assert not Baseline.objects.filter(name="X").exists()
        assert freeze_baseline("Y").cells.count() == Allocation.objects.count()


class TestBaselinesOfOneStrategy:
    """An editor of one strategy froze every strategy's cells (70 MB and 13–18 s at 400.000 cells), under names
    shared by all strategies, as often as they liked."""

    @pytest.fixture
    def editor(self, client, make_editor):
        client.force_login(make_editor("anna", "2021"))

    def test_it_freezes_only_the_cells_of_the_strategy_of_the_page(self, client, editor):
        response = client.post("/strategies/2021/baselines/", {"name": "Finanslov 2025"})

        frozen = Baseline.objects.get(name="Finanslov 2025")
        assert response.status_code == 302
        assert frozen.strategy.slug == "2021"
        assert frozen.cells.count() == Allocation.objects.filter(line__strategy__slug="2021").count()
        assert set(frozen.cells.values_list("line__strategy__slug", flat=True)) == {"2021"}

    def test_it_shows_a_strategy_only_its_own_baselines_and_those_of_every_strategy(self, client, make_editor):
        theirs = freeze_baseline("Finanslov 2025", strategy=Strategy.objects.get(slug="2030"))
        client.force_login(make_editor("bo", "2021"))

        page = client.get("/strategies/2021/baselines/")
        asked = client.get("/strategies/2021/baselines/", {"from": theirs.pk})

        assert list(page.context["baselines"]) == [published_baseline()]
        assert asked.status_code == 400

    def test_it_takes_a_name_once_per_strategy(self, client, editor):
        freeze_baseline("Finanslov 2025", strategy=Strategy.objects.get(slug="2030"))

        first = client.post("/strategies/2021/baselines/", {"name": "Finanslov 2025"})
        again = client.post("/strategies/2021/baselines/", {"name": "Finanslov 2025"})

        assert first.status_code == 302
        assert again.status_code == 400 and "findes allerede" in again.content.decode()
        assert Baseline.objects.filter(name="Finanslov 2025").count() == 2

    def test_it_keeps_at_most_a_hundred_baselines_of_a_strategy(self, client, editor):
        strategy = Strategy.objects.get(slug="2021")
        for number in range(MOST_BASELINES):
            freeze_baseline(f"Udkast {number}", strategy=strategy)

        response = client.post("/strategies/2021/baselines/", {"name": "En til"})

        assert response.status_code == 400
        assert "har 100 basislinjer, det højeste antal en strategi må have" in response.content.decode()
        assert not Baseline.objects.filter(name="En til").exists()
