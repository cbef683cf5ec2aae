"""The budgets as a Fiscal Data Package: a Tabular Data Package whose ``model`` says what is money."""

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from budgets.exports import AllocationExport
from publication.editions import Edition
from publication.models import Publication

DATA_FILE = "allocations.csv"
DESCRIPTOR_FILE = "datapackage.json"


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


def descriptor(export: AllocationExport, edition: Edition) -> dict:
    strategies = list(edition.strategies())
    first = min((strategy.first_year for strategy in strategies), default=datetime.now(UTC).year)
    last = max((strategy.last_year for strategy in strategies), default=first)
    publications = list(
        Publication.objects.filter(pk__in=[item.pk for item in edition.publications.values()]).select_related(
            "strategy"
        )
    )
    newest = max((publication.published_at for publication in publications), default=None)
    return {
        # The Fiscal Data Package profile is a Tabular Data Package with a model; naming the tabular profile
        # lets validators check it offline, without fetching the fiscal profile's schema.
        "profile": "tabular-data-package",
        "name": "danish-life-science-strategies",
        "title": "Danmarks life science-strategier: bevillinger pr. budgetlinje og år",
        "description": (
            "Bevillinger i de tre danske life science-strategier (vækstplanen 2018, strategien 2021 og "
            "strategien mod 2030) som offentliggjort, i mio. kr. Hver række er én celle i en budgettabel. "
            "Hver strategi er med i sin seneste offentliggjorte version; se publications."
        ),
        # When the newest version in the package was published: the same package has the same descriptor.
        "created": (newest or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0).isoformat(),
        "publications": [
            {
                "strategy": publication.strategy.slug,
                "version": publication.number,
                "published": publication.published_at.astimezone(UTC).isoformat(),
                "note": publication.note,
            }
            for publication in sorted(publications, key=lambda item: (item.strategy.first_year, item.strategy.slug))
        ],
        "licenses": [licence()],
        "contributors": [publisher()],
        "countryCode": "DK",
        "granularity": "aggregated",
        "fiscalPeriod": {"start": f"{first}-01-01", "end": f"{last}-12-31"},
        "sources": [{"title": strategy.title, "path": strategy.source} for strategy in strategies],
        "resources": [
            {
                "name": export.identifier,
                "path": DATA_FILE,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": field.name, "type": field.type, "description": field.description}
                        for field in export.fields
                    ],
                    "primaryKey": ["allocation_id"],
                    "missingValues": [""],
                },
            }
        ],
        "model": {
            "measures": {
                "amount": {"source": "amount", "currency": "DKK", "factor": 1_000_000, "direction": "expenditure"}
            },
            "dimensions": {
                "strategy": {
                    "attributes": {
                        "strategy": {"source": "strategy"},
                        "strategy_title": {"source": "strategy_title", "labelfor": "strategy"},
                        "price_basis": {"source": "price_basis"},
                    },
                    "primaryKey": "strategy",
                    "dimensionType": "classification",
                    "classificationType": "administrative",
                },
                "chapter": {
                    "attributes": {
                        "chapter_strategy": {"source": "strategy"},
                        "chapter_number": {"source": "chapter_number"},
                        "chapter_title": {"source": "chapter_title", "labelfor": "chapter_number"},
                    },
                    "primaryKey": ["chapter_strategy", "chapter_number"],
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
                    "attributes": {"theme": {"source": "theme"}},
                    "primaryKey": "theme",
                    "dimensionType": "classification",
                    "classificationType": "functional",
                },
                "date": {
                    "attributes": {"year": {"source": "year"}},
                    "primaryKey": "year",
                    "dimensionType": "datetime",
                },
            },
        },
    }


def write_fiscal_data_package(directory: Path) -> int:
    """Write datapackage.json and the CSV it describes into ``directory``: the published figures, each strategy in
    its newest public version. Returns the number of rows."""
    directory.mkdir(parents=True, exist_ok=True)
    edition = Edition.public()
    export = AllocationExport(edition.cells())
    with (directory / DATA_FILE).open("w", encoding="utf-8", newline="") as stream:
        export.write_csv(stream)
    (directory / DESCRIPTOR_FILE).write_text(
        json.dumps(descriptor(export, edition), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return export.queryset.count()


def fiscal_data_package_zip(edition: Edition) -> bytes:
    export = AllocationExport(edition.cells())
    data = io.StringIO()
    export.write_csv(data)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr(DESCRIPTOR_FILE, json.dumps(descriptor(export, edition), ensure_ascii=False, indent=2) + "\n")
        package.writestr(DATA_FILE, data.getvalue())
    return archive.getvalue()
