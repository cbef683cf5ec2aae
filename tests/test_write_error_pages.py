"""manage.py write_error_pages: the pages nginx answers with when no instance of the app answered."""

import json
from io import StringIO

from django.core.management import call_command


def test_it_writes_a_page_in_each_language_and_one_for_the_api(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    out = StringIO()

    call_command("write_error_pages", str(tmp_path / "pages"), stdout=out)

    danish = (tmp_path / "pages" / "da.html").read_text()
    english = (tmp_path / "pages" / "en.html").read_text()
    assert '<html lang="da"' in danish and "<h1>Siden svarede ikke</h1>" in danish
    assert "åbn siden igen og se efter, før du sender den igen" in danish
    assert '<html lang="en"' in english and "<h1>The site did not answer</h1>" in english
    assert 'href="/en/"' in english and 'href="/"' in danish
    assert json.loads((tmp_path / "pages" / "api.json").read_text())["detail"].startswith("Ingen af sidens servere")
    assert out.getvalue() == f"3 pages for an unanswered request written to {tmp_path / 'pages'}\n"
    assert sorted(path.name for path in (tmp_path / "pages").iterdir()) == ["api.json", "da.html", "en.html"]
