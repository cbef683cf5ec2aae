import pytest

pytestmark = pytest.mark.django_db


class TestComparisonApi:
    def test_it_gives_the_figures_of_the_compare_page(self, client):
        data = client.get("/api/comparison/", {"year": ["2023", "2024"]}).json()

        assert data["years"] == [2023, 2024]
        assert data["total"]["figures"] == {
            "2023": {"amount": "100.4", "unknown_cells": 0},
            "2024": {"amount": "99.1", "unknown_cells": 0},
        }
        assert data["total"]["changes"] == [{"from": 2023, "to": 2024, "change": "-1.3", "change_percent": "-1.3"}]
        page = client.get("/compare/", {"year": ["2023", "2024"]}).context["comparison"]
        assert [row["label"] for row in data["rows"]] == [row.label for row in page.rows]

    def test_it_answers_bad_input_with_400_and_a_message(self, client):
        response = client.get("/api/comparison/", {"year": "1850"})

        assert response.status_code == 400
        assert "year" in response.json()
