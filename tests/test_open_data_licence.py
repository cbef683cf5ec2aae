"""The open data's licence, CC BY 4.0 with the ministry credited unless set otherwise, wherever the data is."""

import io
import json
import zipfile

import pytest
import yaml

pytestmark = pytest.mark.django_db

CC_BY = "https://creativecommons.org/licenses/by/4.0/"


def package(client) -> dict:
    response = client.get("/api/fiscal-data-package.zip")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return json.loads(zipfile.ZipFile(io.BytesIO(content)).read("datapackage.json"))


def test_the_package_carries_the_licence_and_its_publisher(client):
    descriptor = package(client)

    assert descriptor["licenses"] == [
        {"name": "CC-BY-4.0", "path": CC_BY, "title": "Creative Commons Attribution 4.0 International"}
    ]
    assert {"title": "Erhvervsministeriet", "role": "publisher"}.items() <= descriptor["contributors"][0].items()


def test_the_openapi_document_names_the_licence(client):
    info = yaml.safe_load(client.get("/api/schema/").content)["info"]

    assert info["license"] == {"name": "Creative Commons Attribution 4.0 International", "url": CC_BY}


def test_the_open_data_page_links_the_licence_and_says_whom_to_credit(client):
    html = client.get("/api/").content.decode()

    assert f'<a href="{CC_BY}" rel="license">Creative Commons Attribution 4.0 International</a>' in html
    assert "med Erhvervsministeriet angivet som kilde" in html


def test_a_deployment_sets_a_licence_of_its_own(client, settings, tmp_path):
    settings.OPEN_DATA_LICENSE = {"name": "CC0-1.0", "title": "CC0 1.0", "url": "https://example.org/cc0"}
    settings.OPEN_DATA_PUBLISHER = {**settings.OPEN_DATA_PUBLISHER, "name": "Sundhedsministeriet"}
    settings.DOWNLOADS_DIR = tmp_path  # the package built for the default licence is not served again

    assert package(client)["licenses"][0]["name"] == "CC0-1.0"
    html = client.get("/api/").content.decode()
    assert 'href="https://example.org/cc0"' in html and "Sundhedsministeriet" in html
