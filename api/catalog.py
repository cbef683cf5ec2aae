"""The open data described for data portals: DCAT-AP 2 in JSON-LD, so a national or the European data portal can
harvest it (https://semiceu.github.io/DCAT-AP/releases/2.1.1/)."""

from django.conf import settings
from django.urls import reverse

from budgets.fiscal import created
from publication.editions import Edition

EU = "http://publications.europa.eu/resource/authority/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:issued": {"@type": "xsd:dateTime"},
    "dct:modified": {"@type": "xsd:dateTime"},
    "dcat:startDate": {"@type": "xsd:date"},
    "dcat:endDate": {"@type": "xsd:date"},
}
THEMES = [f"{EU}data-theme/ECON", f"{EU}data-theme/GOVE", f"{EU}data-theme/HEAL"]
FORMATS = {"csv": ("CSV", "text/csv"), "json": ("JSON", "application/json"), "zip": ("ZIP", "application/zip")}


def _ref(iri: str) -> dict:
    return {"@id": iri}


def _text(value: str, language: str = "da") -> dict:
    return {"@value": value, "@language": language}


def catalog(base: str) -> dict:
    """The catalogue of ``base`` (the site's address, ending in /): a dataset per published strategy with its
    cells as CSV (for programs and for a Danish spreadsheet) and JSON, and the whole as a Fiscal Data Package."""
    edition = Edition.public()
    api = base.rstrip("/") + reverse("api_index")
    licence = _ref(settings.OPEN_DATA_LICENSE["url"])
    publisher = {
        "@id": settings.OPEN_DATA_PUBLISHER["url"],
        "@type": "foaf:Agent",
        "foaf:name": settings.OPEN_DATA_PUBLISHER["name"],
    }
    contact = {
        "@type": "vcard:Organization",
        "vcard:fn": settings.OPEN_DATA_PUBLISHER["name"],
        "vcard:hasEmail": _ref(f"mailto:{settings.OPEN_DATA_PUBLISHER['email']}"),
    }
    modified = created(edition).isoformat()

    def distribution(iri: str, kind: str, title: str, description: str) -> dict:
        file_type, media_type = FORMATS[kind]
        return {
            "@id": iri,
            "@type": "dcat:Distribution",
            "dct:title": _text(title),
            "dct:description": _text(description),
            "dcat:accessURL": _ref(iri),
            "dcat:downloadURL": _ref(iri),
            "dct:format": _ref(f"{EU}file-type/{file_type}"),
            "dcat:mediaType": _ref(f"http://www.iana.org/assignments/media-types/{media_type}"),
            "dct:license": licence,
        }

    def dataset(iri: str, title: str, description: str, first: int, last: int, distributions: list) -> dict:
        return {
            "@id": iri,
            "@type": "dcat:Dataset",
            "dct:title": _text(title),
            "dct:description": _text(description),
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dcat:theme": [_ref(theme) for theme in THEMES],
            "dcat:keyword": [_text("life science"), _text("budget"), _text("bevillinger")],
            "dct:language": _ref(f"{EU}language/DAN"),
            "dct:spatial": _ref(f"{EU}country/DNK"),
            "dct:temporal": {
                "@type": "dct:PeriodOfTime",
                "dcat:startDate": f"{first}-01-01",
                "dcat:endDate": f"{last}-12-31",
            },
            "dct:modified": modified,
            "dcat:landingPage": _ref(api),
            "dcat:distribution": distributions,
        }

    strategies = list(edition.strategies())
    datasets = [
        dataset(
            f"{api}#strategy-{strategy.slug}",
            f"{strategy.title}: bevillinger pr. budgetlinje og år",
            f"Hver celle i den offentliggjorte budgettabel for {strategy.short_title} i mio. kr. ({strategy.source}). "
            "Et ukendt beløb er tomt (CSV) eller null (JSON), aldrig 0.",
            strategy.first_year,
            strategy.last_year,
            [
                distribution(
                    f"{api}allocations.csv?strategy={strategy.slug}", "csv", "CSV", "RFC 4180, UTF-8, decimalpunktum"
                ),
                distribution(
                    f"{api}allocations.csv?strategy={strategy.slug}&dialect=excel-da",
                    "csv",
                    "CSV til Excel",
                    "Semikolon, decimalkomma, UTF-8 med BOM",
                ),
                distribution(
                    f"{api}allocations/?strategy={strategy.slug}", "json", "JSON", "Sidevis JSON fra det åbne API"
                ),
            ],
        )
        for strategy in strategies
    ]
    datasets.append(
        dataset(
            f"{api}#fiscal-data-package",
            "Danmarks life science-strategier som Fiscal Data Package",
            "Alle offentliggjorte strategiers bevillinger, fodnoter og totaler med kildedokumenterne.",
            min((strategy.first_year for strategy in strategies), default=2018),
            max((strategy.last_year for strategy in strategies), default=2018),
            [distribution(f"{api}fiscal-data-package.zip", "zip", "Fiscal Data Package", "datapackage.json og CSV")],
        )
    )
    return {
        "@context": CONTEXT,
        "@id": f"{api}catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": _text("Strategy Tracker: Danmarks life science-strategier"),
        "dct:description": _text("Åbne data om budgetterne i Danmarks life science-strategier."),
        "dct:publisher": publisher,
        "foaf:homepage": _ref(api),
        "dct:language": _ref(f"{EU}language/DAN"),
        "dct:license": licence,
        "dct:modified": modified,
        "dcat:themeTaxonomy": _ref(f"{EU}data-theme"),
        "dcat:dataset": datasets,
    }
