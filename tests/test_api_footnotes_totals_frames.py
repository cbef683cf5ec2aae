"""Everything the published tables print beside their cells is open data too: the footnotes with the rows they
belong to, the totals as printed, and the frames, each as JSON and as CSV in both dialects."""

import csv
import io
import json
from decimal import Decimal

import pytest

from budgets.models import BudgetLine, Footnote, FundingFrame, PublishedTotal

pytestmark = pytest.mark.django_db


def csv_rows(client, url, delimiter=",") -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=delimiter))


class TestFootnotes:
    def test_it_gives_each_footnote_with_the_lines_and_totals_it_belongs_to(self, client):
        footnotes = client.get("/api/footnotes/", {"strategy": "2030"}).json()

        bridge = next(footnote for footnote in footnotes if footnote["marker"] == "**")
        assert "brofinansiering på i alt 0,9 mio. kr." in bridge["text"]
        assert bridge["total_years"] == [2024]
        red_carpet = next(footnote for footnote in footnotes if footnote["marker"] == "*")
        footnote = Footnote.objects.get(pk=red_carpet["footnote_id"])
        assert red_carpet["line_ids"] == sorted(
            BudgetLine.objects.filter(footnotes=footnote).values_list("pk", flat=True)
        )
        assert len(footnotes) == Footnote.objects.filter(strategy__slug="2030").count()

    def test_the_csv_holds_the_same_rows(self, client):
        rows = csv_rows(client, "/api/footnotes.csv?strategy=2030")
        footnotes = client.get("/api/footnotes/", {"strategy": "2030"}).json()

        assert [row["text"] for row in rows] == [footnote["text"] for footnote in footnotes]
        assert [row["line_ids"] for row in rows] == [" ".join(map(str, f["line_ids"])) for f in footnotes]


class TestPublishedTotals:
    def test_it_gives_the_totals_as_printed_with_what_a_footnote_explains(self, client):
        body = client.get("/api/published-totals/", {"strategy": "2030", "year": 2024}).content
        totals = json.loads(body, parse_float=Decimal)

        grand = next(total for total in totals if total["chapter_number"] is None)
        assert (grand["amount"], grand["explained_difference"], grand["footnote_marker"]) == (
            Decimal("100.0"),
            Decimal("0.9"),
            "**",
        )
        assert len(totals) == PublishedTotal.objects.filter(strategy__slug="2030", year=2024).count()

    def test_the_danish_csv_writes_them_with_decimal_commas(self, client):
        rows = csv_rows(client, "/api/published-totals.csv?strategy=2030&year=2024&dialect=excel-da", ";")

        grand = next(row for row in rows if not row["chapter_number"])
        assert (grand["amount"], grand["explained_difference"]) == ("100,0", "0,9")


class TestFrames:
    def test_the_csv_has_a_row_per_frame_and_year_as_the_json(self, client):
        rows = csv_rows(client, "/api/frames.csv?strategy=2021")
        frames = client.get("/api/frames/", {"strategy": "2021"}).json()

        assert [(row["name"], row["year"], row["amount"]) for row in rows] == [
            (frame["name"], str(amount["year"]), f"{amount['amount']:.1f}")
            for frame in frames
            for amount in frame["amounts"]
        ]
        assert {row["strategy"] for row in rows} == {"2021"}
        assert len({row["frame_id"] for row in rows}) == FundingFrame.objects.filter(strategy__slug="2021").count()

    def test_it_refuses_a_strategy_it_does_not_know(self, client):
        response = client.get("/api/frames.csv?strategy=1999")

        assert response.status_code == 400
        assert "strategy" in response.json()
