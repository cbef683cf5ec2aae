import csv
import html
import io
import re
from urllib.parse import urlencode

import django_tables2
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from dashboard.filters import InitiativeFilter
from dashboard.tables import InitiativeTable
from initiatives.models import Chapter, Initiative, Strategy
from publication.editions import Edition
from tests.helpers import change_cell, publish_draft, table_rows

pytestmark = pytest.mark.django_db


def rows(response):
    return table_rows(response.content.decode(), "initiatives")[1:]


def unpublished_strategy() -> Initiative:
    """A strategy in the making: one chapter with one initiative, no version published."""
    strategy = Strategy.objects.create(
        slug="2035",
        title="Strategi 2035",
        short_title="Strategi 2035",
        published_year=2034,
        first_year=2035,
        last_year=2038,
        source="test",
    )
    chapter = Chapter.objects.create(strategy=strategy, number=1, title="Nyt kapitel", source="test")
    return Initiative.objects.create(
        chapter=chapter, number="1.1", position=1, title="Nyt", theme="research", source="test"
    )


def chapter_options(response) -> list[tuple[str, str, bool]]:
    select = re.search(r'<select name="chapter".*?</select>', response.content.decode(), re.S).group(0)
    return [
        (value, html.unescape(label), bool(selected))
        for value, selected, label in re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select)
    ]


class TestInitiativeList:
    def test_it_lists_every_initiative_without_a_filter(self, client):
        response = client.get("/initiatives/")

        assert response.status_code == 200
        assert response.context["count"] == 84
        assert len(rows(response)) == 50

    def test_it_pages_the_list_in_the_readers_language(self, client):
        first = client.get("/initiatives/").content.decode()
        second = client.get("/en/initiatives/", {"page": "2"}).content.decode()

        assert '<nav class="pagination" aria-label="Tabellens sider">' in first
        assert '<a rel="next" href="?page=2">Næste side</a>' in first
        assert '<a href="?page=1" aria-current="page">1</a>' in first
        assert '<a rel="prev" href="?page=1">Previous page</a>' in second
        assert len(rows(client.get("/initiatives/", {"page": "2"}))) == 84 - 50

    def test_it_finds_initiatives_by_text_across_strategies(self, client):
        found = rows(client.get("/initiatives/", {"q": "trial nation"}))

        assert [(row[0], row[1]) for row in found] == [
            ("Vækstplan 2018", ""),
            ("Strategi 2021", "2"),
            ("Strategi 2030", "2.2"),
        ]

    def test_it_narrows_by_strategy_theme_and_years_and_sums_the_chosen_years(self, client):
        found = rows(
            client.get(
                "/initiatives/", {"strategy": "2021", "theme": "international", "year_from": 2022, "year_to": 2022}
            )
        )

        assert [(row[1], row[5]) for row in found] == [("26", "16,8"), ("27", "16,8"), ("31", "2,0"), ("32", "3,0")]

    def test_it_lists_only_the_initiatives_of_strategies_that_reach_into_the_years_chosen(self, client):
        from_2030 = rows(client.get("/initiatives/", {"year_from": 2025}))
        until_2018 = rows(client.get("/initiatives/", {"year_to": 2018}))

        assert {row[0] for row in from_2030} == {"Strategi 2030"} and len(from_2030) == 28
        assert {row[0] for row in until_2018} == {"Vækstplan 2018"} and len(until_2018) == 18

    def test_it_finds_the_initiatives_financed_elsewhere(self, client):
        found = rows(client.get("/initiatives/", {"funding": "financed"}))

        assert [row[1] for row in found] == ["2", "4", "5", "28", "29", "31", "32"]
        assert all(row[6] == "finansieret andetsteds" for row in found)

    def test_it_finds_the_initiatives_whose_amounts_are_unknown(self, client):
        found = rows(client.get("/initiatives/", {"funding": "unknown"}))

        assert {row[0] for row in found} == {"Vækstplan 2018"}
        assert len(found) == 18

    def test_it_gives_a_partly_known_amount_as_at_least_its_known_part_on_the_page_and_in_the_csv(self, client):
        change_cell("2018", 2018, amount="5.0", title__contains="Trial Nation")
        publish_draft("2018")
        both_years = {"q": "Trial Nation: national", "year_from": 2018, "year_to": 2019}

        page = rows(client.get("/initiatives/", both_years))
        lines = list(
            csv.reader(io.StringIO(client.get("/initiatives/", {**both_years, "export": "csv"}).content.decode()))
        )
        only_known = rows(client.get("/initiatives/", {**both_years, "year_to": 2018}))

        assert page[0][5:] == ["mindst 5,0 + ukendt", "ukendt"]
        assert lines[1][5:] == ["mindst 5.0 + ukendt", "ukendt"]
        assert only_known[0][5:] == ["5,0", ""]

    def test_it_lists_to_the_public_only_the_initiatives_of_published_strategies_and_every_one_to_staff(
        self, client, admin_client
    ):
        unpublished_strategy()

        assert client.get("/initiatives/").context["count"] == 84
        assert admin_client.get("/initiatives/").context["count"] == 85
        assert "Nyt kapitel" not in client.get("/initiatives/").content.decode()

    def test_it_offers_every_chapter_shown_by_number_and_title_with_the_chosen_one_selected(self, client, admin_client):
        unpublished_strategy()
        chosen = Chapter.objects.get(strategy__slug="2030", number=5)
        shown = Chapter.objects.filter(strategy__slug__in=["2018", "2021", "2030"]).order_by(
            "strategy__first_year", "number"
        )

        options = chapter_options(client.get("/initiatives/", {"chapter": chosen.pk}))

        assert options[0] == ("", "Alle kapitler", False)
        assert options[1:] == [
            (str(chapter.pk), f"{chapter.number}. {chapter.title}", chapter == chosen) for chapter in shown
        ]
        assert chapter_options(admin_client.get("/en/initiatives/"))[0] == ("", "All chapters", True)  # nothing chosen
        assert chapter_options(admin_client.get("/en/initiatives/"))[-1][1] == "1. Nyt kapitel"

    def test_it_filters_by_chapter(self, client):
        from initiatives.models import Chapter

        chapter = Chapter.objects.get(strategy__slug="2030", number=5)
        found = rows(client.get("/initiatives/", {"chapter": chapter.pk}))

        assert [row[1] for row in found] == ["5.1", "5.2", "5.3", "5.4", "5.5", "5.6"]
        assert found[1][5] == "80,0"

    @pytest.mark.parametrize(
        "query, message",
        [
            ({"strategy": "1999"}, "Marker en gyldig valgmulighed"),
            ({"year_from": "to tusind"}, "Indtast et tal"),
            ({"year_from": 2025, "year_to": 2020}, "Det sidste år må ikke ligge før det første."),
            ({"funding": "maybe"}, "Marker en gyldig valgmulighed"),
        ],
    )
    def test_it_answers_bad_filters_with_400_and_a_danish_message(self, client, query, message):
        response = client.get("/initiatives/", query)

        assert response.status_code == 400
        assert message in response.content.decode()
        assert rows(response) == [["Ingen resultater"]] or rows(response) == []

    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"sort": "-amount"},
            {"year_from": "2022", "year_to": "2023", "sort": "theme"},
            {"funding": "unknown", "sort": "-number"},
            {"q": "data", "strategy": "2021"},
        ],
    )
    @pytest.mark.parametrize("language", ["da", "en"])
    def test_it_writes_the_csv_file_as_django_tables2_would(self, client, query, language):
        response = client.get(f"{'/en' if language == 'en' else ''}/initiatives/", {**query, "export": "csv"})

        with translation.override(language):
            filterset = InitiativeFilter(
                QueryDict(urlencode(query)), queryset=Initiative.objects.all(), edition=Edition.public()
            )
            assert filterset.is_valid()
            table = InitiativeTable(filterset.qs, order_by=query.get("sort"))
            expected = [
                ["" if value is None else str(value) for value in row] for row in django_tables2.Table.as_values(table)
            ]
        lines = list(csv.reader(io.StringIO(response.content.decode())))
        assert lines[0] == ["strategy", "number", "title", "chapter", "theme", "amount", "status"]
        assert lines[1:] == expected[1:]
        assert len(expected) > 2

    @pytest.mark.parametrize(
        "query",
        [{}, {"q": "Trial Nation"}, {"year_from": "2018", "year_to": "2019"}, {"sort": "-amount"}, {"sort": "title"}],
    )
    @pytest.mark.parametrize("dialect", ["rfc4180", "excel-da"])
    @pytest.mark.parametrize("language", ["da", "en"])
    def test_it_writes_the_file_a_row_by_row_csv_writer_writes_with_an_unknown_cell_among_known_ones(
        self, client, query, dialect, language
    ):
        change_cell("2018", 2018, amount="5.0", title__contains="Trial Nation")
        publish_draft("2018")
        response = client.get(
            f"{'/en' if language == 'en' else ''}/initiatives/", {**query, "export": "csv", "dialect": dialect}
        )

        # The file as django-tables2's rows, written one by one by Python's csv module in the dialect.
        with translation.override(language):
            filterset = InitiativeFilter(
                QueryDict(urlencode(query)), queryset=Initiative.objects.all(), edition=Edition.public()
            )
            assert filterset.is_valid()
            table = InitiativeTable(filterset.qs, order_by=query.get("sort"))
            headings, *values = django_tables2.Table.as_values(table)
        excel = dialect == "excel-da"
        expected = io.StringIO()
        writer = csv.writer(expected, delimiter=";" if excel else ",", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        writer.writerow(headings if excel else ["strategy", "number", "title", "chapter", "theme", "amount", "status"])
        for row in values:
            row = ["" if value is None else str(value) for value in row]
            amount = row[5]
            if excel and re.fullmatch(r"\d+\.\d", amount):
                amount = amount.replace(".", ",")  # a number in the dialect's notation; words stay as they are
            writer.writerow([*row[:5], amount, row[6]])
        assert response.content.decode() == ("\ufeff" if excel else "") + expected.getvalue()
        assert {"da": '"mindst 5.0 + ukendt"', "en": '"at least 5.0 + unknown"'}[language] in response.content.decode()

    @override_settings(PAGE_CACHE=False)
    def test_it_reads_the_sums_of_every_year_from_the_totals_kept_at_publishing_not_from_the_cells(self, client):
        with CaptureQueriesContext(connection) as every_year:
            client.get("/initiatives/", {"export": "csv"})
        with CaptureQueriesContext(connection) as some_years:
            client.get("/initiatives/", {"export": "csv", "year_from": "2022"})

        assert not any("publication_publishedcell" in query["sql"] for query in every_year)
        assert any("publication_publishedinitiativetotal" in query["sql"] for query in every_year)
        assert any("publication_publishedcell" in query["sql"] for query in some_years)
        assert len(every_year) <= 4

    def test_it_offers_the_filtered_table_as_csv(self, client):
        response = client.get("/initiatives/", {"q": "Healthcare Denmark", "export": "csv"})

        lines = list(csv.reader(io.StringIO(response.content.decode())))
        assert lines[0] == ["strategy", "number", "title", "chapter", "theme", "amount", "status"]
        assert lines[1:] == [
            [
                "Strategi 2021",
                "31",
                "Videreførelse af tilskud til Healthcare Denmark",
                "Målrettet internationalisering og myndighedssamarbejde",
                "Internationalisering og eksport",
                "4.0",
                "finansieret andetsteds",
            ],
            [
                "Strategi 2030",
                "5.4",
                "Styrke markedsføringsindsatsen af dansk life science via Healthcare Denmark",
                "Internationalt samarbejde og sundhedsdiplomati",
                "Internationalisering og eksport",
                "26.8",
                "",
            ],
        ]
