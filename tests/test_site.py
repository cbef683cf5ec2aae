"""What every public page carries for search engines, link previews and other sites: a description of its own,
the canonical address and its other language, Open Graph tags, sitemap.xml, robots.txt, the icons, structured data
on the open data; embeds that any site may frame while every other page may be framed by none; and the error and
login pages in the design and the reader's language."""

import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from initiatives.models import Initiative

pytestmark = pytest.mark.django_db

PUBLIC = ["/", "/strategies/2018/", "/strategies/2021/", "/strategies/2030/", "/initiatives/", "/compare/", "/api/"]
PUBLIC += ["/strategies/2021/versions/", "/accessibility/", "/sources/"]


def meta(html: str, name: str) -> str | None:
    found = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"', html)
    return found.group(1) if found else None


def links(html: str, rel: str) -> dict[str, str]:
    """The page's <link rel=…> tags: hreflang (or "") → address."""
    return dict(re.findall(rf'<link rel="{rel}"(?: hreflang="([^"]+)")? href="([^"]+)"', html))


class TestFoundAndShared:
    def test_it_gives_each_public_page_a_description_of_its_own(self, client):
        descriptions = [meta(client.get(path).content.decode(), "description") for path in PUBLIC]

        assert all(description and len(description) > 50 for description in descriptions), descriptions
        assert len(set(descriptions)) == len(descriptions)

    @pytest.mark.parametrize("path", ["/strategies/2021/", "/en/strategies/2021/"])
    def test_it_names_the_canonical_address_and_each_language(self, client, path):
        html = client.get(path + "?sort=-2022").content.decode()

        assert links(html, "canonical") == {"": f"http://testserver{path}"}
        assert links(html, "alternate") == {
            "da": "http://testserver/strategies/2021/",
            "en": "http://testserver/en/strategies/2021/",
            "x-default": "http://testserver/strategies/2021/",
        }

    def test_it_describes_the_page_for_link_previews(self, client):
        html = client.get("/en/strategies/2030/").content.decode()

        assert meta(html, "og:title") == meta(html, "twitter:title")
        assert "2030" in meta(html, "og:title")
        assert meta(html, "og:image") == "http://testserver/static/og-image.png"
        assert meta(html, "twitter:card") == "summary_large_image"
        assert meta(html, "og:locale") == "en_GB"
        image = client.get("/static/og-image.png")
        assert image.status_code == 200
        image.close()

    def test_it_lists_every_public_page_in_both_languages_in_the_sitemap(self, client):
        response = client.get("/sitemap.xml")

        root = ET.fromstring(response.content)
        namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
        addresses = {element.text for element in root.findall("s:url/s:loc", namespace)}
        initiative = Initiative.objects.filter(chapter__strategy__slug="2021").first()
        for path in ["/", "/compare/", "/api/", "/strategies/2018/versions/", initiative.get_absolute_url()]:
            assert f"http://testserver{path}" in addresses
            assert f"http://testserver/en{path}" in addresses
        alternates = root.findall("s:url/x:link", namespace)
        assert {link.get("hreflang") for link in alternates} == {"da", "en", "x-default"}

    def test_it_lets_robots_crawl_the_public_pages_and_names_the_sitemap(self, client):
        text = client.get("/robots.txt").content.decode()

        assert "Sitemap: http://testserver/sitemap.xml" in text
        assert "Disallow: /admin/" in text and "Disallow: /en/embed/" in text
        assert "Disallow: /\n" not in text

    def test_it_serves_the_icons_where_browsers_look_for_them(self, client):
        response = client.get("/favicon.ico")
        html = client.get("/").content.decode()

        assert response["Content-Type"] == "image/x-icon"
        assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
        touch = re.search(r'<link rel="apple-touch-icon" href="([^"]+)"', html).group(1)
        icon = client.get(touch)
        assert icon.status_code == 200
        icon.close()

    def test_it_describes_the_open_data_as_a_dataset(self, client):
        html = client.get("/en/api/").content.decode()

        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        assert data["@type"] == "Dataset"
        assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
        assert {item["encodingFormat"] for item in data["distribution"]} >= {"text/csv", "application/json"}


class TestEnglish:
    def test_it_serves_the_open_data_page_in_english_and_keeps_links_in_english(self, client):
        html = client.get("/en/api/").content.decode()

        assert '<html lang="en">' in html
        assert "<h1>Open data: the figures without scraping</h1>" in html
        menu = re.search(r'<ul class="mainmenu">(.*?)</ul>', html, re.S).group(1)
        assert re.findall(r'href="([^"]+)"', menu) == ["/en/", "/en/compare/", "/en/initiatives/", "/en/api/"]

    def test_it_shows_the_danish_page_of_the_open_data_at_its_old_address(self, client):
        assert "<h1>Åbne data" in client.get("/api/").content.decode()


class TestEmbeds:
    @pytest.mark.parametrize("path", ["/embed/", "/embed/strategies/2021/", "/embed/compare/", "/en/embed/"])
    def test_it_lets_any_site_frame_an_embed(self, client, path):
        response = client.get(path)

        assert response.status_code == 200
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        assert "X-Frame-Options" not in response
        assert 'id="chart-embed"' in response.content.decode()

    @pytest.mark.parametrize("path", ["/", "/strategies/2021/", "/compare/", "/api/", "/accounts/login/"])
    def test_it_lets_no_site_frame_any_other_page(self, client, path):
        response = client.get(path)

        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"

    def test_it_offers_a_permalink_citation_and_iframe_on_a_chart_page(self, client):
        html = client.get("/compare/?by=chapter&year=2022&year=2023").content.decode()

        assert "Del / indlejr" in html
        assert "Kilde: Strategy Tracker (Erhvervsministeriet), Vækstplan 2018, version 1, marts 2018" in html
        assert "&lt;iframe src=&quot;http://testserver/embed/compare/?by=chapter&amp;amp;year=2022" in html

    def test_it_cites_the_versions_in_english_on_english_pages(self, client):
        html = client.get("/en/compare/?year=2022").content.decode()

        assert "Source: Strategy Tracker (Erhvervsministeriet), Growth plan 2018, version 1, March 2018" in html

    def test_it_embeds_the_chart_of_an_initiative(self, client):
        initiative = Initiative.objects.filter(chapter__strategy__slug="2021", number="2").get()

        response = client.get(f"/embed/initiatives/{initiative.pk}/")

        assert response.status_code == 200
        assert "Strategi 2021, version 1" in response.content.decode()


class TestComparePage:
    def test_it_opens_on_the_latest_two_years_and_offers_every_year(self, client):
        response = client.get("/compare/")

        assert response.context["comparison"].years == [2026, 2027]
        every = re.search(r'<a href="\?([^"]+)">Sammenlign alle år', response.content.decode()).group(1)
        wide = client.get("/compare/?" + every.replace("&amp;", "&"))
        assert wide.context["comparison"].years == list(range(2018, 2028))


class TestErrorPages:
    @pytest.mark.parametrize(
        ("path", "heading"), [("/no-such-page/", "Siden findes ikke"), ("/en/no-such-page/", "Page not found")]
    )
    def test_it_answers_a_missing_page_in_the_design_and_the_readers_language(self, client, path, heading):
        response = client.get(path)

        assert response.status_code == 404
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert '<header class="header">' in html
        assert '<div class="footer">' in html

    @pytest.mark.parametrize(
        ("prefix", "heading", "reason"),
        [
            ("", "Ingen adgang", "Du må ikke redigere Strategi 2021."),
            ("/en", "No access", "You may not edit Strategy 2021."),
        ],
    )
    def test_it_refuses_an_editor_of_another_strategy_in_the_design_and_the_readers_language(
        self, client, make_editor, prefix, heading, reason
    ):
        client.force_login(make_editor("editor-2030", "2030"))

        response = client.get(f"{prefix}/strategies/2021/edit/")

        assert response.status_code == 403
        html = response.content.decode()
        assert f"<h1>{heading}</h1>" in html
        assert reason in html
        assert '<header class="header">' in html and '<div class="footer">' in html

    def test_it_explains_a_refused_form_in_danish(self):
        client = Client(enforce_csrf_checks=True)

        response = client.post("/accounts/login/", {"username": "x", "password": "y"})

        assert response.status_code == 403
        assert "<h1>Formularen er udløbet</h1>" in response.content.decode()

    def test_it_shows_the_login_page_in_the_design(self, client):
        html = client.get("/en/accounts/login/").content.decode()

        assert '<input type="text" name="username"' in html and 'class="form-input"' in html
        assert 'class="button button-primary"' in html
