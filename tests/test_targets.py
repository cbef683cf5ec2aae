"""/strategies/2030/targets/ and /targets/<n>/, the staff's measured values, and the targets' open data."""

import csv
import io
import json
import re
from datetime import date

import pytest
from django.test import Client

from initiatives.models import Initiative
from tests.helpers import change_cell, publish_draft, table_rows
from tracking.models import Indicator, Measurement, StatusUpdate, Target

pytestmark = pytest.mark.django_db

EXPORT = {"target__strategy__slug": "2030", "name": "dansk life science-eksport"}


@pytest.fixture
def editor_client(make_editor):
    client = Client()
    client.force_login(make_editor("statistik", "2030"))
    return client


def enter(client, indicator, **typed):
    prefix = f"indicator-{indicator.pk}"
    data = {"indicator": indicator.pk, f"{prefix}-reason": "Danmarks Statistik, ny opgørelse"}
    data |= {f"{prefix}-{name}": value for name, value in typed.items()}
    return client.post(f"/strategies/2030/targets/{indicator.target.number}/measurements/", data)


class TestTheTargetsPage:
    def test_it_shows_the_vision_and_six_targets_word_for_word(self):
        html = Client().get("/strategies/2030/targets/").content.decode()

        rows = table_rows(html, "targets")[1:]
        targets = Target.objects.filter(strategy__slug="2030").order_by("number")
        assert [row[1] for row in rows] == [target.text for target in targets]
        assert [row[2] for row in rows] == [" ".join(target.indicator_text.split()) for target in targets]
        assert "Danmark skal være en førende life science-nation i Europa til gavn for patienterne" in html

    def test_it_has_no_targets_page_for_a_strategy_that_sets_none(self):
        assert Client().get("/strategies/2021/targets/").status_code == 404


class TestTheChaptersInitiatives:
    def test_it_lists_the_chapter_of_the_targets_number_with_published_status_and_money(self):
        chapter = Initiative.objects.filter(chapter__strategy__slug="2030", chapter__number=2).order_by("position")
        trial_nation = chapter.get(number="2.2")
        StatusUpdate.objects.create(initiative=trial_nation, status="started", as_of=date(2025, 1, 1), text="I gang.")
        publish_draft("2030")
        change_cell("2030", 2024, amount="10.0", initiatives__number="2.2")  # the draft only

        rows = table_rows(Client().get("/strategies/2030/targets/2/").content.decode(), "chapter-initiatives")[1:]

        assert [row[0] for row in rows] == [initiative.number for initiative in chapter]
        # Trial Nation's line as published: 4,7 a year in 2024-2027.
        assert {row[0]: row[2:] for row in rows}["2.2"] == ["igangsat", "18,8"]


class TestAnExportFigure:
    def test_it_appears_on_the_chart_and_in_the_api_once_entered_with_its_source(self, editor_client):
        indicator = Indicator.objects.get(**EXPORT)

        response = enter(
            editor_client,
            indicator,
            period="2024",
            value="197,3",
            source="Danmarks Statistik, tabel UHV5",
            link="https://www.statistikbanken.dk/uhv5",
        )

        assert response.status_code == 302
        page = Client().get("/strategies/2030/targets/5/").content.decode()
        shown = table_rows(page, f"measurements-{indicator.pk}")[1]
        assert shown == ["2024", "197,3", "Danmarks Statistik, tabel UHV5"]
        assert f'id="chart-indicator-{indicator.pk}"' in page
        api = Client().get("/api/measurements/?strategy=2030").json()
        assert [(row["indicator_id"], row["measured_on"], row["value"], row["source"]) for row in api] == [
            (indicator.pk, "2024-01-01", "197.300", "Danmarks Statistik, tabel UHV5")
        ]
        lines = list(csv.DictReader(io.StringIO(Client().get("/api/measurements.csv").content.decode())))
        assert lines[0]["value"] == "197.300" and lines[0]["precision"] == "year"

    def test_it_draws_the_target_of_350_beside_the_measured_values(self, editor_client):
        indicator = Indicator.objects.get(**EXPORT)
        enter(editor_client, indicator, period="2024", value="197,3", source="Danmarks Statistik")

        page = Client().get("/strategies/2030/targets/5/").content.decode()

        chart = rf'<script id="chart-indicator-{indicator.pk}-data" type="application/json">(.*?)</script>'
        data = re.search(chart, page)
        traces = {trace["name"]: trace for trace in json.loads(data[1])["data"]}
        assert traces["Mål"]["x"] == ["2030-01-01"] and traces["Mål"]["y"] == [350.0]
        assert traces["Målt"]["y"] == [197.3]

    def test_it_corrects_the_value_of_the_same_year_with_a_new_save(self, editor_client):
        indicator = Indicator.objects.get(**EXPORT)
        enter(editor_client, indicator, period="2024", value="197,3", source="Danmarks Statistik")
        enter(editor_client, indicator, period="2024", value="198,0", source="Danmarks Statistik, revideret")

        assert list(Measurement.objects.values_list("value", "source")) == [
            (pytest.approx(198), "Danmarks Statistik, revideret")
        ]


class TestBadMeasurements:
    @pytest.mark.parametrize(
        "typed, message",
        [
            ({"period": "2024", "value": "mange", "source": "DST"}, "måles som et tal: “mange” er ikke et tal."),
            ({"period": "2024", "value": "197,3", "source": " "}, "Dette felt er påkrævet"),
            ({"period": "sidste år", "value": "197,3", "source": "DST"}, "Skriv det år, den måned eller den dag"),
            ({"period": "2024", "value": "197,3", "source": "DST\x07"}, "usynligt kontroltegn"),
            ({"period": "2024", "value": "197,3", "source": "DST", "link": "javascript:alert(1)"}, "webadresse"),
        ],
    )
    def test_it_refuses_with_a_message_and_writes_nothing(self, editor_client, typed, message):
        response = enter(editor_client, Indicator.objects.get(**EXPORT), **typed)

        assert response.status_code == 400
        assert message in response.content.decode()
        assert not Measurement.objects.exists()

    def test_it_refuses_an_editor_of_another_strategy(self, make_editor):
        client = Client()
        client.force_login(make_editor("andet", "2021"))

        response = enter(client, Indicator.objects.get(**EXPORT), period="2024", value="1", source="DST")

        assert response.status_code == 403
        assert not Measurement.objects.exists()


class TestOpenData:
    def test_it_gives_the_targets_and_indicators_with_numbers_only_where_the_source_has_them(self):
        targets = Client().get("/api/targets/").json()
        indicators = {row["name"]: row for row in Client().get("/api/indicators/?strategy=2030").json()}

        assert [row["number"] for row in targets] == [1, 2, 3, 4, 5, 6]
        assert indicators["dansk life science-eksport"]["target_value"] == "350.000"
        assert indicators["lægemiddelindustriens produktion"]["target_value"] is None
        assert indicators["lægemiddelindustriens produktion"]["target_text"] == "over niveauet i 2024"

    def test_it_refuses_an_unknown_strategy_in_the_readers_language(self):
        response = Client().get("/api/targets/?strategy=2099", headers={"accept-language": "en"})

        assert response.status_code == 400
        assert response.json() == {"strategy": ["No published strategy “2099”."]}

    def test_it_describes_every_resource_in_the_schema(self):
        schema = Client().get("/api/schema/?format=json").json()

        for resource in ("progress", "status-updates", "milestones", "targets", "indicators", "measurements"):
            assert f"/api/{resource}/" in schema["paths"]
