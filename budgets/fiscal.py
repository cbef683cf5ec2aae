"""The budgets as a Fiscal Data Package: a Tabular Data Package whose ``model`` says what is money.

Everything in it comes from what the public sees (each strategy's newest published version), and so does its
``created`` time: the same figures give the same package, byte for byte, whenever it is built.
"""

import io
import json
import zipfile
from datetime import UTC, datetime

from django.conf import settings

from budgets.exports import AllocationExport, Export, FootnoteExport, PublishedTotalExport
from budgets.models import Footnote, PublishedTotal
from publication.editions import Edition
from publication.models import Publication

DATA_FILE = "allocations.csv"
DESCRIPTOR_FILE = "datapackage.json"
SOURCES = "sources"
# Before anything is published the package is empty; it is dated at the epoch rather than by the clock.
NEVER = datetime(1980, 1, 1, tzinfo=UTC)

TEXTS = {
    "allocations": (
        "Bevillinger pr. budgetlinje og år",
        "Én række pr. celle i en offentliggjort budgettabel: en budgetlinjes beløb i ét år, i mio. kr. Et ukendt "
        "beløb er tomt, og cell_kind siger, om cellen er ukendt eller finansieret andetsteds.",
        "Allocations per budget line and year",
        "One row per cell of a published budget table: a budget line's amount in one year, in mio. kr. An unknown "
        "amount is empty, and cell_kind says whether the cell is unknown or financed elsewhere.",
    ),
    "footnotes": (
        "Fodnoter til budgettabellerne",
        "Tabellernes fodnoter, som kilderne trykker dem, med de budgetlinjer og totaler de hører til.",
        "Footnotes of the budget tables",
        "The tables' footnotes as the sources print them, with the budget lines and totals they belong to.",
    ),
    "published_totals": (
        "Offentliggjorte totaler",
        "Kapitelsummer og totaler, præcis som kildernes tabeller trykker dem, og den forskel til rækkernes sum, "
        "som en fodnote forklarer (fx brofinansiering).",
        "Published totals",
        "Chapter subtotals and totals exactly as the source tables print them, and the difference from the sum of "
        "their rows that a footnote explains (e.g. bridge financing).",
    ),
}


def licence() -> dict:
    """The open data's licence (settings.OPEN_DATA_LICENSE) as the Data Package spec writes one."""
    return {
        "name": settings.OPEN_DATA_LICENSE["name"],
        "path": settings.OPEN_DATA_LICENSE["url"],
        "title": settings.OPEN_DATA_LICENSE["title"],
    }


def publisher() -> dict:
    """Who publishes the figures and is to be credited under the licence."""
    return {
        "title": settings.OPEN_DATA_PUBLISHER["name"],
        "path": settings.OPEN_DATA_PUBLISHER["url"],
        "email": settings.OPEN_DATA_PUBLISHER["email"],
        "role": "publisher",
    }


def source_files() -> list:
    """The published documents the figures come from, shipped inside the package."""
    return sorted(path for path in settings.SOURCES_DIR.glob("*.txt") if path.is_file())


def _resource(export: type[Export], path: str, primary_key: list[str]) -> dict:
    title, description, title_en, description_en = TEXTS[export.identifier]
    return {
        "name": export.identifier,
        "path": path,
        "profile": "tabular-data-resource",
        "title": title,
        "description": description,
        "title_en": title_en,
        "description_en": description_en,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "doubleQuote": True, "lineTerminator": "\r\n", "header": True},
        "schema": {
            "fields": [
                {"name": field.name, "type": field.type, "description": field.description} for field in export.fields
            ],
            "primaryKey": primary_key,
            "missingValues": [""],
        },
    }


def _publications(edition: Edition) -> list[Publication]:
    publications = Publication.objects.filter(pk__in=[item.pk for item in edition.publications.values()])
    return sorted(
        publications.select_related("strategy"), key=lambda item: (item.strategy.first_year, item.strategy.slug)
    )


def created(edition: Edition) -> datetime:
    """When the newest version in the package was published: the same figures, the same time."""
    newest = max((publication.published_at for publication in _publications(edition)), default=NEVER)
    return newest.astimezone(UTC).replace(microsecond=0)


def descriptor(edition: Edition, homepage: str) -> dict:
    strategies = list(edition.strategies())
    first = min((strategy.first_year for strategy in strategies), default=NEVER.year)
    last = max((strategy.last_year for strategy in strategies), default=first)
    publications = _publications(edition)
    return {
        # The Fiscal Data Package profile is a Tabular Data Package with a model; naming the tabular profile
        # lets validators check it offline, without fetching the fiscal profile's schema.
        "profile": "tabular-data-package",
        "name": "danish-life-science-strategies",
        "title": "Danmarks life science-strategier: bevillinger pr. budgetlinje og år",
        "title_en": "Denmark's life science strategies: allocations per budget line and year",
        "description": (
            "Bevillinger i de danske life science-strategier (vækstplanen 2018, strategien 2021 og strategien mod "
            "2030) i mio. kr., som offentliggjort: hver strategi i sin seneste offentliggjorte version (se "
            "publications). Hver række i allocations er én celle i en budgettabel; footnotes og published_totals "
            "er tabellernes fodnoter og totaler, som kilderne trykker dem."
        ),
        "description_en": (
            "Allocations of Denmark's life science strategies in mio. kr., as published: each strategy in its newest "
            "published version (see publications). Each row of allocations is one cell of a budget table; footnotes "
            "and published_totals are the tables' footnotes and totals as the sources print them."
        ),
        "homepage": homepage,
        # 1 is the package's layout; the middle number grows with every publication of any strategy.
        "version": f"1.{sum(publication.number for publication in publications)}.0",
        "created": created(edition).isoformat(),
        "keywords": ["life science", "budget", "bevillinger", "Danmark", "Denmark", "sundhed", "erhvervspolitik"],
        "licenses": [licence()],
        "contributors": [publisher()],
        "publications": [
            {
                "strategy": publication.strategy.slug,
                "version": publication.number,
                "published": publication.published_at.astimezone(UTC).isoformat(),
                "note": publication.note,
            }
            for publication in publications
        ],
        "countryCode": "DK",
        "granularity": "aggregated",
        "fiscalPeriod": {"start": f"{first}-01-01", "end": f"{last}-12-31"},
        "sources": [{"title": path.stem, "path": f"{SOURCES}/{path.name}"} for path in source_files()],
        "resources": [
            _resource(AllocationExport, DATA_FILE, ["allocation_id"]),
            _resource(FootnoteExport, "footnotes.csv", ["footnote_id"]),
            _resource(PublishedTotalExport, "published_totals.csv", ["strategy", "chapter_number", "year"]),
        ],
        "model": {
            "measures": {
                "amount": {
                    "source": "amount",
                    "currency": "DKK",
                    "factor": 1_000_000,
                    "direction": "expenditure",
                    # The strategies' budgets as the government adopted and published them.
                    "phase": "approved",
                }
            },
            "dimensions": {
                "strategy": {
                    "attributes": {
                        "code": {"source": "strategy"},
                        "title": {"source": "strategy_title", "labelfor": "code"},
                        "price_basis": {"source": "price_basis"},
                    },
                    "primaryKey": "code",
                    "dimensionType": "classification",
                    "classificationType": "administrative",
                },
                "chapter": {
                    "attributes": {
                        "strategy": {"source": "strategy"},
                        "code": {"source": "chapter_number"},
                        "title": {"source": "chapter_title", "labelfor": "code"},
                    },
                    "primaryKey": ["strategy", "code"],
                    "dimensionType": "classification",
                    "classificationType": "functional",
                },
                "initiative": {
                    "attributes": {
                        "line_id": {"source": "line_id"},
                        "line_title": {"source": "line_title", "labelfor": "line_id"},
                        "line_kind": {"source": "line_kind"},
                        "initiative_ids": {"source": "initiative_ids"},
                        "initiative_numbers": {"source": "initiative_numbers"},
                    },
                    "primaryKey": "line_id",
                    "dimensionType": "activity",
                },
                "theme": {
                    "attributes": {"code": {"source": "theme"}},
                    "primaryKey": "code",
                    "dimensionType": "classification",
                    "classificationType": "functional",
                },
                "cell": {
                    # What a cell holds: an amount, an amount nobody knows yet, or money from elsewhere (with text).
                    "attributes": {"code": {"source": "cell_kind"}, "text": {"source": "cell_text"}},
                    "primaryKey": "code",
                    "dimensionType": "other",
                },
                "date": {
                    "attributes": {"year": {"source": "year"}},
                    "primaryKey": "year",
                    "dimensionType": "datetime",
                },
            },
        },
    }


def package_files(edition: Edition, homepage: str) -> dict[str, bytes]:
    """Every file of the package by its path inside it."""
    strategies = list(edition.strategies())
    files = {
        DESCRIPTOR_FILE: (json.dumps(descriptor(edition, homepage), ensure_ascii=False, indent=2) + "\n").encode(),
    }
    for export, path in (
        (AllocationExport(edition.cells()), DATA_FILE),
        (FootnoteExport(Footnote.objects.filter(strategy__in=strategies)), "footnotes.csv"),
        (PublishedTotalExport(PublishedTotal.objects.filter(strategy__in=strategies)), "published_totals.csv"),
    ):
        files[path] = "".join(export.csv_lines()).encode()
    for source in source_files():
        files[f"{SOURCES}/{source.name}"] = source.read_bytes()
    return files


def write_fiscal_data_package(directory, homepage: str) -> int:
    """Write the package into ``directory``: the published figures, each strategy in its newest public version.
    Returns the number of cells."""
    edition = Edition.public()
    for path, content in package_files(edition, homepage).items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_bytes(content)
    return edition.cells().count()


def fiscal_data_package_zip(edition: Edition, homepage: str) -> bytes:
    """The package as a zip whose bytes depend on the figures alone: every entry is dated ``created``."""
    stamp = created(edition).timetuple()[:6]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for path, content in package_files(edition, homepage).items():
            package.writestr(zipfile.ZipInfo(path, date_time=stamp), content, compress_type=zipfile.ZIP_DEFLATED)
    return archive.getvalue()
