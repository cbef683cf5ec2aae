"""What every list and address of the open data shares: filters by public keys, any-of parameters, search and
ordering, errors as JSON in the reader's language, HEAD, conditional requests from other sites, a described 400/404."""

import pytest
import yaml

from initiatives.models import Chapter, Initiative

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/strategies/",
    "/api/chapters/",
    "/api/initiatives/",
    "/api/allocations/",
    "/api/frames/",
    "/api/footnotes/",
    "/api/published-totals/",
]


def results(response) -> list:
    assert response.status_code == 200, response.content
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


class TestFilters:
    def test_a_repeated_parameter_means_any_of_its_values(self, client):
        rows = results(client.get("/api/allocations/", {"year": [2022, 2023], "strategy": "2021", "page_size": 1000}))
        kinds = results(client.get("/api/allocations/", {"kind": ["unknown", "financed"], "page_size": 1000}))

        assert {row["year"] for row in rows} == {2022, 2023}
        assert {row["cell_kind"] for row in kinds} == {"unknown", "financed"}

    @pytest.mark.parametrize("url", LISTS)
    def test_every_list_takes_a_strategy_by_its_slug(self, client, url):
        size = {"page_size": 1000} if "allocations" in url or "initiatives" in url else {}
        every = results(client.get(url, size))
        of = {slug: results(client.get(url, {**size, "strategy": slug})) for slug in ("2018", "2021", "2030")}

        assert of["2030"] and sum(len(rows) for rows in of.values()) == len(every)
        for slug, rows in of.items():
            assert {row.get("strategy", row.get("slug")) for row in rows} <= {slug}

    def test_a_chapter_is_its_number_within_the_strategy(self, client):
        chapter = Chapter.objects.get(strategy__slug="2030", number=2)

        cells = results(client.get("/api/allocations/", {"strategy": "2030", "chapter": 2, "page_size": 1000}))
        initiatives = results(client.get("/api/initiatives/", {"strategy": "2030", "chapter": 2}))
        chapters = results(client.get("/api/chapters/", {"strategy": "2030", "chapter": 2}))

        assert cells and {(row["strategy"], row["chapter_number"]) for row in cells} == {("2030", 2)}
        assert {row["id"] for row in initiatives} == set(chapter.initiatives.values_list("pk", flat=True))
        assert [row["id"] for row in chapters] == [chapter.pk]

    def test_it_searches_the_texts_of_a_list(self, client):
        found = results(client.get("/api/initiatives/", {"search": "Trial Nation"}))

        assert found and all("Trial Nation" in row["title"] for row in found)
        expected = Initiative.objects.filter(title__icontains="Trial Nation").count()
        assert len(found) == expected

    def test_it_orders_by_what_is_asked_then_by_its_own_order(self, client):
        rows = results(client.get("/api/allocations/", {"ordering": "-amount", "kind": "amount", "page_size": 1000}))

        amounts = [row["amount"] for row in rows]
        assert amounts == sorted(amounts, reverse=True)
        first = results(client.get("/api/allocations/", {"ordering": "year", "page_size": 10}))
        second = results(client.get("/api/allocations/", {"ordering": "year", "page_size": 10, "page": 2}))
        assert not {row["allocation_id"] for row in first} & {row["allocation_id"] for row in second}


class TestErrors:
    @pytest.mark.parametrize(("language", "detail"), [("da", "Ikke fundet."), ("en", "Not found.")])
    def test_an_unknown_address_under_api_is_a_json_404_in_the_readers_language(self, client, language, detail):
        response = client.get("/api/no-such-list/", headers={"accept-language": language})

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response["Content-Language"] == language
        assert response.json() == {"detail": detail}

    def test_an_english_error_says_it_is_english(self, client):
        response = client.get("/api/allocations/", {"year": "x"}, headers={"accept-language": "en"})

        assert response.status_code == 400
        assert response["Content-Language"] == "en"
        assert response.json() == {"year": ["Give whole numbers from 0 to 9999, e.g. 2022."]}

    @pytest.mark.parametrize("url", ["/api/allocations.csv", "/api/fiscal-data-package.zip", "/api/allocations/"])
    def test_a_post_is_a_json_405(self, client, url):
        response = client.post(url)

        assert response.status_code == 405
        assert response.json() == {"detail": 'Metoden "POST" er ikke tilladt.'}
        assert response["Content-Language"] == "da"


class TestHttp:
    @pytest.mark.parametrize(
        "url",
        [
            *LISTS,
            "/api/comparison/?year=2023",
            "/api/strategies/2021/versions/",
            "/api/allocations.csv",
            "/api/schema/",
            "/api/",
        ],
    )
    def test_head_answers_wherever_get_does(self, client, url):
        assert client.get(url).status_code == 200
        assert client.head(url).status_code == 200

    def test_a_browser_on_another_site_may_ask_conditionally(self, client):
        response = client.options(
            "/api/allocations/",
            headers={
                "origin": "https://example.org",
                "access-control-request-method": "GET",
                "access-control-request-headers": "if-none-match",
            },
        )

        assert "if-none-match" in response["Access-Control-Allow-Headers"]

    def test_the_schema_has_an_etag_and_answers_304_to_it(self, client):
        first = client.get("/api/schema/")

        assert first["ETag"]
        assert client.get("/api/schema/", headers={"if-none-match": first["ETag"]}).status_code == 304

    def test_every_operation_describes_its_400_and_404(self, client):
        schema = yaml.safe_load(client.get("/api/schema/").content)

        operations = [operation for path in schema["paths"].values() for operation in path.values()]
        assert len(operations) >= 11
        assert all({"200", "400", "404"} <= set(operation["responses"]) for operation in operations)


def test_the_schema_describes_the_files_with_the_filters_of_their_lists(client):
    paths = yaml.safe_load(client.get("/api/schema/").content)["paths"]

    allocations = {parameter["name"] for parameter in paths["/api/allocations.csv"]["get"]["parameters"]}
    assert {"strategy", "chapter", "year", "version", "dialect"} <= allocations
    assert not {"page", "page_size", "ordering", "amounts"} & allocations
    assert "text/csv" in paths["/api/frames.csv"]["get"]["responses"]["200"]["content"]
    assert "application/zip" in paths["/api/fiscal-data-package.zip"]["get"]["responses"]["200"]["content"]
    assert "application/ld+json" in paths["/api/catalog.jsonld"]["get"]["responses"]["200"]["content"]
