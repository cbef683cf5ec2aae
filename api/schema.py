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
