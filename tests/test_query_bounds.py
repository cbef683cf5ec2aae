"""Every page, and a save of the grid, runs the same number of queries however much data there is."""

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets.cells import format_cell
from budgets.models import Allocation
from budgets.synthetic import generate_data
from initiatives.models import Initiative, InitiativeLink, Strategy
from publication.models import DatePrecision
from publication.services import publish_as_published
from tests.scale import ten_times_the_fixtures
from tracking.models import Authority, Indicator, Measurement, Milestone, Responsibility, StatusUpdate

pytestmark = pytest.mark.django_db

# The most queries a page may run, measured on the fixtures and on ten times them (one of them finds the versions
# the public sees).
BOUND = 12


def pages() -> list[str]:
    trial_nation = Initiative.objects.get(chapter__strategy__slug="2021", number="2")
    return [
        "/",
        "/strategies/2021/",
        "/strategies/2030/",
        trial_nation.get_absolute_url(),
        "/initiatives/",
        "/initiatives/?theme=international&year_from=2022&year_to=2024",
        "/compare/",
        "/compare/?by=chapter",
    ]


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
        if response.streaming:  # a streamed page makes most of itself as it is sent
            b"".join(response.streaming_content)
    return len(queries)


class TestQueryBounds:
    @pytest.fixture(autouse=True)
    def without_page_cache(self, settings):
        settings.PAGE_CACHE = False

    def test_it_builds_ten_times_the_fixtures(self):
        allocations, initiatives, strategies = (
            Allocation.objects.count(),
            Initiative.objects.count(),
            Strategy.objects.count(),
        )
        ten_times_the_fixtures()
        assert Strategy.objects.count() == 10 * strategies
        assert Initiative.objects.count() == 19 * initiatives
        assert Allocation.objects.count() == 19 * allocations

    def test_it_runs_as_many_queries_on_ten_times_the_data(self, client, django_assert_max_num_queries):
        urls = pages()
        before = {url: count_queries(client, url) for url in urls}
        ten_times_the_fixtures()
        after = {url: count_queries(client, url) for url in urls}

        assert after == before
        for url in urls:
            with django_assert_max_num_queries(BOUND):
                client.get(url)


# The tracking's pages read the strategy's budget table as its own page does, and beside it the version's status
# updates, milestones and responsibilities and the strategy's targets; a target's page its indicators and their
# measured values too.
TRACKING_PAGES = {"/strategies/2030/progress/": 15, "/strategies/2030/targets/": 5, "/strategies/2030/targets/2/": 18}


def track_every_initiative() -> None:
    """A status, an overdue milestone and an authority for every initiative, a value for every indicator; published."""
    authority = Authority.objects.create(name="Erhvervsministeriet")
    for initiative in Initiative.objects.all():
        StatusUpdate.objects.create(initiative=initiative, status="started", as_of=date(2025, 1, 1), text="I gang.")
        Milestone.objects.create(initiative=initiative, title="Aftale", planned=date(2025, 6, 1))
        Responsibility.objects.create(initiative=initiative, authority=authority)
    for indicator in Indicator.objects.all():
        Measurement.objects.create(indicator=indicator, measured_on=date(2024, 1, 1), value=1, source="Test")
    publish_as_published(Strategy.objects.all(), timezone.now(), DatePrecision.DAY, "Test")


class TestTrackingQueryBounds:
    def test_it_runs_as_many_queries_however_much_is_tracked(self, client, settings, django_assert_max_num_queries):
        settings.PAGE_CACHE = False
        before = {url: count_queries(client, url) for url in TRACKING_PAGES}
        ten_times_the_fixtures()
        track_every_initiative()
        after = {url: count_queries(client, url) for url in TRACKING_PAGES}

        assert after == before
        for url, bound in TRACKING_PAGES.items():
            with django_assert_max_num_queries(bound):
                client.get(url)


def generated_pages(seed) -> dict[str, str]:
    """The pages of the second synthetic strategy of a seed, and of one of its initiatives without lineage."""
    strategy = Strategy.objects.get(slug=f"syn{seed}-2")
    linked = InitiativeLink.objects.values_list("successor", flat=True)
    initiative = Initiative.objects.for_strategy(strategy).exclude(pk__in=linked).exclude(successor_links__isnull=False)
    return {
        "overview": "/",
        "strategy": strategy.get_absolute_url(),
        "strategy sorted": strategy.get_absolute_url() + "?sort=-total",
        "versions": strategy.get_absolute_url() + "versions/",
        "initiative": initiative.order_by("position").first().get_absolute_url(),
        "lineage across the fixtures": Initiative.objects.get(
            chapter__strategy__slug="2021", number="2"
        ).get_absolute_url(),
        "search": "/initiatives/",
        "search with filters": f"/initiatives/?strategy={strategy.slug}&funding=funded&year_from=2017&q=for",
        "compare": "/compare/",
        "compare by chapter": "/compare/?by=chapter",
        "grid": strategy.get_absolute_url() + "edit/",
    }


def save_cells(client, seed, count) -> int:
    """Queries of a grid save of ``count`` changed cells of the seed's second strategy, as its script posts it."""
    strategy = Strategy.objects.get(slug=f"syn{seed}-2")
    cells = Allocation.objects.filter(line__strategy=strategy).order_by("line__position", "year")[:count]
    form = {"reason": "Omprioritering"}
    for cell in cells:
        key = f"{cell.line_id}-{cell.year}"
        form.update({f"c-{key}": "999,9", f"o-{key}": format_cell(cell), f"v-{key}": str(cell.version)})
    url = strategy.get_absolute_url() + "edit/"
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, form).status_code == 302
    assert Allocation.objects.filter(line__strategy=strategy, amount="999.9").count() == count
    return len(queries)


class TestQueryBoundsOnGeneratedData:
    @pytest.fixture(autouse=True)
    def without_page_cache(self, settings):
        settings.PAGE_CACHE = False

    @pytest.fixture(autouse=True)
    def streamed_strategy_pages(self, monkeypatch):
        """The strategy pages streamed, as a ministry's strategies of thousands of lines are: the same bound holds."""
        monkeypatch.setattr("dashboard.strategy_page.STREAMED_FROM_LINES", 0)

    def test_every_page_and_a_save_run_as_many_queries_on_twenty_times_the_data(self, make_editor):
        editor = Client()
        editor.force_login(make_editor("redaktoer"))
        public = Client()

        def counts(seed):
            pages = generated_pages(seed)
            found = {name: count_queries(editor if name == "grid" else public, url) for name, url in pages.items()}
            return found, pages

        generate_data(3, 20, 3, seed=1)
        small, small_pages = counts(1)
        small_save = save_cells(editor, 1, 5)
        generate_data(6, 400, 5, seed=2)
        large, large_pages = counts(2)
        large_save = save_cells(editor, 2, 100)

        assert large == small, {
            name: (small_pages[name], large_pages[name]) for name in small if small[name] != large[name]
        }
        assert large_save == small_save
        assert max(small.values()) <= BOUND + 6
