import pytest

from budgets.models import FundingFrame
from initiatives.models import Chapter, Initiative, InitiativeLink

pytestmark = pytest.mark.django_db


class TestStrategiesApi:
    def test_it_lists_the_strategies_with_period_unit_and_price_basis(self, client):
        strategies = client.get("/api/strategies/").json()

        assert [(item["slug"], item["first_year"], item["last_year"]) for item in strategies] == [
            ("2018", 2018, 2021),
            ("2021", 2021, 2023),
            ("2030", 2024, 2027),
        ]
        assert strategies[2]["price_basis"] == "2024-priser"
        assert {item["unit"] for item in strategies} == {"mio. kr."}
        counts = [(item["initiatives"], item["initiatives_named"]) for item in strategies]
        assert counts == [(36, 18), (38, 38), (28, 28)]

    def test_it_answers_404_for_an_unknown_slug(self, client):
        assert client.get("/api/strategies/1999/").status_code == 404


class TestChaptersApi:
    def test_it_lists_chapters_of_one_strategy(self, client):
        chapters = client.get("/api/chapters/", {"strategy__slug": "2030"}).json()

        assert [item["number"] for item in chapters] == [1, 2, 3, 4, 5, 6]
        assert chapters[0]["title"] == Chapter.objects.get(strategy__slug="2030", number=1).title


class TestInitiativesApi:
    def test_it_gives_each_initiative_its_lineage_and_budget_lines(self, client):
        trial_nation = Initiative.objects.get(chapter__strategy__slug="2021", number="2")

        item = client.get(f"/api/initiatives/{trial_nation.pk}/").json()

        assert (item["strategy"], item["number"], item["theme"]) == ("2021", "2", "clinical-research")
        assert item["budget_lines"] == list(trial_nation.budget_lines.values_list("pk", flat=True))
        assert [link["predecessor"] for link in item["predecessors"]] == list(
            InitiativeLink.objects.filter(successor=trial_nation).values_list("predecessor", flat=True)
        )
        successor = Initiative.objects.get(chapter__strategy__slug="2030", number="2.2")
        assert item["successors"] == [
            {
                "predecessor": trial_nation.pk,
                "successor": successor.pk,
                "relation": "developed",
                "source": item["successors"][0]["source"],
            }
        ]

    def test_it_filters_by_strategy_and_theme(self, client):
        page = client.get("/api/initiatives/", {"strategy": "2030", "theme": "international"}).json()

        assert [item["number"] for item in page["results"]] == ["5.1", "5.2", "5.3", "5.4", "5.5"]

    def test_it_answers_an_unknown_theme_with_400(self, client):
        response = client.get("/api/initiatives/", {"theme": "astrology"})

        assert response.status_code == 400
        assert "astrology" in response.json()["theme"][0]


class TestFramesApi:
    def test_it_lists_frames_with_yearly_amounts_as_json_numbers(self, client):
        frames = client.get("/api/frames/", {"strategy__slug": "2021"}).json()

        assert [(frame["kind"], [amount["amount"] for amount in frame["amounts"]]) for frame in frames] == [
            ("frame", [70.0, 70.0, 70.0]),
            ("reserve", [30.4, 30.4, 30.4]),
        ]
        assert len(client.get("/api/frames/").json()) == FundingFrame.objects.count()
