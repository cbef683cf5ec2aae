import pytest

pytestmark = pytest.mark.django_db


class TestComparisonApi:
    def test_it_gives_the_figures_of_the_compare_page(self, client):
        data = client.get("/api/comparison/", {"year": ["2023", "2024"]}).json()

        assert data["years"] == [2023, 2024]
        assert data["total"]["figures"] == {
            "2023": {"amount": 100.4, "known_amount": 100.4, "unknown_cells": 0, "complete": True},
            "2024": {"amount": 99.1, "known_amount": 99.1, "unknown_cells": 0, "complete": True},
        }
        assert data["total"]["changes"] == [{"from": 2023, "to": 2024, "change": -1.3, "change_percent": -1.3}]
        page = client.get("/compare/", {"year": ["2023", "2024"]}).context["comparison"]
        assert [row["label"] for row in data["rows"]] == [row.label for row in page.rows]

    def test_it_gives_no_amount_for_a_sum_with_unknown_cells_only_its_known_part_and_the_unknown_count(self, client):
        data = client.get("/api/comparison/", {"strategy": ["2018", "2021"], "year": ["2020", "2021"]}).json()

        # 2018's amounts are unknown: never "0.0".
        assert data["total"]["figures"]["2020"] == {
            "amount": None,
            "known_amount": 0.0,
            "unknown_cells": 18,
            "complete": False,
        }
        assert data["total"]["figures"]["2021"] == {
            "amount": None,
            "known_amount": 70.0,
            "unknown_cells": 18,
            "complete": False,
        }
        assert data["total"]["changes"] == [{"from": 2020, "to": 2021, "change": None, "change_percent": None}]
        research = next(row for row in data["rows"] if row["label"] == "Forskning og udvikling")
        assert research["figures"]["2020"]["amount"] is None

    def test_it_answers_bad_input_with_400_and_a_message(self, client):
        response = client.get("/api/comparison/", {"year": "1850"})

        assert response.status_code == 400
        assert "year" in response.json()

    def test_it_says_a_sum_over_unknown_cells_is_unknown_with_what_is_known_beside(self, client):
        data = client.get("/api/comparison/", {"year": ["2018", "2021"]}).json()

        assert data["total"]["figures"]["2018"] == {
            "amount": None,
            "known_amount": 0.0,
            "unknown_cells": 18,
            "complete": False,
        }
        assert data["total"]["figures"]["2021"]["complete"] is False
        assert data["total"]["changes"][0]["change"] is None

    def test_it_keys_each_row_the_same_in_every_language(self, client):
        query = {"year": ["2023", "2024"], "by": "chapter", "strategy": ["2021", "2030"]}
        danish = client.get("/api/comparison/", query, HTTP_ACCEPT_LANGUAGE="da").json()
        english = client.get("/api/comparison/", query, HTTP_ACCEPT_LANGUAGE="en").json()

        keys = [row["key"] for row in danish["rows"]]
        assert keys == [row["key"] for row in english["rows"]]
        assert {"2021:1", "2030:2", "2021:reserves"} <= set(keys)
        assert len(set(keys)) == len(keys)
        assert danish["total"]["key"] == "total"
        by_theme = client.get("/api/comparison/", {"year": ["2023"]}).json()
        assert "clinical-research" in [row["key"] for row in by_theme["rows"]]
