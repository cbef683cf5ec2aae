import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test.utils import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from budgets.services import seed_strategies
from tests.helpers import SeededTables

# Examples that go through the database take as long as the shared machine lets them: no per-example deadline.
hypothesis_settings.register_profile("strategy-tracker", deadline=None)
hypothesis_settings.load_profile("strategy-tracker")


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """PBKDF2's deliberate slowness (a million rounds, 0,23 s of CPU here) for every password a test makes or
    checks: 177 places make or log in a user, the login tests dozens each. What the tests check of passwords does
    not depend on the hasher, as in the app servers they start (tests/server_settings.py)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the shipped fixtures; each test's changes are rolled back after it. A transactional
    test's are flushed with the fixtures: ``seeded_tables.restore()`` puts them back."""
    with django_db_blocker.unblock():
        seed_strategies()
        return SeededTables()


@pytest.fixture(scope="session")
def seeded_tables(django_db_setup) -> SeededTables:
    return django_db_setup


@pytest.fixture(scope="session")
def sources_dir():
    if not (settings.SOURCES_DIR / "README.md").exists():
        pytest.fail(f"The source documents are missing: expected them in {settings.SOURCES_DIR}")
    return settings.SOURCES_DIR


@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_superuser("ministry", "ministry@example.org", "a-long-test-password")


@pytest.fixture(autouse=True)
def static_files_without_manifest(settings):
    """Production serves hashed files from collectstatic; tests render and serve them without running it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True
    # The test client speaks plain HTTP; production redirects it to HTTPS. The live server's middleware is
    # built before this fixture runs, so make test also sets DJANGO_SSL_REDIRECT=0.
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's default language, as each request does: the LocaleMiddleware activates English
    for a request under /en/ and nothing deactivates it, so a test ending on an English page made the next test's
    reverse() and get_absolute_url() give English addresses."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fresh_page_memory():
    """Each test's database changes are rolled back, the shared page cache with them; a worker's memory is not."""
    from dashboard.cache import local_pages

    local_pages.clear()


@pytest.fixture(autouse=True)
def fresh_downloads(settings, tmp_path):
    """Each test's figures are rolled back and their version may repeat; built downloads must not outlive them."""
    settings.DOWNLOADS_DIR = tmp_path / "downloads"
    # A build in the background reads the database on a connection of its own, which does not see a test's
    # uncommitted rows: tests build in the request unless they test the background (tests/test_downloads.py).
    settings.DOWNLOADS_WAIT = None


@pytest.fixture
def make_editor(db):
    """A user who may edit the given strategies (all when none are given), as grant_editor makes them."""
    from editing.services import grant_editor
    from initiatives.models import Strategy

    def make(username, *slugs):
        user = get_user_model().objects.create_user(username, f"{username}@example.org", "a-long-test-password")
        grant_editor(user, list(Strategy.objects.filter(slug__in=slugs)))
        return user

    return make


SOFFICE = shutil.which("soffice")
LOCALES = {"da": "da_DK.UTF-8", "en": "en_US.UTF-8"}


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory) -> Path:
    """One LibreOffice profile for the session: its first start takes the longest."""
    return tmp_path_factory.mktemp("libreoffice-profile")


@pytest.fixture
def recalculated(libreoffice_profile, tmp_path):
    """Workbooks by name, their formulas recalculated by LibreOffice in the reader's locale, as a reader's spreadsheet
    would: one run of ``soffice --headless --convert-to xlsx`` for all of them, read with openpyxl's data_only."""

    def convert(language="da", raw=False, **contents: bytes) -> dict:
        """``raw``: the files' bytes, as an analyst's spreadsheet saves them, rather than their values."""
        if SOFFICE is None:
            pytest.skip("LibreOffice is not installed (make test installs libreoffice-calc-nogui)")
        paths = []
        for name, content in contents.items():
            path = tmp_path / f"{name}.xlsx"
            path.write_bytes(content)
            paths.append(str(path))
        # FIXED() writes numbers in the locale's notation: 1.234,5 for a Danish reader, 1,234.5 for an English one.
        environment = {**os.environ, "LC_ALL": LOCALES[language], "LANG": LOCALES[language]}
        subprocess.run(
            [
                SOFFICE,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={libreoffice_profile.as_uri()}",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(tmp_path / "recalculated"),
                *paths,
            ],
            env=environment,
            check=True,
            capture_output=True,
            timeout=180,
        )
        converted = {name: tmp_path / "recalculated" / f"{name}.xlsx" for name in contents}
        if raw:
            return {name: path.read_bytes() for name, path in converted.items()}
        return {name: openpyxl.load_workbook(path, data_only=True) for name, path in converted.items()}

    return convert
