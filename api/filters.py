import django_filters

from budgets.models import BudgetLine, CellKind
from dashboard.filters import YearRangeForm
from initiatives.models import Chapter, Initiative, Strategy, Theme
from publication.models import PublishedCell


class AllocationFilter(django_filters.FilterSet):
    """The open data's cells: always published ones (publication.editions), never the draft."""

    strategy = django_filters.ModelChoiceFilter(
        field_name="line__strategy", to_field_name="slug", queryset=Strategy.objects.all()
    )
    chapter = django_filters.ModelChoiceFilter(field_name="line__chapter", queryset=Chapter.objects.all())
    theme = django_filters.ChoiceFilter(choices=Theme.choices, method="filter_theme")
    year = django_filters.NumberFilter(field_name="year")
    year_from = django_filters.NumberFilter(field_name="year", lookup_expr="gte")
    year_to = django_filters.NumberFilter(field_name="year", lookup_expr="lte")
    kind = django_filters.ChoiceFilter(choices=CellKind.choices)

    class Meta:
        model = PublishedCell
        form = YearRangeForm
        fields = ["strategy", "chapter", "theme", "year", "year_from", "year_to", "kind"]

    def filter_theme(self, queryset, name, value):
        return queryset.filter(line__in=BudgetLine.objects.with_first_theme(value))


class InitiativeFilter(django_filters.FilterSet):
    strategy = django_filters.ModelChoiceFilter(
        field_name="chapter__strategy", to_field_name="slug", queryset=Strategy.objects.all()
    )
    chapter = django_filters.ModelChoiceFilter(queryset=Chapter.objects.all())
    theme = django_filters.ChoiceFilter(choices=Theme.choices)

    class Meta:
        model = Initiative
        fields = ["strategy", "chapter", "theme"]


class StrategyScopedFilter(django_filters.FilterSet):
    strategy = django_filters.ModelChoiceFilter(to_field_name="slug", queryset=Strategy.objects.all())
