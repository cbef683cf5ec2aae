import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import Allocation
from initiatives.models import Initiative
from tests.helpers import publish_draft, table_rows

pytestmark = pytest.mark.django_db


def initiative(slug, number=None, **lookup) -> Initiative:
    if number is not None:
        lookup["number"] = number
    return Initiative.objects.get(chapter__strategy__slug=slug, **lookup)


class TestInitiativeDetail:
    def test_it_shows_the_amounts_per_year_and_the_chapter(self, client):
        response = client.get(initiative("2021", "2").get_absolute_url())

        assert response.status_code == 200
        html = response.content.decode()
        assert table_rows(html, "amounts") == [
            ["2021", "2022", "2023", "I alt"],
            ["finansieret andetsteds", "4,5", "4,5", "9,0"],
        ]
        assert "1. Bedre rammer for forskning og udvikling" in html
        assert "2021: Er finansieret" in html

    def test_it_follows_trial_nation_across_all_three_strategies_with_their_amounts(self, client):
        html = client.get(initiative("2021", "2").get_absolute_url()).content.decode()

        lineage = table_rows(html, "lineage")
        assert [row[0] for row in lineage[1:]] == ["Vækstplan 2018", "Strategi 2021", "Strategi 2030"]
        assert lineage[3][2:] == ["2024: 4,7; 2025: 4,7; 2026: 4,7; 2027: 4,7", "18,8"]
        assert lineage[1][3] == "ukendt"

    def test_it_answers_which_initiatives_continued_from_2021_to_2030_and_with_how_much(self, client):
        html = client.get(initiative("2021", "31").get_absolute_url()).content.decode()

        lineage = table_rows(html, "lineage")
        assert lineage[1] == [
            "Strategi 2021",
            "31 Videreførelse af tilskud til Healthcare Denmark",
            "2021: finansieret andetsteds; 2022: 2,0; 2023: 2,0",
            "4,0",
        ]
        assert lineage[2][1:] == [
            "5.4 Styrke markedsføringsindsatsen af dansk life science via Healthcare Denmark",
            "2024: 4,3; 2025: 7,5; 2026: 7,5; 2027: 7,5",
            "26,8",
        ]

    def test_it_shows_the_public_the_published_words_of_its_cells_not_the_drafts(self, client, admin_client):
        url = initiative("2021", "2").get_absolute_url()
        Allocation.objects.filter(line__initiatives__number="2", line__strategy__slug="2021", year=2021).update(
            text="Finansieres af en fond, der endnu ikke er offentliggjort"
        )

        assert "2021: Er finansieret" in client.get(url).content.decode()
        assert "endnu ikke er offentliggjort" in admin_client.get(url).content.decode()
        publish_draft("2021")
        assert "2021: Finansieres af en fond" in client.get(url).content.decode()

    def test_it_gives_the_remark_beside_an_amount(self, client):
        html = client.get(initiative("2021", "37").get_absolute_url()).content.decode()

        assert "2021: Øvrig 5 er finansieret" in html
        assert table_rows(html, "amounts")[1][0] == "0,5"

    def test_it_says_when_a_budget_line_is_shared_or_missing(self, client):
        shared = client.get(initiative("2030", "5.3").get_absolute_url()).content.decode()
        missing = client.get(initiative("2030", "2.3").get_absolute_url()).content.decode()

        assert "deler budgetlinje med andre initiativer" in shared
        assert table_rows(shared, "amounts")[1] == ["20,0", "20,0", "20,0", "20,0", "80,0"]
        assert "ingen egen række" in missing
        assert "Der er ikke registreret en forgænger" in missing

    def test_it_gives_the_footnote_of_its_budget_line_with_its_marker(self, client):
        parks = client.get(initiative("2030", "4.1").get_absolute_url()).content.decode()
        deduction = client.get(initiative("2018", "1").get_absolute_url()).content.decode()
        research = client.get(initiative("2018", "2").get_absolute_url()).content.decode()

        assert '<span class="marker">*</span> ' in parks
        assert 'class="marker"' not in deduction
        assert '<span class="marker">***</span> MedWatch (2. marts 2018) gengiver' in research and "108,4" in research
        assert table_rows(research, "amounts")[1] == ["ukendt"] * 5

    def test_it_links_to_the_source_document(self, client):
        html = client.get(initiative("2030", "2.2").get_absolute_url()).content.decode()

        assert '<a href="/sources/strategi-2030.txt">strategi-2030.txt</a>' in html

    def test_it_answers_404_for_an_initiative_that_does_not_exist(self, client):
        assert client.get("/initiatives/999999/").status_code == 404

    @pytest.mark.parametrize("reader", ["client", "admin_client"])
    def test_it_asks_as_many_queries_of_an_initiative_alone_as_of_one_in_a_chain_of_five(
        self, reader, request, settings
    ):
        settings.PAGE_CACHE = False  # the public's second request would be the cached page
        client = request.getfixturevalue(reader)
        alone = initiative("2030", "2.1")  # a budget line of its own, no link
        three = initiative("2021", "2")
        five = initiative("2018", title="Styrkelse af Lægemiddelstyrelsens engagement i HMA-netværket")
        counts = {}
        for name, subject in (("alone", alone), ("three", three), ("five", five)):
            client.get(subject.get_absolute_url())  # the edition's and the session's own lookups, once
            with CaptureQueriesContext(connection) as captured:
                assert client.get(subject.get_absolute_url()).status_code == 200
            counts[name] = len(captured)

        assert counts["alone"] == counts["three"] == counts["five"], counts
