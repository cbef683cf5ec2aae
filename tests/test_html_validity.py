"""Every public page, in Danish and in English, is valid HTML by the Nu HTML Checker (vnu, the W3C's validator).

The pages are written to files and checked in one run of vnu (npm vnu-jar, on Debian's Java; `make test` installs
both): one Java start for all of them.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

VNU = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PAGES = [
    "/",
    "/strategies/2018/",
    "/strategies/2021/",
    "/strategies/2030/",
    "/initiatives/",
    "/initiatives/?theme=health-data&strategy=2021",
    "/initiatives/{initiative}/",
    "/compare/",
    "/compare/?by=chapter&year=2022&year=2023",
    "/api/",
    "/strategies/2018/versions/",
    "/strategies/2021/versions/",
    "/strategies/2030/versions/",
    "/strategies/2030/progress/",
    "/strategies/2030/targets/",
    "/strategies/2030/targets/1/",
    "/accessibility/",
    "/sources/",
    "/accounts/login/",
    "/embed/",
    "/embed/strategies/2021/",
    "/embed/compare/",
    "/embed/initiatives/{initiative}/",
    "/no-such-page/",
]


def test_every_public_page_is_valid_html_in_both_languages(client, tmp_path):
    java = shutil.which("java")
    if not VNU.exists() or java is None:
        pytest.fail("The Nu HTML Checker is missing: `make test` installs it (npm vnu-jar) and Debian's Java")
    initiative = Initiative.objects.filter(chapter__strategy__slug="2021", number="2").get()
    files = {}
    for language in ("", "/en"):
        for index, path in enumerate(PAGES):
            url = language + path.format(initiative=initiative.pk)
            response = client.get(url)
            assert response.status_code in (200, 404), url
            file = tmp_path / f"{language.strip('/') or 'da'}-{index}.html"
            file.write_bytes(response.content)
            files[file.name] = url

    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--exit-zero-always", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )

    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{files[Path(message['url']).name]} line {message.get('lastLine')}: {message['message']}"
        for message in messages
        if message["type"] == "error"
    ]
    assert errors == [], "\n".join(errors)
