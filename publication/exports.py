"""The published versions as open data rows, beside /api/strategies/<slug>/versions/."""

from collections.abc import Iterator

from budgets.exports import Export, Field
from publication.editions import Edition
from publication.versions import version_list


class VersionExport(Export):
    """One row per public version of each strategy in the queryset, newest first within a strategy."""

    identifier = "versions"
    fields = [
        Field("strategy", "string", "Strategy slug"),
        Field("version", "integer", "The version's number, 1 for the figures as first published"),
        Field("published_at", "datetime", "When it became public (UTC, ISO 8601)"),
        Field("date_known_to", "string", "How precisely the source dates it: day, month or year"),
        Field("note", "string", "The approver's note"),
        Field("changed_cells", "integer", "Cells changed against the version before"),
    ]

    def rows(self) -> Iterator[dict]:
        edition = Edition.public()
        for strategy in self.queryset.order_by("first_year"):
            for version in version_list(strategy, edition):
                yield {
                    "strategy": strategy.slug,
                    "version": version.number,
                    "published_at": version.published_at.isoformat(),
                    "date_known_to": version.precision,
                    "note": version.note,
                    "changed_cells": version.changed_cells,
                }
