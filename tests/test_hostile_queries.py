"""SQL-looking, oversized, repeated, unknown and ill-typed query strings on search, filters, the API and the change
log: a 4xx with a message in Danish, or a normal result holding no more than it should. Never a 500.
(tests/test_forms_fuzz.py sends Hypothesis' inputs to the same forms; these are the cases a person would try.)"""

from urllib.parse import quote

import pytest

from budgets.models import Allocation
from initiatives.models import Initiative, Strategy

pytestmark = pytest.mark.django_db

SQL = quote("' OR 1=1 --")
DROP = quote("2021'; DROP TABLE initiatives_strategy; --")
LONG = "x" * 10_000
DIGITS = "9" * 10_000

# url, status, text the answer must hold: the message in Danish for a 4xx, a sign of the right data otherwise.
REFUSED = [
    (f"/initiatives/?strategy={SQL}", 400, "Marker en gyldig valgmulighed"),
    (f"/initiatives/?chapter={DROP}", 400, "Marker en gyldig valgmulighed"),
    (f"/initiatives/?chapter={DIGITS}", 400, "Marker en gyldig valgmulighed"),
    ("/initiatives/?year_from=abc", 400, "Indtast et tal."),
    ("/initiatives/?year_from=2030&year_to=2020", 400, "Det sidste år må ikke ligge før det første."),
    ("/initiatives/?q=%00", 400, "Null-tegn er ikke tilladte."),
    ("/initiatives/?per_page=-1", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    ("/initiatives/?per_page=-5&page=2", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    ("/initiatives/?per_page=0", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    ("/initiatives/?per_page=100000", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    (f"/initiatives/?per_page={DIGITS}", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    ("/initiatives/?per_page=%C2%B2", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    ("/initiatives/?per_page=-1&export=csv", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    ("/initiatives/?year_from=99999", 400, "Denne værdi skal være mindre end eller lig 2100."),
    ("/compare/?per_page=-1", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    ("/compare/?per_page=101", 400, "Rækker pr. side skal være et helt tal fra 1 til 100."),
    (f"/compare/?strategy={SQL}", 400, "er ikke en af de tilgængelige valgmuligheder"),
    (f"/compare/?strategy={LONG}", 400, "er ikke en af de tilgængelige valgmuligheder"),
    ("/compare/?year=abc&year=2021", 400, "abc er ikke en af de tilgængelige valgmuligheder"),
    (f"/compare/?year={DIGITS}", 400, "er ikke en af de tilgængelige valgmuligheder"),
    (f"/compare/export.xlsx?by={SQL}", 400, "er ikke en af de tilgængelige valgmuligheder"),
    (f"/api/initiatives/?strategy={SQL}", 400, "Marker en gyldig valgmulighed"),
    ("/api/initiatives/?chapter=abc", 400, "Angiv hele tal fra 0 til 9999"),
    ("/api/initiatives/?page=99999", 404, "Ingen side 99999"),
    ("/api/initiatives/?page=abc", 400, "Angiv page som et helt tal fra 1."),
    ("/api/initiatives/?format=xml", 404, "Ikke fundet"),
    (f"/api/initiatives/{DIGITS[:30]}/", 404, "Ikke fundet"),
    ("/api/allocations/?year=abc", 400, "Angiv hele tal fra 0 til 9999"),
    ("/api/allocations/?year=1e999", 400, "Angiv hele tal fra 0 til 9999"),
    (f"/api/allocations/?year={DIGITS}", 400, "Angiv hele tal fra 0 til 9999"),
    (f"/api/allocations.csv?year_from={DIGITS}", 400, "Indtast et heltal."),
    ("/api/allocations/?year=%00", 400, "Angiv hele tal fra 0 til 9999"),
    ("/api/allocations/?kind=%00", 400, "Marker en gyldig valgmulighed"),
    ("/api/allocations/?year_from=2030&year_to=2020", 400, "Det sidste år må ikke ligge før det første."),
    (f"/api/allocations/?theme={SQL}", 400, "Marker en gyldig valgmulighed"),
    ("/api/allocations.csv?year=abc", 400, "Angiv hele tal fra 0 til 9999"),
    (f"/api/comparison/?strategy={SQL}", 400, "er ikke en af de tilgængelige valgmuligheder"),
    ("/api/comparison/?year=abc", 400, "abc er ikke en af de tilgængelige valgmuligheder"),
    (f"/api/chapters/{DIGITS[:30]}/", 404, "Ikke fundet"),
    ("/api/chapters/abc/", 404, "Ikke fundet"),
    (f"/api/strategies/{SQL}/", 404, "Ikke fundet"),
    (f"/initiatives/{DIGITS[:30]}/", 404, ""),
    (f"/strategies/{LONG}/", 404, ""),
    ("/sources/..%2F..%2Fsettings.py", 404, ""),
]
EDITING_REFUSED = [
    (f"/strategies/2021/changes/?since={SQL}", 400, "Skriv datoer som ÅÅÅÅ-MM-DD."),
    ("/strategies/2021/changes/?until=2021-02-30", 400, "Skriv datoer som ÅÅÅÅ-MM-DD."),
    ("/strategies/2021/changes/?user=%00", 400, "Vælg en bruger på listen."),
    ("/strategies/2021/changes/export.xlsx?since=%00", 400, "Skriv datoer som ÅÅÅÅ-MM-DD."),
    (f"/strategies/2021/baselines/?from={SQL}", 400, "Basislinjen findes ikke."),
    (f"/strategies/2021/baselines/?to={DIGITS[:30]}", 400, "Basislinjen findes ikke."),
]


class TestRefused:
    @pytest.mark.parametrize("url, status, message", REFUSED)
    def test_it_refuses_with_a_danish_message(self, client, url, status, message):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="da")

        assert response.status_code == status
        assert message in response.content.decode()

    @pytest.mark.parametrize("url, status, message", EDITING_REFUSED)
    def test_it_refuses_a_bad_change_log_or_baseline_filter_with_a_danish_message(
        self, client, staff_user, url, status, message
    ):
        client.force_login(staff_user)
        response = client.get(url)

        assert response.status_code == status
        assert message in response.content.decode()


@pytest.mark.parametrize("url", ["/en/initiatives/?per_page=-1", "/en/compare/?per_page=-5&page=2"])
def test_it_refuses_a_page_size_out_of_bounds_in_english_under_en(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert "Rows per page must be a whole number from 1 to 100." in response.content.decode()


def strategies_of(results) -> set:
    return {row["strategy"] for row in results}


class TestAnsweredSafely:
    def test_it_finds_no_initiative_for_sql_in_the_search(self, client):
        response = client.get(f"/initiatives/?q={SQL}")

        assert response.status_code == 200
        assert response.context["count"] == 0

    def test_it_searches_ten_thousand_characters_and_finds_nothing(self, client):
        response = client.get("/initiatives/", {"q": LONG})

        assert response.status_code == 200
        assert response.context["count"] == 0

    def test_it_ignores_unknown_parameters_and_a_sort_by_no_column(self, client):
        plain = client.get("/initiatives/")
        odd = client.get(f"/initiatives/?foo={SQL}&sort={SQL}&sort=.&page=abc")

        assert odd.status_code == 200
        assert odd.context["count"] == plain.context["count"] == Initiative.objects.count()

    def test_it_shows_the_last_page_for_a_page_number_past_the_end(self, client):
        response = client.get(f"/initiatives/?page={DIGITS[:30]}")

        assert response.status_code == 200
        assert response.context["table"].page.number == response.context["table"].paginator.num_pages

    def test_it_takes_any_of_a_repeated_parameter_in_the_api_and_one_on_the_page(self, client):
        api = client.get("/api/allocations/?strategy=2021&strategy=2030&page_size=1000").json()
        page = client.get("/initiatives/?strategy=2021&strategy=2030")

        assert strategies_of(api["results"]) == {"2021", "2030"}
        assert len({initiative.chapter.strategy_id for initiative in page.context["table"].data}) == 1

    def test_it_shows_as_many_rows_as_asked_up_to_a_hundred(self, client):
        response = client.get("/initiatives/?per_page=10&page=2")

        assert response.status_code == 200
        assert len(response.context["table"].page.object_list) == 10
        assert response.context["table"].page.number == 2

    def test_it_compares_each_year_once_however_often_it_is_asked(self, client):
        once = client.get("/compare/?year=2022&year=2023")
        repeated = client.get("/compare/?" + "&".join(["year=2022", "year=2023"] * 5000))

        assert repeated.status_code == 200
        assert repeated.context["comparison"].years == once.context["comparison"].years == [2022, 2023]
        assert len(repeated.context["table"].columns) == len(once.context["table"].columns)

    @pytest.mark.parametrize("page_size", [DIGITS[:30], "1001", "99999", "-5", "0", "abc", "%00", ""])
    def test_it_refuses_a_page_size_outside_1_to_1000_saying_so(self, client, page_size):
        response = client.get(f"/api/allocations/?page_size={page_size}")

        assert response.status_code == 400
        assert response.json() == {"page_size": ["Angiv page_size som et helt tal fra 1 til 1000."]}
        assert len(client.get("/api/allocations/?page_size=1000").json()["results"]) == Allocation.objects.count()

    def test_it_describes_the_largest_page_number_it_takes(self, client):
        """A client that believes the description never sends a page number the API refuses as malformed."""
        schema = client.get("/api/schema/?format=json").json()
        page = next(p for p in schema["paths"]["/api/allocations/"]["get"]["parameters"] if p["name"] == "page")
        largest = page["schema"]["maximum"]

        assert client.get(f"/api/allocations/?page={largest}").status_code == 404
        assert client.get(f"/api/allocations/?page={largest + 1}").status_code == 400

    def test_it_refuses_sql_in_a_slug_filter(self, client):
        for url in (f"/api/chapters/?strategy__slug={SQL}", f"/api/frames/?strategy={DROP}"):
            response = client.get(url)
            assert response.status_code == 400
            assert "er ikke en af de tilgængelige valgmuligheder" in response.content.decode()
        assert Strategy.objects.count() == 3

    def test_it_finds_no_cell_for_a_year_past_any_strategy(self, client):
        body = client.get("/api/allocations/?year=9999").json()
        csv = client.get("/api/allocations.csv?year_from=9999")

        assert body["count"] == 0
        assert b"".join(csv.streaming_content).decode().count("\n") == 1  # the header alone

    def test_it_refuses_an_ordering_the_api_does_not_offer_naming_those_it_does(self, client):
        response = client.get(f"/api/initiatives/?ordering={SQL}&foo=bar")

        assert response.status_code == 400
        assert response.json() == {
            "ordering": ["Sortér efter en af position, number, title, theme, med - foran for faldende orden."]
        }

    def test_it_lists_no_change_for_a_user_who_does_not_exist(self, client, staff_user):
        client.force_login(staff_user)
        response = client.get(f"/strategies/2021/changes/?user={SQL}&initiative={SQL}")

        assert response.status_code == 200
        assert response.context["changes"] == []
