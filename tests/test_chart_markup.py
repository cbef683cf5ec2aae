"""Plotly reads tags in the texts it draws as markup: a chapter titled '<a href=…>' became a live link in the
legend, '<span style=…>' 40 px red text on the axis. Every name a person can store reaches a chart as text."""

import json
import re

import pytest

from budgets.changes import figures_changed
from budgets.models import BudgetLine, CellKind
from initiatives.models import Initiative, Strategy

pytestmark = pytest.mark.django_db

LINK = '<a href="http://evil.example/">Se mere</a>'
STYLE = '<span style="font-size:40px;color:red">Stor</span>'
BREAK = "Første<br>anden"
JSON_SCRIPT = re.compile(r'<script id="[^"]*" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def marked_up():
    strategy = Strategy.objects.get(slug="2021")
    line = BudgetLine.objects.filter(strategy=strategy, chapter__isnull=False, allocations__kind=CellKind.AMOUNT)[0]
    BudgetLine.objects.filter(pk=line.pk).update(title=BREAK)
    type(line.chapter).objects.filter(pk=line.chapter_id).update(title=LINK)
    Strategy.objects.filter(pk=strategy.pk).update(short_title=STYLE)
    figures_changed()  # as every edit through the app does: no page cached before shows the old names
    return Initiative.objects.filter(chapter__strategy=strategy, number="2").get()


def chart_texts(html: str) -> list[str]:
    """Every text in the figures a page hands to Plotly, but the hover templates, which are the app's own."""
    texts = []

    def walk(value, key=""):
        if isinstance(value, dict):
            for inner_key, inner in value.items():
                walk(inner, inner_key)
        elif isinstance(value, list):
            for inner in value:
                walk(inner, key)
        elif isinstance(value, str) and key != "hovertemplate":
            texts.append(value)

    for block in JSON_SCRIPT.findall(html):
        walk(json.loads(block)["data"])
    return texts


@pytest.mark.parametrize("url", ["/", "/strategies/2021/", "/compare/?by=chapter&strategy=2021", "/initiatives/{pk}/"])
def test_no_stored_name_reaches_a_chart_as_markup(client, marked_up, url):
    html = client.get(url.format(pk=marked_up.pk)).content.decode()

    texts = chart_texts(html)

    assert texts
    assert [text for text in texts if "<a " in text or "<span" in text or "<br>" in text] == []


def test_the_names_are_there_as_text_and_in_the_hover_label(client, marked_up):
    html = client.get("/strategies/2021/").content.decode()

    texts = chart_texts(html) + chart_texts(client.get("/").content.decode())  # strategies are named on the overview
    hovers = [trace["hovertemplate"] for block in JSON_SCRIPT.findall(html) for trace in json.loads(block)["data"]]
    assert '&lt;span style="font-size:40px;color:red"&gt;Stor&lt;/span&gt;' in texts
    assert any('&lt;a href="http://evil.example/"&gt;Se mere&lt;/a&gt;' in text for text in texts)
    assert any("Første&lt;br&gt;anden" in text for text in texts)
    assert not any("evil.example" in hover and "&lt;" not in hover for hover in hovers)
