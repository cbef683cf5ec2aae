"""The open data's filters. Every list takes the public keys (a strategy's slug, a chapter's number within its
strategy) under the same names, and a parameter given several times means any of its values:
``?year=2022&year=2023`` is both years."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from budgets.models import BudgetLine, CellKind, Footnote, FundingFrame, PublishedTotal
from dashboard.filters import YearRangeForm
from initiatives.models import Chapter, Initiative, Strategy, Theme
from publication.models import PublishedCell

# Within what a PostgreSQL smallint holds, so no number asked for can overflow a query.
LARGEST = 9999


class IntegersField(forms.Field):
    """Whole numbers from 0 to LARGEST, the parameter given once or more; a clear message for anything else, an
    empty value included."""

    widget = forms.SelectMultiple  # reads every value of a repeated parameter

    def to_python(self, value) -> list[int]:
        texts = list(value or [])
        if not all(isinstance(text, str) and text.isdecimal() and len(text) <= len(str(LARGEST)) for text in texts):
            raise forms.ValidationError(
                _("Give whole numbers from 0 to %(largest)d, e.g. 2022.") % {"largest": LARGEST}, code="invalid"
            )
        return [int(text) for text in texts]


@extend_schema_field({"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": LARGEST}})
class IntegersFilter(django_filters.Filter):
    """Any of several whole numbers (years, chapter numbers)."""

    field_class = IntegersField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, lookup_expr="in", **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class SlugsFilter(django_filters.ModelMultipleChoiceFilter):
    """Any of several strategies by their slugs."""


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": LARGEST})
class YearFilter(django_filters.NumberFilter):
    """A whole year, as the schema says: 2022, not 2022.5 or 1e999."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, field_name="year", min_value=0, max_value=LARGEST, **kwargs)


def strategies(path: str) -> SlugsFilter:
    """``path`` leads to the strategy's slug: the filter compares the value of ``to_field_name`` with it."""
    return SlugsFilter(
        field_name=path, to_field_name="slug", queryset=Strategy.objects.all(), help_text="Strategy slugs: any of them"
    )


def chapters(path: str) -> IntegersFilter:
    return IntegersFilter(
        field_name=path, help_text="Chapter numbers within their strategy (with strategy=): any of them"
    )


def themes(**kwargs) -> django_filters.MultipleChoiceFilter:
    return django_filters.MultipleChoiceFilter(choices=Theme.choices, help_text="Themes: any of them", **kwargs)


class AllocationFilter(django_filters.FilterSet):
    """The open data's cells: always published ones (publication.editions), never the draft."""

    strategy = strategies("line__strategy__slug")
    chapter = chapters("line__chapter__number")
    theme = themes(method="filter_theme")
    year = IntegersFilter(field_name="year", help_text="Years: any of them")
    year_from = YearFilter(lookup_expr="gte", help_text="The first year")
    year_to = YearFilter(lookup_expr="lte", help_text="The last year")
    kind = django_filters.MultipleChoiceFilter(choices=CellKind.choices, help_text="Kinds of cell: any of them")

    class Meta:
        model = PublishedCell
        form = YearRangeForm
        fields = ["strategy", "chapter", "theme", "year", "year_from", "year_to", "kind"]

    def filter_theme(self, queryset, name, value):
        if not value:
            return queryset
        any_of = Q()
        for theme in value:
            any_of |= Q(line__in=BudgetLine.objects.with_first_theme(theme))
        return queryset.filter(any_of)


class InitiativeFilter(django_filters.FilterSet):
    strategy = strategies("chapter__strategy__slug")
    chapter = chapters("chapter__number")
    theme = themes(field_name="theme")

    class Meta:
        model = Initiative
        fields = ["strategy", "chapter", "theme"]


class ChapterFilter(django_filters.FilterSet):
    strategy = strategies("strategy__slug")
    # The name these lists had first; strategy= is the same.
    strategy__slug = strategies("strategy__slug")
    chapter = chapters("number")

    class Meta:
        model = Chapter
        fields = ["strategy", "strategy__slug", "chapter"]


class FrameFilter(django_filters.FilterSet):
    strategy = strategies("strategy__slug")
    strategy__slug = strategies("strategy__slug")

    class Meta:
        model = FundingFrame
        fields = ["strategy", "strategy__slug"]


class FootnoteFilter(django_filters.FilterSet):
    strategy = strategies("strategy__slug")

    class Meta:
        model = Footnote
        fields = ["strategy"]


class PublishedTotalFilter(django_filters.FilterSet):
    strategy = strategies("strategy__slug")
    chapter = chapters("chapter__number")
    year = IntegersFilter(field_name="year", help_text="Years: any of them")

    class Meta:
        model = PublishedTotal
        fields = ["strategy", "chapter", "year"]


class StrategyFilter(django_filters.FilterSet):
    strategy = strategies("slug")

    class Meta:
        model = Strategy
        fields = ["strategy"]


class StableOrdering(OrderingFilter):
    """``?ordering=year,-amount`` (fields a list names in ``ordering_fields``), then the list's own order for what
    ties, so that pages neither overlap nor skip rows. A field it cannot order by is a 400 that names those it can."""

    def get_ordering(self, request, queryset, view):
        if request.query_params.get(self.ordering_param) == "":
            self.remove_invalid_fields(queryset, [], view, request)  # says which fields there are
        asked = super().get_ordering(request, queryset, view)
        if not asked or request.query_params.get(self.ordering_param) is None:
            return asked
        return [*asked, *queryset.query.order_by, "pk"]

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", [])
        return [
            {
                **parameter,
                "description": "Order by a field, with - in front for descending; several separated by commas",
                "schema": {
                    "type": "string",
                    "enum": [f"{sign}{field}" for field in fields for sign in ("", "-")],
                },
            }
            for parameter in super().get_schema_operation_parameters(view)
        ]

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields) or not fields:
            names = ", ".join(name for name in view.ordering_fields)
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Order by any of %(fields)s, with - in front for descending.") % {"fields": names}
                    ]
                }
            )
        return valid
