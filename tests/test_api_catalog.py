"""The DCAT-AP 2 catalogue a data portal harvests, read as RDF by rdflib's JSON-LD parser (offline: the context is
in the document), with every property DCAT-AP 2 makes mandatory, and those it recommends that the issue asks for."""

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

pytestmark = [
    pytest.mark.django_db,
    # rdflib's own JSON-LD parser still builds on its deprecated ConjunctiveGraph.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")


@pytest.fixture
def graph(client) -> Graph:
    response = client.get("/api/catalog.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    return Graph().parse(data=response.content, format="json-ld")


def has(graph: Graph, subject, *properties) -> list:
    return [prop for prop in properties if graph.value(subject, prop) is None]


def test_the_catalogue_has_its_mandatory_properties(graph):
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))

    assert len(catalogs) == 1
    assert has(graph, catalogs[0], DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCAT.dataset) == []
    publisher = graph.value(catalogs[0], DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == "Erhvervsministeriet"


def test_every_dataset_has_title_description_licence_publisher_contact_themes_time_and_distributions(graph):
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))

    assert len(datasets) == 4  # three strategies and the whole package
    for dataset in datasets:
        missing = has(
            graph,
            dataset,
            DCTERMS.title,
            DCTERMS.description,
            DCTERMS.publisher,
            DCAT.contactPoint,
            DCAT.theme,
            DCTERMS.temporal,
            DCAT.distribution,
        )
        assert missing == [], dataset
        assert graph.value(graph.value(dataset, DCAT.contactPoint), VCARD.hasEmail)
        period = graph.value(dataset, DCTERMS.temporal)
        assert graph.value(period, DCAT.startDate) and graph.value(period, DCAT.endDate)
    themes = set(graph.objects(datasets[0], DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/ECON") in themes


def test_every_distribution_has_an_access_url_that_answers_and_the_licence(graph, client):
    distributions = list(graph.subjects(RDF.type, DCAT.Distribution))

    assert len(distributions) == 10
    for distribution in distributions:
        assert has(graph, distribution, DCAT.accessURL, DCTERMS.license, DCTERMS["format"]) == []
        assert str(graph.value(distribution, DCTERMS.license)) == "https://creativecommons.org/licenses/by/4.0/"
        url = str(graph.value(distribution, DCAT.accessURL))
        assert url.startswith("http://testserver/api/")
        assert client.get(url.removeprefix("http://testserver")).status_code == 200, url
