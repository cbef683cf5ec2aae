"""Script in any text a person can store, on every page that shows it: escaped in HTML, inert in chart data,
intact in JSON and CSV. Formula injection in Excel exports is covered by
tests/test_strategy_export.py::TestStrategyExport::test_it_writes_formula_like_titles_as_text.
"""

import csv
import html
import io
import json
import re

import pytest
from django.utils.html import escape

from budgets.baselines import freeze_baseline
from budgets.cells import parse_cell
from budgets.models import Allocation, BudgetLine, CellKind, Footnote, FundingFrame
from editing.services import CellEdit, save_grid
from initiatives.models import Strategy
from tests.helpers import publish_draft

pytestmark = pytest.mark.django_db


def payload(field: str) -> str:
    """Breaks out of an attribute, a tag and a script block, and tries template syntax; names its field."""
    return f'"><img src=x onerror=alert("{field}")></script><script>alert("{field}")</script>{{{{7*7}}}}'


SHORT = '"><script>alert("short")</script>'  # the short title holds 60 characters


def text_of(field: str) -> str:
    return SHORT if field == "short" else payload(field)


FIELDS = [
    "short",
    "strategy",
    "description",
    "source",
    "chapter",
    "initiative",
    "line",
    "footnote",
    "frame",
    "cell",
    "reason",
    "baseline",
    "note",
]
JSON_SCRIPT = re.compile(r'<script id="[^"]*" type="application/json">(.*?)</script>', re.S)
# What must never reach a page unescaped, whatever field it came from.
RAW = ("<img src=x", "<script>alert(", "</script><script>")


@pytest.fixture
def stored(staff_user):
    """Every kind of text a person can store, set to a payload, as an editor or administrator would."""
    strategy = Strategy.objects.get(slug="2021")
    strategy.title, strategy.short_title = payload("strategy"), SHORT
    strategy.description = payload("description")
    strategy.source = payload("source") + " strategi-2030.txt"
    strategy.save()
    line = BudgetLine.objects.filter(strategy=strategy, chapter__isnull=False, allocations__kind=CellKind.AMOUNT)[0]
    line.title = payload("line")
    line.save()
    chapter = line.chapter
    chapter.title = payload("chapter")
    chapter.save()
    initiative = line.initiatives.first()
    initiative.title = payload("initiative")
    initiative.save()
    footnote = Footnote.objects.create(strategy=strategy, marker="*", text=payload("footnote"), source="test")
    line.footnotes.add(footnote)
    frame = FundingFrame.objects.filter(strategy=strategy).first()
    frame.name = payload("frame")
    frame.save()
    first, second = Allocation.objects.filter(line=line, kind=CellKind.AMOUNT).order_by("year")[:2]
    save_grid(
        strategy,
        staff_user,
        [CellEdit(line.pk, first.year, parse_cell(f"Er finansieret {payload('cell')}"), first.version)],
        payload("reason"),
    )
    freeze_baseline(payload("baseline"))
    publish_draft("2021", note=payload("note"))
    # A change after the publication, for the review before the next one.
    save_grid(
        strategy,
        staff_user,
        [CellEdit(line.pk, second.year, parse_cell(f"Er finansieret {payload('cell')}"), second.version)],
        payload("reason"),
    )
    return initiative


PAGES = {
    # url: the fields whose payload the page shows (escaped)
    "/": ["short", "strategy"],
    "/strategies/2021/": ["strategy", "description", "source", "chapter", "line", "footnote", "cell"],
    "/strategies/2021/?view=public": ["strategy", "line", "cell", "note"],
    "/strategies/2021/versions/": ["line", "cell", "note"],
    "/strategies/2021/publish/": ["line", "cell", "reason"],
    "/initiatives/": ["chapter", "initiative"],
    "/initiatives/{pk}/": ["strategy", "chapter", "initiative"],
    "/compare/?by=chapter&strategy=2021": ["chapter"],
    "/strategies/2021/edit/": ["line", "cell"],
    "/strategies/2021/changes/": ["line", "reason"],
    "/strategies/2021/baselines/": ["line", "cell", "baseline"],
    "/strategies/2021/import/": [],
    "/api/": ["short"],
}


def page_of(client, url, initiative):
    response = client.get(url.format(pk=initiative.pk))
    assert response.status_code == 200, url
    return response.content.decode()


class TestStoredScript:
    @pytest.fixture(autouse=True)
    def logged_in(self, client, staff_user):
        client.force_login(staff_user)

    @pytest.mark.parametrize("url", PAGES)
    def test_it_shows_every_payload_escaped_and_none_raw(self, client, stored, url):
        html = page_of(client, url, stored)

        assert [marker for marker in RAW if marker in html] == []
        shown = [field for field in FIELDS if escape(text_of(field)) in html]
        assert set(PAGES[url]) <= set(shown)

    @pytest.mark.parametrize("url", [url for url in PAGES if "api" not in url])
    def test_it_keeps_chart_data_inside_its_script_block(self, client, stored, url):
        html = page_of(client, url, stored)

        for block in JSON_SCRIPT.findall(html):
            assert "<" not in block and ">" not in block
            json.loads(block)

    def test_it_carries_titles_into_chart_data_as_text_plotly_shows_as_written(self, client, stored):
        blocks = JSON_SCRIPT.findall(page_of(client, "/strategies/2021/", stored))

        charts = json.dumps([json.loads(block) for block in blocks], ensure_ascii=False)
        # Plotly reads tags in names as markup; escaped, it shows them as typed (tests/test_chart_markup.py).
        assert json.dumps(html.escape(payload("chapter"), quote=False), ensure_ascii=False)[1:-1] in charts
        assert json.dumps(payload("chapter"), ensure_ascii=False)[1:-1] not in charts

    def test_it_returns_stored_text_intact_in_json(self, client, stored):
        strategy = client.get("/api/strategies/2021/")
        initiative = client.get(f"/api/initiatives/{stored.pk}/")

        assert strategy["Content-Type"] == "application/json"
        assert strategy["X-Content-Type-Options"] == "nosniff"
        assert (strategy.json()["title"], strategy.json()["description"]) == (
            payload("strategy"),
            payload("description"),
        )
        assert initiative.json()["title"] == payload("initiative")

    @pytest.mark.parametrize(
        "url", ["/strategies/2021/?export=csv", "/initiatives/?export=csv", "/api/allocations.csv"]
    )
    def test_it_serves_csv_as_csv_that_no_browser_renders(self, client, stored, url):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content

        assert response["Content-Type"].startswith("text/csv")
        assert response["X-Content-Type-Options"] == "nosniff"
        fields = {field for row in csv.reader(io.StringIO(body.decode())) for field in row}
        # The strategy's CSV prints the line's footnote marker beside its title, as the page does.
        assert {payload("line"), payload("line") + "*", payload("initiative")} & fields


REFLECTED = [
    "/initiatives/?q={}",
    "/initiatives/?strategy={}&chapter={}&year_from={}",
    "/compare/?year={}&strategy={}&by={}",
    "/strategies/2021/?sort={}",
    "/strategies/2021/changes/?since={}&until={}&user={}",
    "/strategies/2021/baselines/?from={}&to={}",
    "/strategies/2021/edit/?reason={}",
]


class TestReflectedScript:
    @pytest.mark.parametrize("url", REFLECTED)
    def test_it_never_echoes_a_query_string_unescaped(self, client, staff_user, url):
        from urllib.parse import quote

        client.force_login(staff_user)
        response = client.get(url.replace("{}", quote(payload("query"))))

        assert response.status_code in (200, 400)
        html = response.content.decode()
        assert [marker for marker in RAW if marker in html] == []
