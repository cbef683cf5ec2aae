"""Every public page runs the same number of queries on ten times the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from budgets.models import Allocation
from initiatives.models import Initiative, Strategy
from tests.scale import ten_times_the_fixtures

pytestmark = pytest.mark.django_db

# The most queries a page may run, measured on the fixtures and on ten times them.
BOUND = 11


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
        assert client.get(url).status_code == 200
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
