import os

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


class TestDatabase:
    def test_it_runs_on_postgresql_16_or_later(self):
        assert connection.vendor == "postgresql"
        assert connection.pg_version >= 160000

    @pytest.mark.skipif("DATABASE_URL" in os.environ, reason="DATABASE_URL chooses another server")
    def test_it_uses_the_embedded_server_inside_the_checkout_without_database_url(self):
        data_dir = settings.BASE_DIR / ".pgdata"
        with connection.cursor() as cursor:
            cursor.execute("SHOW data_directory")
            (directory,) = cursor.fetchone()
        assert os.path.realpath(directory) == os.path.realpath(os.environ.get("PGSERVER_DATA", data_dir))

    def test_it_runs_the_tests_in_a_database_of_their_own(self):
        assert connection.settings_dict["NAME"].startswith("test_")
