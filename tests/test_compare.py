import csv
import io
import json
import re
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags

from budgets.comparison import compare
from budgets.display import amount_html
from budgets.models import Allocation, CellKind
from budgets.numbers import Figure
from budgets.synthetic import generate_data
from dashboard.views import COMPARISON_ROWS_PER_PAGE
from initiatives.models import Chapter, Strategy
from publication.editions import Edition
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

    def test_it_names_the_chapters_in_english_on_english_pages(self, client):
        response = client.get("/en/compare/", {"by": "chapter", "year": "2022", "export": "csv"})
        rows = [row[0] for row in csv.reader(io.StringIO(response.content.decode()))]

        assert "Strategy 2021 · 5. Targeted internationalisation and cooperation between authorities" in rows
        assert not any(row.startswith("Strategi 2021") for row in rows)

    def test_it_cites_the_versions_of_the_strategies_compared_only(self, client):
        chosen = client.get("/compare/", {"strategy": ["2021", "2030"], "year": "2025"}).content.decode()
        every = client.get("/compare/", {"year": "2025"}).content.decode()

        citation = re.search(r"Kilde: Strategy Tracker \(Erhvervsministeriet\), ([^.]*)\.", chosen).group(1)
        assert citation.startswith("Strategi 2021, version 1") and "Strategi 2030, version 1" in citation
        assert "Vækstplan 2018" not in citation
        assert "Kilde: Strategy Tracker (Erhvervsministeriet), Vækstplan 2018, version 1" in every

    def test_it_keeps_the_selection_in_the_url_and_shows_it_checked(self, client):
        html = client.get("/compare/", {"strategy": "2030", "year": "2025", "by": "chapter"}).content.decode()

        assert 'value="2030" id="id_strategy_2" checked' in html
        assert 'value="2021" id="id_strategy_1" checked' not in html
        assert 'value="chapter" required id="id_by_1" checked' in html

    def test_it_counts_every_allocated_krone_once_whatever_the_grouping(self):
        strategies = list(Strategy.objects.all())
        years = range(2018, 2028)
        by_theme = compare(Edition.public(), strategies, years, "theme").totals.figures
        by_chapter = compare(Edition.public(), strategies, years, "chapter").totals.figures
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

    def test_it_never_turns_unknown_into_a_number_in_the_table_the_csv_or_the_chart(self, client):
        query = {"strategy": ["2018", "2021"], "year": ["2020", "2021"]}
        response = client.get("/compare/", query)
        table = rows(response)
        csv_lines = list(csv.reader(io.StringIO(client.get("/compare/", {**query, "export": "csv"}).content.decode())))
        chart = response.context["chart"]["data"]

        assert table[-1][:3] == ["I alt", "ukendt", "mindst 70,0 + ukendt"]
        assert csv_lines[-1][:3] == ["I alt", "ukendt", "mindst 70.0 + ukendt"]
        research = [row.label for row in response.context["comparison"].rows].index("Forskning og udvikling")
        # No bar for a sum nobody knows; the hover label says what the table says.
        assert chart[0]["x"][research] is None
        assert chart[0]["customdata"][research] == ["Forskning og udvikling", "ukendt mio. kr."]

    def test_it_offers_the_comparison_as_csv(self, client):
        response = client.get("/compare/", {"year": ["2023", "2024"], "export": "csv"})

        lines = list(csv.reader(io.StringIO(response.content.decode())))
        # Negative numbers are numbers, never escaped as text would be (tests/test_csv_injection.py).
        assert lines[-1] == ["I alt", "100.4", "99.1", "-1.3", "-1.3"]


def as_read(figure) -> str:
    """A sum as a reader sees it in a cell: "2.417,6 + ukendt"."""
    return " ".join(strip_tags(amount_html(figure)).split())


def chart_labels(html: str) -> list[str]:
    """The whole names of the rows the comparison chart draws, read from the figure the page hands to Plotly."""
    start = html.index('<script id="chart-compare-data" type="application/json">')
    figure = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    return [label for label, _hover in figure["data"][0]["customdata"]]


class TestCompareManyChapters:
    """Ten more strategies of ten chapters: by chapter, more rows than one page shows."""

    @pytest.fixture(autouse=True)
    def many_chapters(self, db):
        generate_data(10, 100, 10, seed=11)
        self.strategies = list(Strategy.objects.all())
        self.years = sorted({year for strategy in self.strategies for year in strategy.years})
        self.comparison = compare(Edition.public(), self.strategies, self.years, "chapter")
        assert len(self.comparison.rows) > COMPARISON_ROWS_PER_PAGE

    def test_it_shows_a_hundred_chapters_and_the_total_of_them_all(self, client):
        table = rows(client.get("/compare/", {"year": self.years, "by": "chapter"}))

        assert len(table) == 1 + COMPARISON_ROWS_PER_PAGE + 1  # the header, a page of chapters, the total
        assert [row[0] for row in table[1:-1]] == [row.label for row in self.comparison.rows[:COMPARISON_ROWS_PER_PAGE]]
        total = self.comparison.totals.figures
        assert table[-1][: 1 + len(self.years)] == ["I alt", *(as_read(total[year]) for year in self.years)]

    def test_it_shows_the_rest_on_the_next_page_with_the_same_total(self, client):
        first = rows(client.get("/compare/", {"year": self.years, "by": "chapter"}))
        second = rows(client.get("/compare/", {"year": self.years, "by": "chapter", "page": "2"}))

        labels = [row[0] for row in first[1:-1] + second[1:-1]]
        assert labels == [row.label for row in self.comparison.rows]
        assert second[-1] == first[-1]

    def test_it_says_which_rows_are_shown(self, client):
        html = client.get("/compare/", {"year": self.years, "by": "chapter", "page": "2"}).content.decode()

        count = len(self.comparison.rows)
        assert f"Række 101–{count} af {count} vises her og i diagrammet" in " ".join(html.split())

    def test_it_charts_the_chapters_of_the_page_shown(self, client):
        html = client.get("/compare/", {"year": self.years, "by": "chapter", "page": "2"}).content.decode()

        assert chart_labels(html) == [row.label for row in self.comparison.rows[COMPARISON_ROWS_PER_PAGE:]]

    def test_it_links_the_next_page_with_the_selection_kept(self, client):
        html = client.get("/compare/", {"by": "chapter", "year": ["2024", "2025"]}).content.decode()

        assert 'rel="next"' in html
        assert "?by=chapter&amp;year=2024&amp;year=2025&amp;page=2" in html

    @pytest.mark.parametrize("page, first", [("abc", 0), ("0", None), ("99999999", None)])
    def test_it_shows_the_first_or_last_page_for_a_page_that_is_not_there(self, client, page, first):
        response = client.get("/compare/", {"year": self.years, "by": "chapter", "page": page})

        assert response.status_code == 200
        shown = rows(response)[1][0]
        last_page_start = (len(self.comparison.rows) - 1) // COMPARISON_ROWS_PER_PAGE * COMPARISON_ROWS_PER_PAGE
        assert shown == self.comparison.rows[last_page_start if first is None else first].label

    def test_it_puts_every_chapter_in_the_csv_file(self, client):
        response = client.get("/compare/", {"year": self.years, "by": "chapter", "export": "csv"})

        lines = list(csv.reader(io.StringIO(response.content.decode())))
        assert [line[0] for line in lines[1:]] == [row.label for row in self.comparison.rows] + ["I alt"]

    def test_it_shows_few_rows_without_pages(self, client):
        html = client.get("/compare/", {"by": "theme"}).content.decode()

        assert 'class="pagination"' not in html
        assert "vises her og i diagrammet" not in html


def figures_of_every_cell(years, edition=None) -> dict:
    """(strategy, chapter or None) → year → Figure, added up here from every cell the edition (the public's unless
    given) shows, not by the page."""
    figures = defaultdict(lambda: defaultdict(Figure))
    cells = (edition or Edition.public()).cells().filter(year__in=years)
    for strategy, chapter, year, kind, amount in cells.values_list(
        "line__strategy", "line__chapter", "year", "kind", "amount"
    ):
        cell = Figure(amount or Decimal(0), int(kind == CellKind.UNKNOWN), int(kind == CellKind.FINANCED_ELSEWHERE))
        figures[(strategy, chapter)][year] += cell
    return figures


class TestCompareByChapterInPages:
    """A thousand strategies' chapters are read a page at a time: each page and the total as every cell adds up."""

    @pytest.fixture(autouse=True)
    def many_chapters(self, db, settings):
        settings.PAGE_CACHE = False
        generate_data(10, 100, 10, seed=5)
        self.years = sorted({year for strategy in Strategy.objects.all() for year in strategy.years})

    def expected_rows(self, edition=None) -> list[tuple[tuple, list[str]]]:
        """Each row's (strategy id, chapter id or None) and its cells as the table shows them, in the rows' order."""
        strategies = Strategy.objects.in_bulk()
        chapters = Chapter.objects.in_bulk()
        figures = figures_of_every_cell(self.years, edition)

        def order(key):
            strategy, chapter = key
            number = chapters[chapter].number if chapter else 99  # the reserves after the chapters
            return strategies[strategy].first_year, number, strategy, chapter is None, chapter or 0

        rows = []
        for strategy, chapter in sorted(figures, key=order):
            label = str(chapters[chapter]) if chapter else "Reserver og endnu ikke fordelt"
            by_year = figures[(strategy, chapter)]
            cells = [as_read(by_year[year]) if year in by_year else "" for year in self.years]
            rows.append(((strategy, chapter), [f"{strategies[strategy].short_title} · {label}", *cells]))
        return rows

    def test_it_shows_page_two_and_the_total_as_every_cell_adds_up(self, client):
        expected = [row for _key, row in self.expected_rows()]
        total = defaultdict(Figure)
        for by_year in figures_of_every_cell(self.years).values():
            for year, figure in by_year.items():
                total[year] += figure
        assert COMPARISON_ROWS_PER_PAGE < len(expected) <= 2 * COMPARISON_ROWS_PER_PAGE
        assert any(not figure.is_complete for figure in total.values())  # "mindst X + ukendt" in the total

        table = rows(client.get("/compare/", {"year": self.years, "by": "chapter", "page": "2"}))

        width = 1 + len(self.years)
        assert [row[:width] for row in table[1:-1]] == expected[COMPARISON_ROWS_PER_PAGE:]
        assert table[-1][:width] == ["I alt", *(as_read(total[year]) for year in self.years)]

    def test_it_shows_staff_page_two_of_the_draft_as_its_cells_add_up(self, client, make_editor):
        (strategy, chapter), _row = self.expected_rows()[COMPARISON_ROWS_PER_PAGE]
        cell = Allocation.objects.filter(line__strategy=strategy, line__chapter=chapter, kind=CellKind.AMOUNT).first()
        cell.kind, cell.amount = CellKind.UNKNOWN, None
        cell.save()
        client.force_login(make_editor("redaktoer"))

        table = rows(client.get("/compare/", {"year": self.years, "by": "chapter", "page": "2"}))

        expected = [row for _key, row in self.expected_rows(Edition.draft())]
        width = 1 + len(self.years)
        assert [row[:width] for row in table[1:-1]] == expected[COMPARISON_ROWS_PER_PAGE:]
        assert "ukendt" in table[1][1 + self.years.index(cell.year)]  # the draft's unknown cell, not the public's

    # The versions shown and their strategies, the sums of the rows (by chapter: the rows' order, a page's sums and
    # chapters) and the total. The form read the strategies thrice more, and the share box once more.
    @pytest.mark.parametrize("by, most", [("theme", 4), ("chapter", 6)])
    def test_it_runs_as_few_queries_for_ten_more_strategies(self, client, by, most):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert client.get("/compare/", {"by": by}).status_code == 200
            return len(captured)

        before = queries()
        generate_data(10, 100, 3, seed=6)

        assert queries() == before <= most
