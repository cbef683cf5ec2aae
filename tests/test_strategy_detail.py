import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from tests.helpers import amount, change_cell, publish_draft, table_rows
from tests.test_source_tables import TABLE_2021

pytestmark = pytest.mark.django_db


def page(client, slug, language="da"):
    with translation.override(language):
        url = reverse("strategy_detail", args=[slug])
    return client.get(url)


def row_total(cells: list[str]) -> str:
    """What a row adds up to, as printed: its amounts summed, text cells counting nothing, blank if all blank."""
    if not any(cells):
        return ""
    amounts = [amount(cell.split()[0]) for cell in cells if cell[:1].isdigit()]
    return f"{sum(amounts, Decimal('0.0')):.1f}".replace(".", ",")


def budget_rows(response) -> list[list[str]]:
    return table_rows(response.content.decode(), "budget-table")


class TestStrategyDetail:
    def test_it_shows_the_2021_table_with_the_fact_sheets_numbers_row_by_row(self, client):
        response = page(client, "2021")

        assert response.status_code == 200
        rows = budget_rows(response)
        expected = [["Nr.", "Initiativ", "2021", "2022", "2023", "I alt"]]
        for number, (chapter, (subtotals, lines)) in enumerate(TABLE_2021.items(), start=1):
            expected.append([f"{number}. {chapter}", *subtotals, row_total(subtotals)])
            expected += [[line_number, *cells, row_total(cells)] for line_number, cells in lines]
        expected += [
            ["", "Forhandlingsreserve", "10,0", "9,4", "9,4", "28,8"],
            ["", "I alt", "70,0", "100,4", "100,4", "270,8"],
            ["", "I alt som offentliggjort", "70,0", "100,4", "100,4", ""],
            ["", "Ramme", "70,0", "100,4", "100,4", ""],
            ["", "Tilbage af rammen", "0,0", "0,0", "0,0", ""],
        ]
        without_titles = [row[:1] + row[2:] if row[0].isdigit() else row for row in rows]
        assert without_titles == expected

    def test_it_shows_unknown_as_unknown_and_not_as_zero(self, client):
        rows = budget_rows(page(client, "2018"))

        trial_nation = next(row for row in rows if "Trial Nation" in row[1])
        assert trial_nation[2:] == ["ukendt"] * 5
        assert rows[-4] == ["", "I alt", "ukendt", "ukendt", "ukendt", "ukendt", "ukendt"]
        assert rows[-2] == ["", "Ramme", "30,0", "30,0", "30,0", "30,0", ""]

    def test_it_shows_a_known_sum_beside_the_cells_still_unknown(self, client):
        change_cell("2018", 2018, amount="1234.5", title__contains="Trial Nation")
        publish_draft("2018")

        rows = budget_rows(page(client, "2018"))

        assert next(row for row in rows if "Trial Nation" in row[1])[2] == "1.234,5"
        assert rows[-4][2] == "1.234,5 + ukendt"
        assert rows[-4][-1] == "1.234,5 + ukendt"

    def test_it_shows_the_2030_table_with_its_footnotes_and_listed_initiatives_without_a_row(self, client):
        response = page(client, "2030")
        rows = budget_rows(response)
        html = response.content.decode()

        assert ["4.1", "Udpege nye industriparker*", "7,3", "4,4", "3,9", "3,9", "19,5"] in rows
        diplomats = ["5.2 + 5.3", "Udsendte sundhedsdiplomater og investeringsfremme", "20,0", "20,0", "20,0", "20,0"]
        assert [*diplomats, "80,0"] in rows
        no_row = ["2.3", "Fortsat styrke klinisk forskning (ingen egen række i budgettabellen)", "", "", "", "", ""]
        assert no_row in rows
        assert rows[-4] == ["", "I alt", "99,1", "100,0", "100,0", "100,0", "399,1"]
        assert rows[-3] == ["", "I alt som offentliggjort", "100,0**", "100,0", "100,0", "100,0", ""]
        assert "brofinansiering på i alt 0,9 mio. kr." in html
        assert "2024-priser" in html

    def test_it_writes_numbers_in_english_notation_for_english_readers(self, client):
        change_cell("2021", 2022, amount="1234.5", initiatives__number="26")
        publish_draft("2021")

        response = page(client, "2021", language="en")
        rows = budget_rows(response)

        assert response.headers["content-language"] == "en"
        assert next(row for row in rows if row[0] == "26")[2:] == ["5.7", "1,234.5", "16.8", "1,257.0"]
        assert rows[0] == ["No.", "Initiative", "2021", "2022", "2023", "Total"]

    def test_it_stays_danish_for_a_browser_that_asks_for_english(self, client):
        response = client.get("/strategies/2021/", headers={"accept-language": "en-US,en;q=0.9"})

        assert response.headers["content-language"] == "da"
        assert budget_rows(response)[0] == ["Nr.", "Initiativ", "2021", "2022", "2023", "I alt"]

    def test_it_links_to_the_same_page_in_the_other_language(self, client):
        danish = page(client, "2021").content.decode()
        english = page(client, "2021", language="en").content.decode()

        assert '<a href="/en/strategies/2021/" lang="en" hreflang="en">English</a>' in danish
        assert '<a href="/strategies/2021/" lang="da" hreflang="da">dansk</a>' in english

    def test_it_answers_404_for_a_strategy_that_does_not_exist(self, client):
        assert page(client, "1999").status_code == 404

    def test_it_sorts_lines_within_their_chapter_and_keeps_the_chapters(self, client):
        with translation.override("da"):
            url = reverse("strategy_detail", args=["2021"])
        rows = budget_rows(client.get(url, {"sort": "-y2022"}))

        chapter_one = rows[2:13]
        assert [row[0] for row in chapter_one[:3]] == ["10", "2", "11"]
        assert rows[13][0] == "2. Bedre brug af sundhedsdata"

    def test_it_offers_the_table_as_csv_with_plain_numbers(self, client):
        with translation.override("da"):
            url = reverse("strategy_detail", args=["2021"])
        response = client.get(url, {"export": "csv"})

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        lines = list(csv.reader(io.StringIO(response.content.decode())))
        assert lines[0] == ["number", "title", "2021", "2022", "2023", "total"]
        assert [
            "2",
            "Videreførelse af Trial Nation, national forening til fremme af kliniske forsøg i Danmark",
            "Er finansieret",
            "4.5",
            "4.5",
            "9.0",
        ] in lines

    def test_it_draws_the_chapter_chart_and_the_sunburst_from_the_same_figures(self, client):
        response = page(client, "2021")

        chapters = response.context["chapter_chart"]["data"]
        assert [trace["y"] for trace in chapters][0] == [16.6, 22.1, 22.2]
        assert chapters[-1]["name"] == "Reserver"
        sunburst = response.context["sunburst"]["data"][0]
        assert sunburst["values"][0] == 270.8
        assert 'data-figure="chart-chapters-data"' in response.content.decode()
