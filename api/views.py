from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.utils import OpenApiParameter, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from api import catalog as dcat
from api import serializers
from api.filters import (
    AllocationFilter,
    ChapterFilter,
    FootnoteFilter,
    FrameFilter,
    InitiativeFilter,
    PublishedTotalFilter,
    StrategyFilter,
)
from api.http import AMOUNTS_PARAMETER, AmountsAsAsked, amounts_as_text, open_data, safe_methods
from budgets import csvfiles
from budgets.comparison import NOTHING, compare
from budgets.exports import AllocationExport, FootnoteExport, FrameExport, PublishedTotalExport
from budgets.fiscal import fiscal_data_package_zip
from budgets.models import Footnote, FundingFrame, PublishedTotal
from dashboard.downloads import built_once
from dashboard.filters import CompareForm
from initiatives.exports import InitiativeExport
from initiatives.models import Chapter, Initiative, Strategy
from publication.editions import Edition
from publication.exports import VersionExport
from publication.models import Publication, PublishedCell
from publication.versions import version_list

VERSION_PARAMETER = OpenApiParameter(
    "version",
    {"type": "integer", "minimum": 1, "maximum": 999999},
    description="A published version of the strategy named by `strategy` (see /api/strategies/{slug}/versions/); "
    "the newest public version of each strategy when left out",
)


class PublishedOnly:
    """Only what belongs to strategies the public may see. ``strategy_path`` leads from the model to its strategy."""

    strategy_path = "strategy"

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular describing the API reads no figures
            return queryset
        return queryset.filter(**{f"{self.strategy_path}__in": Edition.public().strategies()})


def _edition(request) -> Edition:
    """What the open data serves: each strategy's newest public version, or with ?strategy=…&version=N that one.
    Never the draft: the API has no way to ask for it."""
    edition = Edition.public()
    version = request.GET.get("version")
    if version is None:
        return edition
    slug = request.GET.get("strategy", "")
    if not version.isdecimal() or len(version) > 6:
        raise ValidationError({"version": [_("Give a version as a whole number, e.g. 1.")]})
    if not slug:
        raise ValidationError({"version": [_("?version= needs ?strategy=, the strategy whose version you ask for.")]})
    publication = Publication.objects.public(edition.at).filter(strategy__slug=slug, number=int(version)).first()
    if publication is None:
        raise NotFound(_("No published version %(version)s of %(strategy)s.") % {"version": version, "strategy": slug})
    return edition.pinned(publication)


class Pagination(PageNumberPagination):
    """100 rows a page; ``page_size`` from 1 to 1000 and ``page`` from 1 to the last page, any other is a 400 that
    says so (a page size of 99999 was quietly cut to 1000, and a client took the first 1000 rows for all)."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    invalid_page_message = gettext_lazy("No page {page_number}: {message}")

    def get_page_size(self, request):
        asked = request.query_params.getlist(self.page_size_query_param)
        if not asked:
            return self.page_size
        if len(asked) == 1 and asked[0].isdecimal() and len(asked[0]) <= 4 and 1 <= int(asked[0]) <= 1000:
            return int(asked[0])
        raise ValidationError(
            {"page_size": [_("Give page_size as a whole number from 1 to %(most)d.") % {"most": self.max_page_size}]}
        )

    def paginate_queryset(self, queryset, request, view=None):
        asked = request.query_params.getlist(self.page_query_param)
        if asked and not (len(asked) == 1 and asked[0].isdecimal() and len(asked[0]) <= 9 and int(asked[0]) >= 1):
            raise ValidationError({"page": [_("Give page as a whole number from 1.")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        # The page's maximum is the nine digits paginate_queryset takes: a longer number is a 400 (schemathesis asked
        # for page 9847579230756, which the description allowed and the API refused).
        bounds = {
            self.page_query_param: {"minimum": 1, "maximum": 999_999_999},
            self.page_size_query_param: {"minimum": 1, "maximum": 1000},
        }
        return [
            {**parameter, "schema": {**parameter["schema"], **bounds.get(parameter["name"], {})}}
            for parameter in super().get_schema_operation_parameters(view)
        ]


@method_decorator(open_data, name="dispatch")
class StrategyViewSet(PublishedOnly, viewsets.ReadOnlyModelViewSet):
    queryset = Strategy.objects.all()
    serializer_class = serializers.StrategySerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    pagination_class = None
    strategy_path = "pk"
    filterset_class = StrategyFilter
    search_fields = ["title", "short_title", "description"]
    ordering_fields = ["slug", "first_year", "last_year", "published_year", "title"]

    @extend_schema(responses=serializers.VersionSerializer(many=True))
    @action(detail=True)
    def versions(self, request, slug=None):
        """The strategy's published versions, newest first, with their dates, notes and cells changed."""
        strategy = self.get_object()
        return Response(serializers.VersionSerializer(version_list(strategy, Edition.public()), many=True).data)


@method_decorator(open_data, name="dispatch")
class ChapterViewSet(PublishedOnly, viewsets.ReadOnlyModelViewSet):
    queryset = Chapter.objects.select_related("strategy").order_by("strategy__first_year", "number")
    serializer_class = serializers.ChapterSerializer
    filterset_class = ChapterFilter
    pagination_class = None
    search_fields = ["title"]
    ordering_fields = ["number", "title"]


@method_decorator(open_data, name="dispatch")
class InitiativeViewSet(PublishedOnly, viewsets.ReadOnlyModelViewSet):
    queryset = (
        Initiative.objects.with_chapter()
        .prefetch_related("budget_lines", "predecessor_links", "successor_links")
        .order_by("chapter__strategy__first_year", "position")
    )
    serializer_class = serializers.InitiativeSerializer
    filterset_class = InitiativeFilter
    pagination_class = Pagination
    strategy_path = "chapter__strategy"
    search_fields = ["title", "number", "chapter__title"]
    ordering_fields = ["position", "number", "title", "theme"]


@method_decorator(open_data, name="dispatch")
@extend_schema(parameters=[VERSION_PARAMETER, AMOUNTS_PARAMETER])
class AllocationViewSet(AmountsAsAsked, viewsets.ReadOnlyModelViewSet):
    queryset = PublishedCell.objects.none()
    serializer_class = serializers.AllocationSerializer
    filterset_class = AllocationFilter
    pagination_class = Pagination
    search_fields = ["line__title", "line__chapter__title", "line__initiatives__title", "text", "remark"]
    ordering_fields = ["year", "amount", "kind"]
    # A cell's address is its id in the data, the same in every version that holds it.
    lookup_field = "allocation_id"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return AllocationExport(_edition(self.request).cells()).ordered()


@method_decorator(open_data, name="dispatch")
@extend_schema(parameters=[AMOUNTS_PARAMETER])
class FrameViewSet(AmountsAsAsked, PublishedOnly, viewsets.ReadOnlyModelViewSet):
    queryset = FundingFrame.objects.select_related("strategy").prefetch_related("amounts")
    serializer_class = serializers.FrameSerializer
    filterset_class = FrameFilter
    pagination_class = None
    search_fields = ["name", "note"]
    ordering_fields = ["name", "kind"]


@method_decorator(open_data, name="dispatch")
class FootnoteViewSet(PublishedOnly, viewsets.ReadOnlyModelViewSet):
    """The footnotes of the published tables, with the budget lines (line_id) and the totals' years they belong to."""

    queryset = FootnoteExport.ordered(Footnote.objects.all())
    serializer_class = serializers.FootnoteSerializer
    filterset_class = FootnoteFilter
    pagination_class = None
    search_fields = ["text", "marker"]
    ordering_fields = ["marker"]


@method_decorator(open_data, name="dispatch")
@extend_schema(parameters=[AMOUNTS_PARAMETER])
class PublishedTotalViewSet(AmountsAsAsked, PublishedOnly, viewsets.ReadOnlyModelViewSet):
    """The totals as the source tables print them: a chapter's subtotal, or the table's total (chapter_number
    null), with the difference from the rows that a footnote explains."""

    queryset = PublishedTotalExport.ordered(PublishedTotal.objects.all())
    serializer_class = serializers.PublishedTotalSerializer
    filterset_class = PublishedTotalFilter
    pagination_class = None
    search_fields = ["footnote__text"]
    ordering_fields = ["year", "amount"]


CSV_EXPORTS = {
    "footnotes": (FootnoteExport, Footnote.objects.all(), FootnoteFilter, "strategy"),
    "published-totals": (PublishedTotalExport, PublishedTotal.objects.all(), PublishedTotalFilter, "strategy"),
    "frames": (FrameExport, FundingFrame.objects.all(), FrameFilter, "strategy"),
    "initiatives": (InitiativeExport, Initiative.objects.all(), InitiativeFilter, "chapter__strategy"),
    "versions": (VersionExport, Strategy.objects.all(), StrategyFilter, "pk"),
}


@open_data
@safe_methods
def export_csv(request, name):
    """The footnotes, published totals or frames as CSV, with the filters of their JSON list (and ?dialect=)."""
    export, queryset, filterset_class, strategy_path = CSV_EXPORTS[name]
    try:
        dialect = csvfiles.dialect_of(request.GET)
    except csvfiles.UnknownDialect as error:
        return JsonResponse({"dialect": [str(error)]}, status=400, json_dumps_params={"ensure_ascii": False})
    published = queryset.filter(**{f"{strategy_path}__in": Edition.public().strategies()})
    filterset = filterset_class(request.GET, queryset=published)
    if not filterset.is_valid():
        return JsonResponse(filterset.errors, status=400, json_dumps_params={"ensure_ascii": False})
    return csvfiles.csv_response(export(filterset.qs).csv_lines(dialect), name, disposition="inline")


@extend_schema(
    parameters=[
        OpenApiParameter("strategy", str, many=True, description="Strategy slugs; all when left out"),
        OpenApiParameter("year", int, many=True, description="Years; all of the strategies' years when left out"),
        OpenApiParameter("by", str, enum=["theme", "chapter"], description="Group by theme (default) or chapter"),
        AMOUNTS_PARAMETER,
    ],
    responses=serializers.ComparisonSerializer,
)
@open_data
@api_view(["GET", "HEAD"])
def comparison(request):
    """The figures of the compare page: ?strategy=…&year=…&by=theme|chapter."""
    edition = Edition.public()
    form = CompareForm(request.query_params, strategies=edition.strategies())
    if not form.is_valid():
        raise ValidationError(form.errors)
    result = compare(edition, form.cleaned_data["strategy"], form.cleaned_data["year"], form.cleaned_data["by"])
    as_text = amounts_as_text(request)

    def number(value):
        if value is None:
            return None
        return str(value) if as_text else value

    def figure(value) -> dict:
        # A sum over an unknown cell is unknown: its amount is null, what is known of it stands beside.
        value = value or NOTHING
        return {
            "amount": number(value.amount) if value.is_complete else None,
            "known_amount": number(value.amount),
            "unknown_cells": value.unknown,
            "complete": value.is_complete,
        }

    def figures(row) -> dict:
        return {str(year): figure(row.figures.get(year)) for year in result.years}

    def changes(row) -> list:
        return [
            {
                "from": before,
                "to": after,
                "change": number(difference),
                "change_percent": number(percent),
            }
            for before, after, difference, percent in row.changes(result.years)
        ]

    return Response(
        {
            "strategies": [strategy.slug for strategy in result.strategies],
            "years": result.years,
            "by": result.by,
            "unit": "mio. kr.",
            "rows": [
                {"key": row.key, "label": row.label, "figures": figures(row), "changes": changes(row)}
                for row in result.rows
            ],
            "total": {"key": "total", "figures": figures(result.totals), "changes": changes(result.totals)},
        }
    )


@open_data
@safe_methods
@built_once
def allocations_csv(request):
    """Every cell as CSV, with the same filters as /api/allocations/ (and ?version=)."""
    # Errors read as the JSON list's do: a 400 names each parameter with its messages, a 404 has a detail.
    try:
        edition = _edition(request)
    except NotFound as error:
        return JsonResponse({"detail": error.detail}, status=404, json_dumps_params={"ensure_ascii": False})
    except ValidationError as error:
        return JsonResponse(error.detail, status=400, json_dumps_params={"ensure_ascii": False})
    filterset = AllocationFilter(request.GET, queryset=edition.cells())
    if not filterset.is_valid():
        return JsonResponse(filterset.errors, status=400, json_dumps_params={"ensure_ascii": False})
    try:
        dialect = csvfiles.dialect_of(request.GET)
    except csvfiles.UnknownDialect as error:
        return JsonResponse({"dialect": [str(error)]}, status=400, json_dumps_params={"ensure_ascii": False})
    return csvfiles.csv_response(
        AllocationExport(filterset.qs).csv_lines(dialect), "allocations", disposition="inline", streaming=True
    )


@open_data
@safe_methods
@built_once
def fiscal_data_package(request):
    package = fiscal_data_package_zip(Edition.public(), homepage=request.build_absolute_uri("/api/"))
    response = HttpResponse(package, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="fiscal-data-package.zip"'
    return response


@open_data
@safe_methods
def catalog(request):
    """The open data's DCAT-AP 2 catalogue in JSON-LD, for data portals to harvest."""
    return JsonResponse(
        dcat.catalog(request.build_absolute_uri("/")),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@require_safe
def index(request):
    base = request.build_absolute_uri("/api/")
    strategies = Edition.public().strategies()
    context = {
        "base": base,
        "strategies": strategies,
        "title": _("Open data"),
        "dataset": dataset(request, base, strategies),
        "licence": settings.OPEN_DATA_LICENSE,
        "publisher": settings.OPEN_DATA_PUBLISHER,
    }
    return render(request, "api/index.html", context)


def dataset(request, base: str, strategies) -> dict:
    """The open data described for search engines' dataset search (schema.org Dataset, as JSON-LD)."""
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": _("Budgets of Denmark's life science strategies"),
        "description": _(
            "Every published figure of Denmark's life science strategies: funding per budget line and year in "
            "mio. kr., by strategy, chapter and theme, with the funding frames and every published version."
        ),
        "url": request.build_absolute_uri(request.path),
        "inLanguage": get_language(),
        "isAccessibleForFree": True,
        "license": settings.OPEN_DATA_LICENSE["url"],
        "creator": {"@type": "GovernmentOrganization", "name": settings.SITE_OWNER, "url": settings.SITE_OWNER_URL},
        "keywords": ["life science", "budget", "Denmark", "strategy"],
        "temporalCoverage": "/".join(
            str(year)
            for year in (
                min((s.first_year for s in strategies), default=""),
                max((s.last_year for s in strategies), default=""),
            )
        ),
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "text/csv", "contentUrl": f"{base}allocations.csv"},
            {"@type": "DataDownload", "encodingFormat": "application/json", "contentUrl": f"{base}allocations/"},
            {
                "@type": "DataDownload",
                "encodingFormat": "application/zip",
                "contentUrl": f"{base}fiscal-data-package.zip",
            },
        ],
    }


@extend_schema(exclude=True)
@open_data
@api_view(["GET", "HEAD"])
def not_found(request, path=""):
    """Every other address under /api/: a JSON 404 in the reader's language, like the API's own."""
    raise NotFound()


schema = open_data(SpectacularAPIView.as_view())
