import csv
import io
import json
import re
from decimal import Decimal

import pandas
import pytest
from django.db.models import Count, Sum

from budgets.models import Allocation, BudgetLine, CellKind
from initiatives.models import Theme

pytestmark = pytest.mark.django_db


def exact(response) -> dict:
    """The JSON body with its numbers as written, not as binary floating point."""
    return json.loads(response.content, parse_float=Decimal)


def all_pages(client, url, params) -> list[dict]:
    results, page = [], exact(client.get(url, params))
    results += page["results"]
    while page["next"]:
        page = exact(client.get(page["next"]))
        results += page["results"]
    return results


class TestAllocationsApi:
    def test_it_returns_every_cell_with_amounts_as_json_numbers(self, client):
        rows = all_pages(client, "/api/allocations/", {"page_size": 50})

        assert len(rows) == Allocation.objects.count() == 217
        by_id = {row["allocation_id"]: row for row in rows}
        for cell in Allocation.objects.select_related("line__strategy"):
            row = by_id[cell.pk]
            assert (row["year"], row["cell_kind"], row["line_id"]) == (cell.year, cell.kind, cell.line_id)
            assert row["amount"] == (cell.amount if cell.kind == CellKind.AMOUNT else None)
            assert row["strategy"] == cell.line.strategy.slug

    def test_it_sums_to_the_databases_totals_per_strategy(self, client):
        rows = all_pages(client, "/api/allocations/", {"page_size": 1000})
        for slug in ("2021", "2030"):
            from_api = sum(Decimal(row["amount"]) for row in rows if row["strategy"] == slug and row["amount"])
            in_db = Allocation.objects.filter(line__strategy__slug=slug).aggregate(total=Sum("amount"))["total"]
            assert from_api == in_db

    def test_it_filters_by_strategy_and_year(self, client):
        rows = all_pages(client, "/api/allocations/", {"strategy": "2021", "year": 2022})

        assert {(row["strategy"], row["year"]) for row in rows} == {("2021", 2022)}
        assert sum(Decimal(row["amount"]) for row in rows if row["amount"]) == Decimal("100.4")

    def test_it_counts_a_line_of_two_initiatives_under_the_theme_of_the_first(self, client):
        line = BudgetLine.objects.annotate(funded=Count("initiatives")).filter(funded__gte=2).order_by("pk").first()
        first, second = line.initiatives.order_by("position")[:2]
        second.theme = Theme.RESEARCH if first.theme != Theme.RESEARCH else Theme.HEALTH_DATA
        second.save()
        cells = set(line.allocations.values_list("pk", flat=True))

        as_first = {row["allocation_id"] for row in all_pages(client, "/api/allocations/", {"theme": first.theme})}
        as_second = {row["allocation_id"] for row in all_pages(client, "/api/allocations/", {"theme": second.theme})}

        assert cells and cells <= as_first
        assert not cells & as_second
        every = {
            row["allocation_id"]
            for theme in Theme.values
            for row in all_pages(client, "/api/allocations/", {"theme": theme})
        }
        assert len(every) == Allocation.objects.filter(line__initiatives__isnull=False).distinct().count()

    def test_it_filters_by_theme_chapter_and_year_range(self, client):
        rows = all_pages(client, "/api/allocations/", {"theme": "international", "year_from": 2024, "year_to": 2025})
        assert {row["theme"] for row in rows} == {"international"}
        assert {row["year"] for row in rows} == {2024, 2025}
        diplomats = [row for row in rows if row["initiative_numbers"] == ["5.2", "5.3"]]
        assert [row["amount"] for row in diplomats] == [Decimal("20.0"), Decimal("20.0")]

        chapter = rows[0]["chapter_number"]
        assert chapter == 5

    def test_it_pages_with_stable_ids(self, client):
        first = client.get("/api/allocations/", {"page_size": 10}).json()
        again = client.get("/api/allocations/", {"page_size": 10}).json()
        second = client.get(first["next"]).json()

        assert first["count"] == 217
        assert [row["allocation_id"] for row in first["results"]] == [row["allocation_id"] for row in again["results"]]
        assert not {row["allocation_id"] for row in first["results"]} & {
            row["allocation_id"] for row in second["results"]
        }

    @pytest.mark.parametrize(
        "params, field",
        [
            ({"strategy": "1999"}, "strategy"),
            ({"theme": "astrology"}, "theme"),
            ({"year": "next"}, "year"),
            ({"year_from": 2025, "year_to": 2020}, "year_to"),
            ({"kind": "guess"}, "kind"),
        ],
    )
    def test_it_answers_an_unknown_filter_value_with_400_and_a_message(self, client, params, field):
        response = client.get("/api/allocations/", params)

        assert response.status_code == 400
        assert field in response.json()
        assert response.json()[field][0]

    def test_it_answers_in_english_when_the_client_asks_for_it(self, client):
        response = client.get("/api/allocations/", {"strategy": "1999"}, headers={"accept-language": "en"})

        assert response.json()["strategy"][0].startswith("Select a valid choice.")


class TestUnknownIsNeverZero:
    def test_it_writes_amounts_as_json_numbers_with_one_decimal_and_unknown_as_null(self, client):
        body = client.get("/api/allocations/", {"page_size": 1000}).content.decode()

        assert re.search(r'"amount":20\.0[,}]', body)
        assert not re.search(r'"amount":"', body)
        assert not re.search(r'"amount":-?\d+[,}]|"amount":-?\d+\.\d\d', body)
        rows = json.loads(body)["results"]
        assert {row["cell_kind"] for row in rows if row["amount"] is None} == {"unknown", "financed"}

    def test_it_writes_decimal_strings_for_clients_that_ask_for_them(self, client):
        rows = client.get("/api/allocations/", {"strategy": "2021", "year": 2022, "amounts": "string"}).json()

        assert "4.5" in [row["amount"] for row in rows["results"]]
        frames = client.get("/api/frames/", {"strategy__slug": "2021", "amounts": "string"}).json()
        assert [frame["amounts"][0]["amount"] for frame in frames] == ["70.0", "30.4"]
        refused = client.get("/api/allocations/", {"amounts": "float"})
        assert refused.status_code == 400
        assert refused.json() == {"amounts": ["Skriv ?amounts=number (standard) eller ?amounts=string."]}

    @pytest.mark.parametrize("source", ["csv", "json"])
    def test_a_pandas_pivot_leaves_the_unknown_2018_empty_and_sums_2021(self, client, source):
        if source == "csv":
            response = client.get("/api/allocations.csv")
            frame = pandas.read_csv(io.BytesIO(b"".join(response.streaming_content)))
        else:
            frame = pandas.DataFrame(client.get("/api/allocations/", {"page_size": 1000}).json()["results"])

        # A sum of nothing but unknown cells is unknown: min_count=1, as the README says to sum with.
        pivot = frame.pivot_table(
            index="strategy",
            columns="year",
            values="amount",
            aggfunc=lambda amounts: amounts.sum(min_count=1),
            dropna=False,
        )
        pivot.index = pivot.index.astype(str)
        assert pivot.loc["2018"].isna().all()
        assert [round(pivot.loc["2021", year], 1) for year in (2021, 2022, 2023)] == [70.0, 100.4, 100.4]
        assert pivot.loc["2018"].notna().sum() == 0
        plain = frame.pivot_table(index="strategy", columns="year", values="amount", dropna=False)  # the mean
        plain.index = plain.index.astype(str)
        assert plain.loc["2018"].isna().all()


class TestAllocationsCsv:
    def test_it_serves_the_2021_allocations_for_2022_from_one_url(self, client):
        response = client.get("/api/allocations.csv?strategy=2021&year=2022")

        assert response["Content-Type"] == "text/csv; charset=utf-8"
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
        assert len(rows) == Allocation.objects.filter(line__strategy__slug="2021", year=2022).count()
        assert sum(Decimal(row["amount"]) for row in rows if row["amount"]) == Decimal("100.4")
        trial_nation = next(row for row in rows if row["initiative_numbers"] == "2")
        assert (trial_nation["amount"], trial_nation["unit"], trial_nation["cell_kind"]) == (
            "4.5",
            "mio. kr.",
            "amount",
        )

    def test_it_keeps_text_cells_and_empty_amounts_apart(self, client):
        response = client.get("/api/allocations.csv?strategy=2021&year=2021")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))

        financed = next(row for row in rows if row["initiative_numbers"] == "4")
        assert (financed["cell_kind"], financed["amount"], financed["cell_text"]) == (
            "financed",
            "",
            "Finansieret i genstartsaftale",
        )

    def test_it_gives_each_cell_the_footnotes_its_line_carries_in_the_csv_and_the_json(self, client):
        response = client.get("/api/allocations.csv?strategy=2030&year=2024")
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
        as_json = all_pages(client, "/api/allocations/", {"strategy": "2030", "year": 2024})

        for found in (rows, as_json):
            marked = {row["line_title"]: row["line_footnotes"] for row in found if row["line_footnotes"]}
            assert set(marked) == {"Udpege nye industriparker", "Oprette one-stop-shop for produktionsvirksomheder"}
            assert all(note.startswith("*: ") and "\n" not in note for note in marked.values())
        growth_plan = all_pages(client, "/api/allocations/", {"strategy": "2018", "year": 2018})
        reserve = next(row for row in growth_plan if row["initiative_numbers"] == ["2"])
        assert reserve["line_footnotes"].startswith("***: MedWatch (2. marts 2018)")
        assert reserve["amount"] is None

    def test_it_answers_a_bad_filter_with_400_and_a_message(self, client):
        response = client.get("/api/allocations.csv?year_from=abc")

        assert response.status_code == 400
        assert response.json() == {"year_from": ["Indtast et heltal."]}
