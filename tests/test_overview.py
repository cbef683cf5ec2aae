import csv
import io
import re
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import Allocation, CellKind
from budgets.numbers import Figure
from budgets.synthetic import generate_data
from initiatives.models import Strategy
from publication.editions import Edition
from tests.helpers import change_cell, publish_draft, table_rows

pytestmark = pytest.mark.django_db


class TestOverview:
    def test_it_lists_the_three_strategies_with_period_initiatives_frame_and_allocated(self, client):
        response = client.get(reverse("overview"))

        assert response.status_code == 200
        rows = table_rows(response.content.decode(), "strategies")
        assert rows[1:] == [
            ["Vækstplan for life science", "2018–2021", "36 (18 navngivet)", "120,0", "ukendt", "ikke angivet"],
            # The 2024 reserve lies outside the strategy's period: said apart, not added into its frame.
            [
                "Strategi for life science",
                "2021–2023",
                "38",
                "270,8 + 30,4 i 2024, uden for perioden",
                "270,8",
                "ikke angivet",
            ],
            ["National strategi for life science frem mod 2030", "2024–2027", "28", "400,0", "399,1", "2024-priser"],
        ]

    def test_it_links_each_strategy_to_its_page(self, client):
        html = client.get(reverse("overview")).content.decode()
        for slug in ("2018", "2021", "2030"):
            assert f'href="/strategies/{slug}/"' in html

    def test_it_charts_each_strategys_allocations_per_year_and_the_frames(self, client):
        chart = client.get(reverse("overview")).context["chart"]
        traces = {trace["name"]: trace for trace in chart["data"]}

        assert traces["Strategi 2021"]["x"] == list(range(2018, 2028))
        assert traces["Strategi 2021"]["y"][3:6] == [70.0, 100.4, 100.4]
        assert traces["Strategi 2030"]["y"][6:] == [99.1, 100.0, 100.0, 100.0]
        assert traces["Vækstplan 2018: ramme, fordeling ukendt"]["y"][:4] == [30.0] * 4
        assert traces["Rammer i alt"]["y"] == [30.0, 30.0, 30.0, 100.0, 100.4, 100.4, 130.4, 100.0, 100.0, 100.0]
        assert chart["layout"]["barmode"] == "stack"
        assert chart["layout"]["separators"] == ",."

    def test_it_stacks_a_known_part_under_the_rest_of_the_frame_still_unknown(self, client):
        change_cell("2018", 2018, amount="12.5", title__contains="Trial Nation")
        publish_draft("2018")

        chart = client.get(reverse("overview")).context["chart"]
        traces = {trace["name"]: trace for trace in chart["data"]}

        assert traces["Vækstplan 2018"]["y"][:4] == [12.5, None, None, None]
        assert traces["Vækstplan 2018: ramme, fordeling ukendt"]["y"][:4] == [17.5, 30.0, 30.0, 30.0]

    def test_it_says_how_overlapping_strategies_relate(self, client):
        notes = client.get(reverse("overview")).context["notes"]

        assert (
            "Strategi 2021: totalerne for 2022, 2023 indeholder vækstplanens reserve på 30,4 mio. kr. årligt; "
            "den tælles én gang, i denne strategi." in notes
        )
        assert "Strategi 2021: reserven for 2024 er ikke fordelt i nogen offentliggjort tabel." in notes
        overlap = "2021 ligger i perioden for både Vækstplan 2018 og Strategi 2021; hver søjle viser sin egen ramme."
        assert overlap in notes

    def test_it_tables_the_same_figures_as_the_chart(self, client):
        response = client.get(reverse("overview"))
        rows = table_rows(response.content.decode(), "yearly-funding")

        assert rows[0] == ["År", "Vækstplan 2018", "Strategi 2021", "Strategi 2030", "Fordelt i alt", "Rammer i alt"]
        assert rows[4] == ["2021", "ukendt", "70,0", "", "mindst 70,0 + ukendt", "100,0"]
        assert rows[7] == ["2024", "", "", "99,1", "99,1", "130,4"]

    def test_its_csv_keeps_unknown_and_at_least_as_the_table_does(self, client):
        response = client.get(reverse("overview"), {"export": "csv"})
        lines = list(csv.reader(io.StringIO(response.content.decode())))

        assert lines[1] == ["2018", "ukendt", "", "", "ukendt", "30.0"]
        assert lines[4] == ["2021", "ukendt", "70.0", "", "mindst 70.0 + ukendt", "100.0"]

    def test_it_serves_plotly_from_its_own_static_files(self, client):
        html = client.get(reverse("overview")).content.decode()

        script = re.search(r'<script src="/static/dashboard/charts.js" data-plotly="([^"]+)" defer></script>', html)
        assert script.group(1) == "/static/vendor/plotly-site.min.js"
        assert "cdn" not in html.lower()
        assert b"plotly.js v" in b"".join(client.get(script.group(1)).streaming_content)[:200]
        assert 'data-figure="chart-overview-data"' in html
        assert '<script id="chart-overview-data" type="application/json">' in html


class TestOverviewOfManyStrategies:
    """A ministry's hundreds of strategies: a page of them one by one, the others together, every total of all."""

    @pytest.fixture
    def many(self, db):
        generate_data(24, 3, 2, seed=5)  # with the three of the fixtures, 27 strategies: two pages of 20

    def test_it_shows_a_page_of_strategies_and_the_others_together_in_every_total(self, client, many):
        html = client.get(reverse("overview")).content.decode()

        header, *years = table_rows(html, "yearly-funding")
        assert len(header) == 1 + 20 + 1 + 2  # year, the page's strategies, the others, allocated and frames in all
        assert header[-3:] == ["Øvrige strategier", "Fordelt i alt", "Rammer i alt"]
        assert len(table_rows(html, "strategies")) == 1 + 20
        assert "Strategi 1–20 af 27 vises hver for sig" in html
        assert 'href="?page=2"' in html
        second = client.get(reverse("overview"), {"page": 2}).content.decode()
        assert len(table_rows(second, "strategies")) == 1 + 7
        assert "Strategi 21–27 af 27 vises hver for sig" in second

    def test_its_others_and_its_totals_add_up_to_the_file_of_every_strategy(self, client, many):
        html = client.get(reverse("overview")).content.decode()
        every = list(csv.reader(io.StringIO(client.get(reverse("overview"), {"export": "csv"}).content.decode())))

        assert len(every[0]) == 1 + 27 + 2
        shown = {row[0]: row for row in table_rows(html, "yearly-funding")[1:]}
        checked = 0
        for year, *strategies, total, _frame in every[1:]:
            page = shown[year]
            assert page[-2] == total.replace(".", ",")  # the total of every strategy, on every page
            others = [value for value in strategies[20:] if value]
            if not others:
                assert page[-3] == ""
            elif all(re.fullmatch(r"\d+\.\d", value) for value in others):
                assert page[-3] == f"{sum(Decimal(value) for value in others):.1f}".replace(".", ",")
                checked += 1
            else:  # unknown is never zero: the others' sum says so
                assert page[-3] == "ukendt" or page[-3].startswith("mindst")
        assert checked

    def test_it_charts_the_page_of_strategies_and_the_others_as_one_stack(self, client, many):
        response = client.get(reverse("overview"))
        # A strategy whose amounts are all unknown is drawn as its frame only ("Vækstplan 2018: ramme, …").
        names = {trace["name"].split(":")[0] for trace in response.context["chart"]["data"]}

        page = [strategy.short_title for strategy in response.context["page"].object_list]
        assert len(page) == 20
        assert names == {*page, "Øvrige strategier", "Rammer i alt"}

    @pytest.mark.parametrize("edition", ["public", "draft"])
    def test_its_totals_and_others_are_the_sums_of_every_cell_with_an_unknown_one_kept_unknown(
        self, client, staff_user, many, edition
    ):
        # A cell of a strategy on the second page made unknown: the others' sum and the total of its year say so.
        strategy = Strategy.objects.order_by("first_year", "slug").last()
        cell = Allocation.objects.filter(line__strategy=strategy, kind=CellKind.AMOUNT).order_by("year").first()
        cell.kind, cell.amount = CellKind.UNKNOWN, None
        cell.save()
        if edition == "public":
            publish_draft(strategy.slug)
        else:
            client.force_login(staff_user)

        response = client.get(reverse("overview"))

        funding, shown = response.context["funding"], {s.pk for s in response.context["page"].object_list}
        assert strategy.pk not in shown
        periods = {s.pk: s.years for s in Strategy.objects.all()}
        totals, others = defaultdict(Figure), defaultdict(Figure)
        cells = (Edition.draft() if edition == "draft" else Edition.public()).cells()
        for strategy_id, year, kind, amount in cells.values_list("line__strategy", "year", "kind", "amount"):
            figure = Figure.of(SimpleNamespace(kind=kind, amount=amount))
            totals[year] += figure
            if strategy_id not in shown and year in periods[strategy_id]:
                others[year] += figure
        assert {year: funding.total(year) for year in funding.years} == {year: totals[year] for year in funding.years}
        assert {year: funding.others(year) for year in funding.years} == {
            year: others[year] if any(year in periods[pk] for pk in periods if pk not in shown) else None
            for year in funding.years
        }
        assert not funding.others(cell.year).is_complete and not funding.total(cell.year).is_complete
        row = next(row for row in table_rows(response.content.decode(), "yearly-funding") if row[0] == str(cell.year))
        assert row[-3].startswith("mindst") and row[-3].endswith("+ ukendt")
        assert row[-2].startswith("mindst") and row[-2].endswith("+ ukendt")

    def test_it_runs_no_more_queries_for_twice_the_strategies(
        self, client, settings, many, django_assert_max_num_queries
    ):
        settings.PAGE_CACHE = False
        with CaptureQueriesContext(connection) as before:
            client.get(reverse("overview"))
        generate_data(27, 3, 2, seed=6)
        with django_assert_max_num_queries(len(before)):
            client.get(reverse("overview"))
