import django_filters
from django import forms
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from budgets.models import CellKind
from initiatives.models import Chapter, Initiative, Strategy, Theme

KIND = "budget_lines__allocations__kind"


class Funding:
    FUNDED = "funded"
    FINANCED = "financed"
    UNKNOWN = "unknown"
    choices = [
        (FUNDED, _("funded (has an amount)")),
        (FINANCED, _("financed elsewhere")),
        (UNKNOWN, _("amount unknown")),
    ]


class YearRangeForm(forms.Form):
    """The form of a filter set with year_from and year_to: the range must not run backwards."""

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        if first and last and first > last:
            self.add_error("year_to", _("The last year must not come before the first."))
        return data


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="filter_text")
    strategy = django_filters.ModelChoiceFilter(
        label=_("Strategy"),
        field_name="chapter__strategy",
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        empty_label=_("All strategies"),
    )
    chapter = django_filters.ModelChoiceFilter(
        label=_("Chapter"), queryset=Chapter.objects.select_related("strategy"), empty_label=_("All chapters")
    )
    theme = django_filters.ChoiceFilter(label=_("Theme"), choices=Theme.choices, empty_label=_("All themes"))
    year_from = django_filters.NumberFilter(label=_("From year"), method="filter_nothing", min_value=1990)
    year_to = django_filters.NumberFilter(label=_("To year"), method="filter_nothing", max_value=2100)
    funding = django_filters.ChoiceFilter(
        label=_("Funding"), choices=Funding.choices, method="filter_nothing", empty_label=_("Any")
    )

    class Meta:
        model = Initiative
        form = YearRangeForm
        fields = ["q", "strategy", "chapter", "theme", "year_from", "year_to", "funding"]

    def filter_text(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(number=value) | Q(budget_lines__title__icontains=value))

    def filter_nothing(self, queryset, name, value):
        # Years and funding shape the sums below, in filter_queryset, where they are applied together.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset).distinct()
        first, last = self.form.cleaned_data.get("year_from"), self.form.cleaned_data.get("year_to")
        in_range = Q()
        if first:
            in_range &= Q(budget_lines__allocations__year__gte=first)
        if last:
            in_range &= Q(budget_lines__allocations__year__lte=last)
        queryset = queryset.annotate(
            amount=Sum(
                "budget_lines__allocations__amount",
                filter=in_range & Q(**{KIND: CellKind.AMOUNT}),
            ),
            financed=Count(
                "budget_lines__allocations",
                filter=in_range & Q(budget_lines__allocations__kind=CellKind.FINANCED_ELSEWHERE),
            ),
            unknown=Count(
                "budget_lines__allocations", filter=in_range & Q(budget_lines__allocations__kind=CellKind.UNKNOWN)
            ),
        )
        funding = self.form.cleaned_data.get("funding")
        if funding == Funding.FUNDED:
            queryset = queryset.filter(amount__isnull=False)
        elif funding == Funding.FINANCED:
            queryset = queryset.filter(financed__gt=0)
        elif funding == Funding.UNKNOWN:
            queryset = queryset.filter(unknown__gt=0)
        return queryset.select_related("chapter__strategy").order_by("chapter__strategy__first_year", "position")


class CompareForm(forms.Form):
    strategy = forms.ModelMultipleChoiceField(
        label=_("Strategies"),
        queryset=Strategy.objects.all(),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
    )
    year = forms.TypedMultipleChoiceField(label=_("Years"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=[])
    by = forms.ChoiceField(
        label=_("Side by side by"), choices=[("theme", _("theme")), ("chapter", _("chapter"))], widget=forms.RadioSelect
    )

    def __init__(self, data, *args, **kwargs):
        strategies = list(Strategy.objects.all())
        # An empty choice means everything; filling it in shows the reader what the page compares.
        data = data.copy()
        if not data.getlist("strategy"):
            data.setlist("strategy", [strategy.slug for strategy in strategies])
        chosen = [strategy for strategy in strategies if strategy.slug in data.getlist("strategy")]
        if not data.getlist("year"):
            data.setlist("year", sorted({str(year) for strategy in chosen for year in strategy.years}))
        data.setdefault("by", "theme")
        super().__init__(data, *args, **kwargs)
        years = sorted({year for strategy in strategies for year in strategy.years})
        self.fields["year"].choices = [(year, str(year)) for year in years]

    def clean_year(self):
        return sorted(self.cleaned_data["year"])
