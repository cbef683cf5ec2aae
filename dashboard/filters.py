import django_filters
from django import forms
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetLine, CellKind
from dashboard import widgets
from initiatives.models import Chapter, Initiative, Strategy, Theme
from publication.models import PublishedInitiativeTotal
from tracking import progress
from tracking.models import Authority, Status


class Funding:
    FUNDED = "funded"
    FINANCED = "financed"
    UNKNOWN = "unknown"
    choices = [
        (FUNDED, _("funded (has an amount)")),
        (FINANCED, _("financed elsewhere")),
        (UNKNOWN, _("amount unknown")),
    ]


NO_STATUS = "none"  # the search's word for an initiative with no status yet


class YearRangeForm(forms.Form):
    """The form of a filter set with year_from and year_to: the range must not run backwards."""

    def clean(self):
        data = super().clean()
        first, last = data.get("year_from"), data.get("year_to")
        if first and last and first > last:
            self.add_error("year_to", _("The last year must not come before the first."))
        return data


class ChapterChoices(django_filters.fields.ModelChoiceIterator):
    """The chapters to choose from as plain rows of id, number and title: the ten thousand chapters of a thousand
    strategies built as model instances, each with its strategy, took 0,4 s of the search page's 0,8."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for pk, number, title in self.queryset.values_list("pk", "number", "title"):
            yield (pk, Chapter.label(number, title))


class ChapterField(django_filters.fields.ModelChoiceField):
    iterator = ChapterChoices


class ChapterFilter(django_filters.ModelChoiceFilter):
    field_class = ChapterField


class InitiativeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Text"), method="filter_text")
    strategy = django_filters.ModelChoiceFilter(
        label=_("Strategy"),
        field_name="chapter__strategy",
        to_field_name="slug",
        queryset=Strategy.objects.all(),
        empty_label=_("All strategies"),
        widget=widgets.Select,
    )
    chapter = ChapterFilter(
        label=_("Chapter"),
        queryset=Chapter.objects.select_related("strategy"),
        empty_label=_("All chapters"),
        widget=widgets.Select,
    )
    theme = django_filters.ChoiceFilter(label=_("Theme"), choices=Theme.choices, empty_label=_("All themes"))
    year_from = django_filters.NumberFilter(
        label=_("From year"), method="filter_nothing", min_value=1990, max_value=2100
    )
    year_to = django_filters.NumberFilter(label=_("To year"), method="filter_nothing", min_value=1990, max_value=2100)
    funding = django_filters.ChoiceFilter(
        label=_("Funding"), choices=Funding.choices, method="filter_nothing", empty_label=_("Any")
    )
    # The status the pages show (late where a milestone is overdue), of the reader's edition (tracking.progress).
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Status.choices, (NO_STATUS, progress.NO_STATUS_LABEL)],
        method="filter_status",
        empty_label=_("Any"),
    )
    authority = django_filters.ModelChoiceFilter(
        label=_("Responsible authority"),
        queryset=Authority.objects.all(),
        method="filter_authority",
        empty_label=_("Any"),
        widget=widgets.Select,
    )

    class Meta:
        model = Initiative
        form = YearRangeForm
        fields = ["q", "strategy", "chapter", "theme", "year_from", "year_to", "funding", "status", "authority"]

    def __init__(self, data, *, queryset, edition, **kwargs):
        """``edition`` (publication.editions): whose figures the sums and choices are of."""
        super().__init__(data, queryset=queryset, **kwargs)
        self.edition = edition
        strategies = edition.strategies()
        self.filters["strategy"].queryset = strategies
        self.filters["chapter"].queryset = Chapter.objects.filter(strategy__in=strategies).select_related("strategy")

    def filter_text(self, queryset, name, value):
        lines = BudgetLine.objects.filter(initiatives=OuterRef("pk"), title__icontains=value)
        return queryset.filter(Q(title__icontains=value) | Q(number=value) | Exists(lines))

    def filter_status(self, queryset, name, value):
        return progress.filter_by_status(queryset, self.edition, progress.NO_STATUS if value == NO_STATUS else value)

    def filter_authority(self, queryset, name, value):
        return progress.filter_by_authority(queryset, self.edition, value)

    def filter_nothing(self, queryset, name, value):
        # Years and funding shape the sums below, in filter_queryset, where they are applied together.
        return queryset

    def filter_queryset(self, queryset):
        """The initiatives with their money in the chosen years.

        Each sum is a subquery of the initiative's own cells, so the database adds up only the initiatives on
        the page shown, not every cell of every strategy before it can sort and cut out fifty.
        """
        queryset = super().filter_queryset(queryset)
        first, last = self.form.cleaned_data.get("year_from"), self.form.cleaned_data.get("year_to")
        # Years choose initiatives too: those of strategies whose period reaches into them, not all 84 for 2030.
        if first:
            queryset = queryset.filter(chapter__strategy__last_year__gte=first)
        if last:
            queryset = queryset.filter(chapter__strategy__first_year__lte=last)
        cells = self._cells().filter(line__initiatives=OuterRef("pk"))

        def of_kind(kind, aggregate):
            per_initiative = cells.filter(kind=kind).values("line__initiatives").annotate(result=aggregate)
            return per_initiative.values("result")

        queryset = queryset.annotate(
            amount=Subquery(of_kind(CellKind.AMOUNT, Sum("amount"))),
            financed=Subquery(of_kind(CellKind.FINANCED_ELSEWHERE, Count("id"))),
            unknown=Subquery(of_kind(CellKind.UNKNOWN, Count("id"))),
        )
        funding = self.form.cleaned_data.get("funding")
        if funding == Funding.FUNDED:
            queryset = queryset.filter(Exists(cells.filter(kind=CellKind.AMOUNT)))
        elif funding == Funding.FINANCED:
            queryset = queryset.filter(Exists(cells.filter(kind=CellKind.FINANCED_ELSEWHERE)))
        elif funding == Funding.UNKNOWN:
            queryset = queryset.filter(Exists(cells.filter(kind=CellKind.UNKNOWN)))
        # Strategies starting the same year hold the same positions: the slug and id make the pages of results stable.
        return queryset.select_related("chapter__strategy").order_by(
            "chapter__strategy__first_year", "chapter__strategy__slug", "position", "pk"
        )

    def _cells(self):
        """The cells of the years chosen, of the reader's edition."""
        first, last = self.form.cleaned_data.get("year_from"), self.form.cleaned_data.get("year_to")
        cells = self.edition.cells().order_by()
        if first:
            cells = cells.filter(year__gte=first)
        if last:
            cells = cells.filter(year__lte=last)
        return cells

    def sums(self, written) -> dict[int, tuple]:
        """Each initiative's sums in the years chosen as ``written(amount, unknown, financed)`` gives them (in
        expressions of the three), by id, for every initiative at once: one pass over the cells, where the search's
        subqueries look them up per initiative. Every year of a published version was added up when it was
        published (PublishedInitiativeTotal): 100.000 rows to read instead of a million cells."""
        data = self.form.cleaned_data
        if self.edition.is_draft or data.get("year_from") or data.get("year_to"):
            sums = (
                self._cells()
                .values("line__initiatives")
                .annotate(
                    amount=Sum("amount", filter=Q(kind=CellKind.AMOUNT)),
                    unknown=Count("id", filter=Q(kind=CellKind.UNKNOWN)),
                    financed=Count("id", filter=Q(kind=CellKind.FINANCED_ELSEWHERE)),
                )
                .values_list("line__initiatives", *written(F("amount"), F("unknown"), F("financed")))
            )
        else:
            shown = [publication.pk for publication in self.edition.publications.values()]
            sums = PublishedInitiativeTotal.objects.filter(publication__in=shown).values_list(
                "initiative", *written(F("amount"), F("unknown"), F("financed"))
            )
        return {initiative: (amount, others) for initiative, amount, others in sums}


class StrategiesField(forms.MultipleChoiceField):
    """Strategies by slug, among those ``offer`` gives, already read; cleaned to those strategies in their order.

    Django's ModelMultipleChoiceField built a queryset for each slug asked for, read the strategies twice more
    and looked each choice up in a list of them all: 0,6 s of the compare page at a thousand strategies.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.offered = {}  # slug → strategy

    def offer(self, strategies) -> None:
        self.offered = {strategy.slug: strategy for strategy in strategies}
        self.choices = [(slug, str(strategy)) for slug, strategy in self.offered.items()]

    def valid_value(self, value) -> bool:
        return value in self.offered

    def clean(self, value) -> list[Strategy]:
        chosen = set(super().clean(value))
        return [strategy for slug, strategy in self.offered.items() if slug in chosen]


class CompareForm(forms.Form):
    strategy = StrategiesField(label=_("Strategies"), widget=widgets.CheckboxSelectMultiple)
    year = forms.TypedMultipleChoiceField(
        label=_("Years"), coerce=int, widget=widgets.CheckboxSelectMultiple, choices=[]
    )
    by = forms.ChoiceField(
        label=_("Side by side by"),
        choices=[("theme", _("theme")), ("chapter", _("chapter"))],
        widget=widgets.RadioSelect,
    )

    def __init__(self, data, *args, strategies, latest_years=None, **kwargs):
        """``strategies``: those the reader may compare (publication.editions.Edition.strategies).

        With no year asked for, every year of the chosen strategies is compared, or with ``latest_years`` only the
        latest so many of them: the page opens on what fits a phone's screen and offers the wide view on request.
        """
        strategies = list(strategies)
        self.asked = data
        # An empty choice means everything; filling it in shows the reader what the page compares.
        data = data.copy()
        if not data.getlist("strategy"):
            data.setlist("strategy", [strategy.slug for strategy in strategies])
        asked = set(data.getlist("strategy"))
        chosen = [strategy for strategy in strategies if strategy.slug in asked]
        if not data.getlist("year"):
            years = sorted({str(year) for strategy in chosen for year in strategy.years})
            data.setlist("year", years[-latest_years:] if latest_years else years)
        data.setdefault("by", "theme")
        super().__init__(data, *args, **kwargs)
        self.fields["strategy"].offer(strategies)
        years = sorted({year for strategy in strategies for year in strategy.years})
        self.fields["year"].choices = [(year, str(year)) for year in years]

    def every_year_query(self) -> str:
        """The address's query for the same comparison over every year of the chosen strategies (the wide view).

        Strategies not asked for stay out of it, as they mean every strategy: the address had named a thousand.
        """
        query = self.asked.copy()
        chosen = set(self.data.getlist("strategy"))
        query.setlist(
            "year",
            sorted(
                {
                    str(year)
                    for slug, strategy in self.fields["strategy"].offered.items()
                    if slug in chosen
                    for year in strategy.years
                }
            ),
        )
        query.pop("page", None)
        return query.urlencode()

    def clean_year(self):
        # Each year once, however often the address repeats it: a year asked ten thousand times made as many columns.
        return sorted(set(self.cleaned_data["year"]))
