from decimal import Decimal

import pytest

from budgets.comparison import compare
from initiatives.models import Strategy
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db


def rows(response):
    return table_rows(response.content.decode(), "comparison")


class TestCompare:
    def test_it_answers_how_much_went_to_internationalisation_in_2022(self, client):
        response = client.get("/compare/", {"strategy": "2021", "year": "2022"})

        assert response.status_code == 200
        international = next(row for row in rows(response) if row[0] == "Internationalisering og eksport")
        # 2021 nr. 26, 27, 31 and 32: 16,8 + 16,8 + 2,0 + 3,0
        assert international == ["Internationalisering og eksport", "38,6"]
        assert rows(response)[-1] == ["I alt", "100,4"]

    def test_it_compares_2024_with_2023_in_mio_kr_and_per_cent(self, client):
        response = client.get("/compare/", {"year": ["2023", "2024"]})

        table = rows(response)
        assert table[0] == ["Tema", "2023", "2024", "2024 − 2023 (mio. kr.)", "2024 − 2023 (%)"]
        assert table[-1] == ["I alt", "100,4", "99,1", "-1,3", "-1,3 %"]
        production = next(row for row in table if row[0] == "Produktion og investeringer")
        # 2021 nr. 30 (2,5) against 2030 4.1 and 4.2 (7,3 + 3,7)
        assert production == ["Produktion og investeringer", "2,5", "11,0", "8,5", "340,0 %"]

    def test_it_compares_chapters_of_different_strategies_side_by_side(self, client):
        response = client.get("/compare/", {"strategy": ["2021", "2030"], "year": ["2023", "2024"], "by": "chapter"})

        table = rows(response)
        assert table[0][0] == "Kapitel"
        # A chapter exists only in its own strategy's years, so no change is computed across the gap.
        assert ["Strategi 2021 · 5. Målrettet internationalisering og myndighedssamarbejde", "44,8", "", "–", "–"] in [
            row[:5] for row in table
        ]
        assert ["Strategi 2030 · 5. Internationalt samarbejde og sundhedsdiplomati", "", "46,8"] in [
            row[:3] for row in table
        ]

    def test_it_keeps_the_selection_in_the_url_and_shows_it_checked(self, client):
        html = client.get("/compare/", {"strategy": "2030", "year": "2025", "by": "chapter"}).content.decode()

        assert 'value="2030" id="id_strategy_2" checked' in html
        assert 'value="2021" id="id_strategy_1" checked' not in html
        assert 'value="chapter" required id="id_by_1" checked' in html

    def test_it_counts_every_allocated_krone_once_whatever_the_grouping(self):
        strategies = list(Strategy.objects.all())
        years = range(2018, 2028)
        by_theme = compare(strategies, years, "theme").totals.figures
        by_chapter = compare(strategies, years, "chapter").totals.figures
        assert {year: figure.amount for year, figure in by_theme.items()} == {
            year: figure.amount for year, figure in by_chapter.items()
        }
        assert sum(figure.amount for figure in by_theme.values()) == Decimal("669.9")

    @pytest.mark.parametrize(
        "query, message",
        [
            ({"strategy": "1999"}, "Marker en gyldig valgmulighed"),
            ({"year": "1850"}, "Marker en gyldig valgmulighed"),
            ({"by": "colour"}, "Marker en gyldig valgmulighed"),
        ],
    )
    def test_it_answers_bad_input_with_400_and_a_danish_message(self, client, query, message):
        response = client.get("/compare/", query)

        assert response.status_code == 400
        assert message in response.content.decode()

    def test_it_offers_the_comparison_as_csv(self, client):
        response = client.get("/compare/", {"year": ["2023", "2024"], "export": "csv"})

        lines = response.content.decode().splitlines()
        assert lines[-1] == 'I alt,100.4,99.1,-1.3,"-1,3 %"'
