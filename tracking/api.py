"""The tracking's open data: each resource of tracking.exports as JSON (described in the OpenAPI schema) and as
CSV, read-only, from each strategy's newest public version (or ``?strategy=…&version=N``), never the draft."""

import csv
import functools
import io

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from api.http import open_data
from api.views import VERSION_PARAMETER, _edition
from tracking.exports import EXPORTS

# Progress and milestones show what is late from the day after a milestone's day, with no write.
dated_open_data = functools.partial(open_data, dated=True)

STRATEGY_PARAMETER = OpenApiParameter("strategy", str, description="A strategy slug; every public strategy if left out")
KINDS = {
    "integer": lambda field: serializers.IntegerField(help_text=field.description, allow_null=True),
    "number": lambda field: serializers.DecimalField(
        max_digits=15, decimal_places=3, allow_null=True, help_text=field.description, coerce_to_string=True
    ),
    "string": lambda field: serializers.CharField(help_text=field.description, allow_blank=True),
    "boolean": lambda field: serializers.BooleanField(help_text=field.description),
}


def _serializer(export):
    fields = {field.name: KINDS[field.type](field) for field in export.fields}
    name = "".join(part.title() for part in export.identifier.split("-"))
    return type(f"{name}Serializer", (serializers.Serializer,), fields)


def _export(export, request):
    """The export of the strategies asked for, in the edition asked for; ValidationError or NotFound otherwise."""
    edition = _edition(request)
    strategies = edition.strategies()
    slug = request.GET.get("strategy")
    if slug is not None:
        strategies = strategies.filter(slug=slug)
        if not strategies.exists():
            raise ValidationError({"strategy": [_("No published strategy “%(slug)s”.") % {"slug": slug[:40]}]})
    return export(edition, strategies)


def _csv(export) -> str:
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=export.field_names, lineterminator="\n")
    writer.writeheader()
    for row in export.rows():
        writer.writerow({name: "" if value is None else value for name, value in row.items()})
    return stream.getvalue()


def _views(export):
    serializer = _serializer(export)

    @extend_schema(
        parameters=[STRATEGY_PARAMETER, VERSION_PARAMETER],
        responses=serializer(many=True),
        description=f"{export.__doc__ or ''} The same rows as CSV at /api/{export.identifier}.csv.".strip(),
        operation_id=f"{export.identifier}_list",
    )
    @api_view(["GET"])
    @dated_open_data
    def as_json(request):
        return Response(serializer(_export(export, request).rows(), many=True).data)

    @require_safe
    @dated_open_data
    def as_csv(request):
        try:
            found = _export(export, request)
        except (ValidationError, NotFound) as error:
            return JsonResponse(
                {"errors": error.detail}, status=error.status_code, json_dumps_params={"ensure_ascii": False}
            )
        response = HttpResponse(_csv(found), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{export.identifier}.csv"'
        return response

    return as_json, as_csv


VIEWS = {export.identifier: _views(export) for export in EXPORTS}
