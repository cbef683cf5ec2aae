import pytest
from django.urls import reverse

from tests.helpers import table_rows

pytestmark = pytest.mark.django_db


class TestOverview:
    def test_it_lists_the_three_strategies_with_period_initiatives_frame_and_allocated(self, client):
        response = client.get(reverse("overview"))

        assert response.status_code == 200
        rows = table_rows(response.content.decode(), "strategies")
        assert rows[1:] == [
            ["Vækstplan for life science", "2018–2021", "7", "120,0", "ukendt", "ikke angivet"],
            ["Strategi for life science", "2021–2023", "38", "301,2", "270,8", "ikke angivet"],
            ["National strategi for life science frem mod 2030", "2024–2027", "28", "400,0", "399,1", "2024-priser"],
        ]

    def test_it_links_each_strategy_to_its_page(self, client):
        html = client.get(reverse("overview")).content.decode()
        for slug in ("2018", "2021", "2030"):
            assert f'href="/strategies/{slug}/"' in html
