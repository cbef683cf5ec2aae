"""Caching validators, CORS, the OpenAPI description and the human page of the open data."""

import pytest
import yaml

from tests.helpers import change_cell, publish_draft

pytestmark = pytest.mark.django_db

URL = "/api/allocations/?strategy=2021&year=2022"


class TestCaching:
    def test_it_answers_304_while_the_figures_are_unchanged(self, client):
        first = client.get(URL)

        again = client.get(URL, headers={"if-none-match": first["ETag"]})
        since = client.get(URL, headers={"if-modified-since": first["Last-Modified"]})

        assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
        assert again.status_code == 304
        assert since.status_code == 304

    def test_it_answers_200_with_a_new_etag_after_a_publication(self, client):
        first = client.get(URL)
        change_cell("2021", 2022, amount="17.5", initiatives__number="26")
        publish_draft("2021")

        after = client.get(URL, headers={"if-none-match": first["ETag"]})

        assert after.status_code == 200
        assert after["ETag"] != first["ETag"]
        assert "17.5" in after.content.decode()

    def test_it_gives_different_addresses_different_etags(self, client):
        assert client.get(URL)["ETag"] != client.get("/api/allocations/?strategy=2030")["ETag"]


class TestCors:
    def test_it_lets_any_site_read_the_open_data(self, client):
        response = client.get(URL, headers={"origin": "https://journalist.example"})

        assert response["Access-Control-Allow-Origin"] == "*"

    def test_it_allows_only_reading_in_a_preflight(self, client):
        response = client.options(
            URL, headers={"origin": "https://journalist.example", "access-control-request-method": "GET"}
        )

        assert set(response["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}

    def test_it_does_not_open_the_pages_to_other_sites(self, client):
        response = client.get("/strategies/2021/", headers={"origin": "https://journalist.example"})

        assert "Access-Control-Allow-Origin" not in response

    def test_it_refuses_writes(self, client):
        assert client.post("/api/allocations/", {}).status_code == 405


class TestDescription:
    def test_it_describes_every_endpoint_in_openapi(self, client):
        schema = yaml.safe_load(client.get("/api/schema/").content)

        assert schema["openapi"].startswith("3.")
        assert {
            "/api/strategies/",
            "/api/chapters/",
            "/api/initiatives/",
            "/api/allocations/",
            "/api/frames/",
            "/api/comparison/",
        } <= set(schema["paths"])
        allocation = schema["components"]["schemas"]["Allocation"]["properties"]
        assert [variant["type"] for variant in allocation["amount"]["anyOf"]] == ["number", "string"]
        assert allocation["amount"]["nullable"] is True

    def test_it_shows_a_person_the_url_of_the_2021_allocations_for_2022_as_csv(self, client):
        html = client.get("/api/").content.decode()

        assert '<a href="http://testserver/api/allocations.csv?strategy=2021&amp;year=2022">' in html
        assert client.get("/api/allocations.csv?strategy=2021&year=2022").status_code == 200
