"""The shipped fixtures reproduce the published budget tables exactly, row by row.

Expected tables are transcribed from the sources here, independently of fixtures/, and where the
source text can be read mechanically the test reads it too.
"""

import re
from decimal import Decimal

import pytest

from budgets.models import Allocation, BudgetLine, CellKind, FrameAmount, LineKind, PublishedTotal
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy
from tests.helpers import amount, published, stored_rows

pytestmark = pytest.mark.django_db

# faktaark-2021-udmoentning.txt, "Nye og videreførte initiativer i strategi for life science":
# chapter → (published subtotals 2021-2023, rows as (number, cells 2021, 2022, 2023)).
TABLE_2021 = {
    "Bedre rammer for forskning og udvikling": (
        ["16,6", "22,1", "22,2"],
        [
            ("1", ["", "", ""]),
            ("2", ["Er finansieret", "4,5", "4,5"]),
            ("3", ["0,3", "", ""]),
            ("4", ["Finansieret i genstartsaftale", "2,0", "2,4"]),
            ("5", ["Er finansieret", "1,0", "1,0"]),
            ("6", ["4,8", "", ""]),
            ("7", ["2,0", "0,6", "0,6"]),
            ("8", ["0,3", "0,6", "0,3"]),
            ("9", ["1,4", "1,4", "1,4"]),
            ("10", ["7,8", "8,5", "8,5"]),
            ("11", ["", "3,5", "3,5"]),
        ],
    ),
    "Bedre brug af sundhedsdata": (
        ["10,5", "9,2", "9,2"],
        [
            ("12", ["0,5", "0,5", "0,5"]),
            ("13", ["", "", ""]),
            ("14", ["4,0", "3,7", "3,7"]),
            ("15", ["4,0", "3,0", "3,0"]),
            ("16", ["1,5", "2,0", "2,0"]),
            ("17", ["0,5", "", ""]),
            ("18", ["", "", ""]),
        ],
    ),
    "Danmark som udstillingsvindue": (
        ["13,0", "8,1", "5,0"],
        [
            ("19", ["2,0", "0,1", "0,5"]),
            ("20", ["2,0", "", ""]),
            ("21", ["4,0", "4,0", "3,5"]),
            ("22", ["5,0", "4,0", "1,0"]),
            ("23", ["", "", ""]),
        ],
    ),
    "Højt kvalificeret arbejdskraft": (
        ["3,0", "1,0", "3,0"],
        [("24", ["2,0", "", ""]), ("25", ["1,0", "1,0", "3,0"])],
    ),
    "Målrettet internationalisering og myndighedssamarbejde": (
        ["16,0", "44,8", "44,8"],
        [
            ("26", ["5,7", "16,8", "16,8"]),
            ("27", ["8,6", "16,8", "16,8"]),
            ("28", ["Er finansieret", "1,0", "1,0"]),
            ("29", ["Er finansieret", "2,7", "2,7"]),
            ("30", ["1,7", "2,5", "2,5"]),
            ("31", ["Er finansieret", "2,0", "2,0"]),
            ("32", ["Er finansieret", "3,0", "3,0"]),
        ],
    ),
    "Sund og grøn vækst": (
        ["0,4", "0,0", "1,0"],
        [("33", ["", "", "1,0"]), ("34", ["0,4", "", ""]), ("35", ["", "", ""])],
    ),
    "Vidensdeling og samarbejde": (
        ["0,5", "5,8", "5,8"],
        [("36", ["", "", ""]), ("37", ["0,5 Øvrig 5 er finansieret", "5,8", "5,8"]), ("38", ["", "", ""])],
    ),
}

# strategi-2030.txt, "Oversigt over nye initiativer": chapter number → initiative numbers.
INITIATIVES_2030 = {
    1: ["1.1"],
    2: ["2.1", "2.2", "2.3", "2.4", "2.5"],
    3: ["3.1", "3.2", "3.3", "3.4", "3.5", "3.6", "3.7"],
    4: ["4.1", "4.2", "4.3", "4.4", "4.5", "4.6"],
    5: ["5.1", "5.2", "5.3", "5.4", "5.5", "5.6"],
    6: ["6.1", "6.2", "6.3"],
}

CHAPTERS_2018 = [
    "Attraktivt at forske og udvikle i Danmark",
    "Mere klinisk forskning til Danmark",
    "Lægemiddelstyrelsen i topklasse",
    "Bedre adgang til kvalificeret arbejdskraft",
    "Flere startups og digital omstilling",
    "Målrettet internationaliseringsindsats",
    "Ny life science enhed i Erhvervsministeriet",
]


def normalised(text: str) -> str:
    """Source text with the PDF's hyphenated line breaks joined and whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"-[ \t]*\n\s*", "", text))


def read(sources_dir, name: str) -> str:
    return (sources_dir / name).read_text(encoding="utf-8")


def strategy(slug) -> Strategy:
    return Strategy.objects.get(slug=slug)


# The 2018 growth plan as the public record of March 2018 names it (no source document here holds its list): chapter
# number → (number as published or "", title, the address that names it). Transcribed from the articles, apart from
# fixtures/; 18 of the plan's 36 initiatives.
RECORD_2018 = {
    1: [
        ("1", "Øget skattefradrag for forskning og udvikling (FoU)", "medwatch.dk/Medico___Rehab/article10364932"),
        ("2", "Udmøntning af flere midler i forskningsreserven", "medwatch.dk/Medico___Rehab/article10364932"),
        ("", "topforskere", "amcham.dk"),
        ("", "Nobelpriscentre", "lexology.com"),
    ],
    2: [
        ("", "Trial Nation", "bt.dk"),
        ("", "gebyrer for kliniske forsøg i fase 1", "laegemiddelstyrelsen.dk"),
        ("", "Servicetjek af reglerne", "bt.dk"),
    ],
    3: [
        ("", "HMA-netværket", "laegemiddelstyrelsen.dk"),
        ("", "engagement i EMA", "laegemiddelstyrelsen.dk"),
        ("", "bemyndigede organer", "laegemiddelstyrelsen.dk"),
        ("", "videnskabelig rådgivning", "laegemiddelstyrelsen.dk"),
        ("", "risikodeling i medicintilskudssystemet", "plesner.com"),
    ],
    4: [("", "Teknologipagt", "amcham.dk"), ("", "forskerskatteordningen", "amcham.dk")],
    5: [("", "investeringsfond", "amcham.dk")],
    6: [
        ("", "internationale myndighedssamarbejde", "laegemiddelstyrelsen.dk"),
        ("", "Boston", "foreignpolicywatchdog.com"),
    ],
    7: [("", "life science-enhed i Erhvervsministeriet", "medwatch.dk")],
}
MONTHS = "januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december"
# "MedWatch, 2. marts 2018: https://…": a date as precise as the source gives it, then the address.
DATED_ADDRESS = re.compile(rf"\b(\d{{1,2}}\. )?(({MONTHS}) )?20\d\d: https?://\S+")


class TestGrowthPlan2018:
    def test_it_has_the_seven_published_chapters_in_order(self):
        titles = list(Chapter.objects.for_strategy(strategy("2018")).order_by("number").values_list("title", flat=True))
        assert titles == CHAPTERS_2018

    def test_it_stores_every_initiative_the_record_names_in_its_chapter_and_order(self):
        stored = {
            number: list(
                Initiative.objects.filter(chapter__strategy__slug="2018", chapter__number=number)
                .order_by("position")
                .values_list("number", "title", "source")
            )
            for number in range(1, 8)
        }
        assert {number: len(items) for number, items in stored.items()} == {
            number: len(items) for number, items in RECORD_2018.items()
        }
        for number, items in RECORD_2018.items():
            for (published_number, words, address), (stored_number, title, source) in zip(
                items, stored[number], strict=True
            ):
                assert stored_number == published_number
                assert words in title
                assert address in source

    def test_each_initiative_has_its_source_with_a_date_and_an_address(self):
        for title, source in Initiative.objects.for_strategy(strategy("2018")).values_list("title", "source"):
            assert DATED_ADDRESS.search(source), title

    def test_it_says_how_many_the_plan_has_and_how_many_the_record_names(self):
        growth_plan = strategy("2018")
        named = Initiative.objects.for_strategy(growth_plan).count()

        assert (growth_plan.initiatives_published, named) == (36, 18)
        assert growth_plan.initiative_count(named) == 36
        assert "18 mangler" in growth_plan.description

    def test_it_footnotes_where_the_sources_disagree(self):
        growth_plan = strategy("2018")
        count_note = growth_plan.footnotes.get(marker=growth_plan.initiatives_footnote)
        unit_line = BudgetLine.objects.get(strategy=growth_plan, title__contains="life science-enhed")

        assert "34 initiativer" in count_note.text and "36 initiativer" in count_note.text
        assert [footnote.marker for footnote in unit_line.footnotes.all()] == ["*"]
        assert "seks områder" in unit_line.footnotes.get().text

    def test_it_keeps_the_one_figure_the_record_gives_for_an_initiative_in_a_footnote_not_in_its_cells(self):
        line = BudgetLine.objects.get(strategy=strategy("2018"), title__startswith="Udmøntning af flere midler")
        footnote = line.footnotes.get()

        # MedWatch's list breaks off after "108,4 mio. kr. til": no year to put it in, and not the growth plan's pool.
        assert footnote.marker == "***"
        assert "108,4 mio. kr. fra forskningsreserven" in footnote.text
        assert "medwatch.dk/Medico___Rehab/article10364932" in footnote.source
        assert {cell.kind for cell in line.allocations.all()} == {"unknown"}

    def test_it_stores_every_initiative_amount_as_unknown_not_zero(self):
        growth_plan = strategy("2018")
        cells = [cell for row in stored_rows(growth_plan).values() for cell in row]
        assert len(cells) == 18 * 4
        assert set(cells) == {"ukendt"}
        assert not BudgetLine.objects.for_strategy(growth_plan).filter(allocations__amount__isnull=False).exists()
        assert not PublishedTotal.objects.filter(strategy=growth_plan).exists()

    def test_it_has_a_frame_of_30_a_year_2018_to_2021(self, sources_dir):
        frames = FrameAmount.objects.for_strategy(strategy("2018")).by_year()
        assert frames == {year: Decimal("30.0") for year in range(2018, 2022)}
        assert "30 mio. kr. årligt i perioden 2018-21" in normalised(read(sources_dir, "faktaark-2021-udmoentning.txt"))

    def test_it_names_the_five_areas_the_agreement_distributes_the_pool_to(self):
        frame = strategy("2018").frames.get()
        assert "kapitel 2, 3, 5, 6 og 7" in frame.note
        assert "politisk-aftale-om-vaekstplan-for-life-science" in frame.source


class TestStrategy2021:
    def test_it_has_all_38_initiatives_in_7_chapters_in_order(self):
        chapters = Chapter.objects.for_strategy(strategy("2021")).order_by("number")
        assert [chapter.title for chapter in chapters] == list(TABLE_2021)
        numbers = list(Initiative.objects.for_strategy(strategy("2021")).values_list("number", flat=True))
        assert numbers == [str(number) for number in range(1, 39)]

    def test_it_reproduces_every_row_of_the_fact_sheet_table(self):
        the_strategy = strategy("2021")
        lines = BudgetLine.objects.for_strategy(the_strategy).for_table()
        rows = stored_rows(the_strategy)
        stored = {}
        for line in lines:
            if line.kind == LineKind.INITIATIVE:
                (initiative,) = line.initiatives.all()
                stored[initiative.number] = (line.chapter.title, rows[line.title])
        expected = {number: (chapter, cells) for chapter, (_, rows) in TABLE_2021.items() for number, cells in rows}
        assert stored == expected

    def test_it_stores_text_cells_as_financed_elsewhere_not_as_amounts(self):
        financed = BudgetLine.objects.for_strategy(strategy("2021")).filter(
            allocations__kind=CellKind.FINANCED_ELSEWHERE
        )
        numbers = sorted(int(line.initiatives.get().number) for line in financed)
        assert numbers == [2, 4, 5, 28, 29, 31, 32]
        remark = BudgetLine.objects.get(strategy__slug="2021", initiatives__number="37").allocations.get(year=2021)
        assert (remark.kind, remark.amount, remark.text, remark.remark) == (
            CellKind.AMOUNT,
            Decimal("0.5"),
            "",
            "Øvrig 5 er finansieret",
        )

    def test_it_stores_the_published_chapter_subtotals(self):
        the_strategy = strategy("2021")
        for chapter in Chapter.objects.for_strategy(the_strategy):
            expected_subtotals, _ = TABLE_2021[chapter.title]
            assert published(the_strategy, chapter) == [amount(value) for value in expected_subtotals], chapter.title

    def test_it_stores_the_negotiation_reserve_and_the_published_total(self):
        the_strategy = strategy("2021")
        reserve = BudgetLine.objects.for_strategy(the_strategy).get(kind=LineKind.RESERVE)
        assert reserve.title == "Forhandlingsreserve"
        assert stored_rows(the_strategy)["Forhandlingsreserve"] == ["10,0", "9,4", "9,4"]
        assert published(the_strategy) == [Decimal("70.0"), Decimal("100.4"), Decimal("100.4")]

    def test_it_finds_each_row_with_its_cells_in_the_source_text(self, sources_dir):
        text = normalised(read(sources_dir, "faktaark-2021-udmoentning.txt"))
        for title, cells in stored_rows(strategy("2021")).items():
            printed = " ".join([title, *[cell for cell in cells if cell]])
            assert printed in text, printed

    def test_it_matches_the_subtotals_and_total_read_from_the_source_text(self, sources_dir):
        text = normalised(read(sources_dir, "faktaark-2021-udmoentning.txt"))
        the_strategy = strategy("2021")
        number = r"(\d+,\d)"
        for chapter in Chapter.objects.for_strategy(the_strategy):
            match = re.search(re.escape(chapter.title) + rf" {number} {number} {number}", text)
            assert match, chapter.title
            assert published(the_strategy, chapter) == [amount(value) for value in match.groups()]
        total = re.search(rf"I alt \(mio\. kr\.\) {number} {number} {number}", text)
        assert published(the_strategy) == [amount(value) for value in total.groups()]

    def test_it_has_the_two_frames_of_the_fact_sheet(self, sources_dir):
        the_strategy = strategy("2021")
        frames = {frame.kind: dict(frame.amounts.values_list("year", "amount")) for frame in the_strategy.frames.all()}
        assert frames == {
            "frame": {2021: Decimal("70.0"), 2022: Decimal("70.0"), 2023: Decimal("70.0")},
            "reserve": {2022: Decimal("30.4"), 2023: Decimal("30.4"), 2024: Decimal("30.4")},
        }
        text = normalised(read(sources_dir, "faktaark-2021-udmoentning.txt"))
        assert "70 mio. kr. årligt i 2021-2023" in text
        assert "30,4 mio. kr. i perioden 2022-2024" in text


def parse_2030_table(text: str) -> tuple[list[tuple[str, list[str]]], list[str]]:
    """Rows (title, four cells) and the I alt cells of the 2030 budget table, read from the source text."""
    start = text.index("Mio. kr. (2024-niveau) 2024 2025 2026 2027")
    end = text.index("Anm.:", start)
    cell = r"(\d+,\d|\d+\*\*|\d+|-)"
    rows, pending, totals = [], [], None
    for raw in text[start:end].splitlines()[1:]:
        line = raw.strip()
        if not line:
            continue
        match = re.match(rf"^(.*?)\s*{cell} {cell} {cell} {cell}$", line)
        if match is None:
            pending.append(line)
            continue
        title = " ".join([*pending, match.group(1)]).strip()
        pending = []
        if title == "I alt":
            totals = list(match.groups()[1:])
        else:
            rows.append((title, list(match.groups()[1:])))
    return rows, totals


class TestStrategy2030:
    def test_it_has_six_chapters_and_the_28_numbered_initiatives(self):
        the_strategy = strategy("2030")
        by_chapter = {
            chapter.number: list(chapter.initiatives.order_by("position").values_list("number", flat=True))
            for chapter in Chapter.objects.for_strategy(the_strategy)
        }
        assert by_chapter == INITIATIVES_2030
        assert Initiative.objects.for_strategy(the_strategy).count() == 28

    def test_it_reproduces_every_row_of_the_budget_table_from_the_source_text(self, sources_dir):
        the_strategy = strategy("2030")
        chapter_titles = set(Chapter.objects.for_strategy(the_strategy).values_list("title", flat=True))
        source_rows, _ = parse_2030_table(read(sources_dir, "strategi-2030.txt"))
        expected = {}
        for title, cells in source_rows:
            for chapter_title in chapter_titles:
                title = title.removeprefix(chapter_title + " ")
            expected[title.rstrip("*")] = ["" if cell == "-" else cell for cell in cells]
        assert stored_rows(the_strategy) == expected
        assert len(expected) == 20

    def test_it_stores_the_published_total_as_printed(self, sources_dir):
        _, totals = parse_2030_table(read(sources_dir, "strategi-2030.txt"))
        assert totals == ["100**", "100", "100", "100"]
        assert published(strategy("2030")) == [Decimal("100.0")] * 4

    def test_it_keeps_rows_that_cover_several_initiatives_and_initiatives_without_rows(self):
        the_strategy = strategy("2030")
        diplomats = BudgetLine.objects.get(
            strategy=the_strategy, title="Udsendte sundhedsdiplomater og investeringsfremme"
        )
        assert sorted(diplomats.initiatives.values_list("number", flat=True)) == ["5.2", "5.3"]
        without_row = Initiative.objects.for_strategy(the_strategy).filter(budget_lines__isnull=True)
        assert sorted(without_row.values_list("number", flat=True)) == [
            "1.1",
            "2.3",
            "3.1",
            "4.3",
            "4.4",
            "4.5",
            "6.2",
            "6.3",
        ]

    def test_it_adds_up_to_99_1_in_2024_and_100_after(self):
        by_year = Allocation.objects.for_strategy(strategy("2030")).by_year()
        assert {year: figure.amount for year, figure in by_year.items()} == {
            2024: Decimal("99.1"),
            2025: Decimal("100.0"),
            2026: Decimal("100.0"),
            2027: Decimal("100.0"),
        }

    def test_it_attaches_the_red_carpet_footnote_to_both_production_rows(self):
        the_strategy = strategy("2030")
        footnote = the_strategy.footnotes.get(marker="*")
        assert "102,4 mio. kr." in footnote.text
        lines = BudgetLine.objects.filter(footnotes=footnote).order_by("position")
        assert [line.title for line in lines] == [
            "Udpege nye industriparker",
            "Oprette one-stop-shop for produktionsvirksomheder",
        ]
        assert sum(cell.amount for line in lines for cell in line.allocations.all()) == Decimal("53.0")
        assert FrameAmount.objects.for_strategy(the_strategy).by_year() == {
            year: Decimal("100.0") for year in range(2024, 2028)
        }

    def test_it_attaches_the_bridge_financing_footnote_to_the_2024_total(self):
        total = PublishedTotal.objects.get(strategy__slug="2030", chapter=None, year=2024)
        assert total.footnote.marker == "**"
        assert "0,9 mio. kr." in total.footnote.text
        assert total.explained_difference == Decimal("0.9")

    def test_it_records_the_price_basis(self, sources_dir):
        assert strategy("2030").price_basis == "2024-priser"
        assert "Mio. kr. (2024-niveau)" in read(sources_dir, "strategi-2030.txt")


class TestLineage:
    def chain(self, start: Initiative) -> list[str]:
        steps, current = [f"{start.strategy.slug}"], start
        while (
            link := InitiativeLink.objects.filter(predecessor=current)
            .select_related("successor__chapter__strategy")
            .first()
        ):
            current = link.successor
            steps.append(f"{current.strategy.slug}:{current.number}")
        return steps

    def test_it_follows_trial_nation_from_2018_through_2021_to_2030(self):
        start = Initiative.objects.get(chapter__strategy__slug="2018", title__contains="Trial Nation")
        assert self.chain(start) == ["2018", "2021:2", "2030:2.2"]

    def test_it_links_every_carried_effort_the_sources_name(self):
        pairs = {
            (
                link.predecessor.strategy.slug,
                link.predecessor.number,
                link.successor.strategy.slug,
                link.successor.number,
            )
            for link in InitiativeLink.objects.select_related(
                "predecessor__chapter__strategy", "successor__chapter__strategy"
            )
        }
        assert {("2021", "31", "2030", "5.4"), ("2021", "13", "2030", "2.4"), ("2021", "37", "2030", "6.1")} <= pairs
        assert {("2021", "28", "2030", "5.6"), ("2021", "29", "2030", "5.6"), ("2021", "26", "2030", "5.1")} <= pairs

    def test_it_points_every_link_from_an_earlier_to_a_later_strategy(self):
        for link in InitiativeLink.objects.select_related(
            "predecessor__chapter__strategy", "successor__chapter__strategy"
        ):
            assert link.predecessor.strategy.first_year < link.successor.strategy.first_year, link
