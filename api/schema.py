"""The OpenAPI description: every operation says what its errors look like, not only its 200."""

from django.db import DatabaseError
from drf_spectacular import openapi

from publication.editions import Edition

BAD_REQUEST = {
    "description": "A parameter with a value the API does not take: each such parameter with its messages, in the "
    "language of Accept-Language",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": {
                    "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}, {"type": "object"}]
                },
            }
        }
    },
}
NOT_FOUND = {
    "description": "Nothing at this address, or no such page or published version",
    "content": {
        "application/json": {
            "schema": {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
        }
    },
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction == "response":
            responses.setdefault("400", BAD_REQUEST)
            responses.setdefault("404", NOT_FOUND)
        return responses


def published_keys(result, generator, request, public):
    """The slugs of the published strategies, and their years for the comparison, as the enums of the parameters
    that take them: a client (or schemathesis) then knows which values there are, instead of learning it from a 400.
    The description is read live, so it follows each publication (and its ETag with it)."""
    try:
        strategies = list(Edition.public().strategies())
    except DatabaseError:  # `manage.py check` describes the API without a database: no enums then
        return result
    slugs = sorted(strategy.slug for strategy in strategies)
    years = sorted({year for strategy in strategies for year in strategy.years})
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"].get("items", parameter["schema"])
                if parameter["in"] == "query" and parameter["name"] in ("strategy", "strategy__slug"):
                    schema["enum"] = slugs
                elif parameter["name"] == "year" and path.endswith("/comparison/"):
                    schema["enum"] = years
    return result


# The files the API serves beside its JSON lists, each with the filters of the list it mirrors (None: no filters).
FILES = {
    "/api/allocations.csv": ("/api/allocations/", "Every published cell, a row per budget line and year"),
    "/api/footnotes.csv": ("/api/footnotes/", "The footnotes with the rows and totals they belong to"),
    "/api/published-totals.csv": ("/api/published-totals/", "The totals as the tables print them"),
    "/api/frames.csv": ("/api/frames/", "The funding frames, a row per frame and year"),
    "/api/initiatives.csv": ("/api/initiatives/", "The initiatives with their chapters, lines and lineage"),
    "/api/versions.csv": ("/api/strategies/", "The published versions of the strategies, newest first"),
}
# Parameters of a JSON list that only paginate, sort or search it, or choose how JSON writes amounts: not the files'.
NOT_FOR_FILES = {"page", "page_size", "ordering", "search", "amounts"}
# The files that take no parameters: operation id, summary, media type, schema of the body.
WHOLE_FILES = {
    "/api/fiscal-data-package.zip": (
        "fiscal_data_package_zip",
        "Every published figure as a Fiscal Data Package (a zip of datapackage.json and CSV files)",
        "application/zip",
        {},
    ),
    "/api/catalog.jsonld": (
        "catalog_jsonld",
        "A DCAT-AP 2 catalogue of the datasets, for data portals",
        "application/ld+json",
        {"type": "object"},
    ),
}
DIALECT = {
    "name": "dialect",
    "in": "query",
    "required": False,
    "description": "rfc4180 (default: for programs, ASCII names, decimal points) or excel-da (for a Danish "
    "spreadsheet: semicolons, decimal commas, a BOM)",
    "schema": {"type": "string", "enum": ["rfc4180", "excel-da"]},
}


def files(result, generator, request, public):
    """The CSV files, the Fiscal Data Package and the DCAT catalogue, which are plain Django views and so not
    described by drf-spectacular: a client reads them from the description like the JSON lists."""
    paths = result.setdefault("paths", {})
    for path, (mirrored, summary) in FILES.items():
        listed = paths.get(mirrored, {}).get("get", {})
        parameters = [dict(p) for p in listed.get("parameters", []) if p["name"] not in NOT_FOR_FILES]
        paths[path] = {
            "get": {
                "operationId": path.removeprefix("/api/").replace(".", "_").replace("-", "_"),
                "summary": summary,
                "tags": ["files"],
                "parameters": [*parameters, DIALECT],
                "responses": {
                    "200": {"description": "CSV, RFC 4180 or excel-da", "content": {"text/csv": {"schema": {}}}},
                    "400": BAD_REQUEST,
                    "404": NOT_FOUND,
                },
            }
        }
    for path, (operation_id, summary, media_type, schema) in WHOLE_FILES.items():
        paths[path] = {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "tags": ["files"],
                "responses": {
                    "200": {"description": summary, "content": {media_type: {"schema": schema}}},
                    "400": BAD_REQUEST,
                    "404": NOT_FOUND,
                },
            }
        }
    return result
