"""The OpenAPI description: every operation says what its errors look like, not only its 200."""

from drf_spectacular import openapi

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
