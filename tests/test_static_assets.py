"""The front-end files in static/vendor/ (built by `make assets` from package-lock.json, and committed): the versions
they were built from, a chart JSON that the Plotly bundle reads, and collectstatic's Brotli and gzip copies that
production serves."""

import json
import re
from pathlib import Path

import plotly
import plotly.graph_objects as go
import pytest
from django.conf import settings
from django.core.management import call_command

from initiatives.models import Initiative

STATIC = Path(settings.BASE_DIR) / "static"
LOCK = json.loads((Path(settings.BASE_DIR) / "package-lock.json").read_text())["packages"]
JSON_SCRIPT = re.compile(r'<script id="([^"]*-data)" type="application/json">(.*?)</script>', re.S)


def banner_version(path: Path, package: str) -> str:
    return re.search(rf"{re.escape(package)} v([\d.]+)", path.read_text(encoding="utf-8")[:300]).group(1)


def test_the_plotly_bundle_is_the_plotly_js_the_python_package_is_made_for():
    bundle = banner_version(STATIC / "vendor" / "plotly-site.min.js", "plotly.js")

    assert bundle == LOCK["node_modules/plotly.js"]["version"]
    assert bundle == plotly.offline.get_plotlyjs_version()


def test_the_design_system_is_the_version_in_the_lock_file():
    built = banner_version(STATIC / "vendor" / "dkfds" / "css" / "dkfds.min.css", "dkfds")

    assert built == LOCK["node_modules/dkfds"]["version"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/strategies/2018/", "/strategies/2021/", "/compare/", "/initiatives/{pk}/"])
def test_every_chart_is_a_figure_plotly_accepts_drawn_with_the_bundles_traces(client, path):
    pk = Initiative.objects.filter(chapter__strategy__slug="2021", number="2").get().pk
    html = client.get(path.format(pk=pk)).content.decode()

    figures = [json.loads(text) for _id, text in JSON_SCRIPT.findall(html)]

    assert figures
    for figure in figures:
        go.Figure(figure)  # raises on any property the plotly.js of this version does not know
        assert {trace["type"] for trace in figure["data"]} <= {"bar", "scatter"}


def test_collectstatic_writes_a_brotli_and_a_gzip_copy_of_the_bundle_and_the_styles(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

    call_command("collectstatic", interactive=False, verbosity=0)

    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("vendor/plotly-site.min.js", "vendor/dkfds/css/dkfds.min.css", "css/site.css"):
        served = tmp_path / manifest[name]
        size = served.stat().st_size
        assert served.with_name(served.name + ".br").stat().st_size < size / 3
        assert served.with_name(served.name + ".gz").stat().st_size < size / 2
