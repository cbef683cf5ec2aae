import pghistory
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from initiatives.english import translated


class Theme(models.TextChoices):
    """Themes shared by all strategies, so chapters of different strategies can be compared."""

    CLINICAL_RESEARCH = "clinical-research", _("Clinical research")
    RESEARCH = "research", _("Research and development")
    HEALTH_DATA = "health-data", _("Health data")
    INNOVATION_UPTAKE = "innovation-uptake", _("Innovation uptake")
    WORKFORCE = "workforce", _("Workforce")
    INTERNATIONAL = "international", _("Internationalisation and export")
    PRODUCTION = "production", _("Production and investment")
    GREEN_GROWTH = "green-growth", _("Green growth")
    ORGANISATION = "organisation", _("Organisation")
    ENTREPRENEURSHIP = "entrepreneurship", _("Start-ups and growth companies")
    REGULATION = "regulation", _("Medicines regulation")


class StrategyQuerySet(models.QuerySet):
    def with_initiative_count(self):
        # Meta.ordering is not applied to aggregating queries, so the order is restated here.
        return self.annotate(initiative_count_stored=models.Count("chapters__initiatives")).order_by(
            "first_year", "slug"
        )


class Strategy(models.Model):
    slug = models.SlugField(_("slug"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    short_title = models.CharField(_("short title"), max_length=60)
    published_year = models.PositiveSmallIntegerField(_("year of publication"))
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    price_basis = models.CharField(
        _("price basis"),
        max_length=60,
        blank=True,
        help_text=_("As the source states it, e.g. '2024-prices'. Empty where the source does not say."),
    )
    description = models.TextField(_("description"), blank=True)
    # The same texts in English, for the English pages; where one is empty they show the Danish, marked as Danish.
    title_en = models.CharField(_("title in English"), max_length=200, blank=True, default="", db_default="")
    short_title_en = models.CharField(_("short title in English"), max_length=60, blank=True, default="", db_default="")
    description_en = models.TextField(_("description in English"), blank=True, default="", db_default="")
    price_basis_en = models.CharField(_("price basis in English"), max_length=60, blank=True, default="", db_default="")
    source = models.CharField(_("source"), max_length=300, help_text=_("Document and table the figures come from."))
    initiatives_published = models.PositiveSmallIntegerField(
        _("number of initiatives as published"),
        null=True,
        blank=True,
        help_text=_(
            "As the source states it, where the stored initiatives are not all of them (the 2018 growth plan names "
            "36, of which the public record names 18). Empty where every initiative is stored."
        ),
    )
    initiatives_footnote = models.CharField(
        _("footnote on the number of initiatives"),
        max_length=5,
        blank=True,
        help_text=_("Marker of this strategy's footnote on where sources disagree about the number, e.g. '**'."),
    )

    objects = StrategyQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        ordering = ["first_year", "slug"]
        indexes = [
            # The search's first page (dashboard.filters.InitiativeFilter: strategies by first year and slug, then
            # position): walked in this order, a strategy's initiatives are sorted alone, not 100.000 together.
            models.Index(fields=["first_year", "slug"], name="strategy_search_order"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(first_year__lte=F("last_year")), name="strategy_period_in_order"),
            models.CheckConstraint(
                condition=Q(first_year__gte=1990, last_year__lte=2100), name="strategy_period_plausible"
            ),
        ]

    def __str__(self):
        # Messages name the strategy in the reader's language: refusals said "Strategi 2021" on English pages.
        return translated(self, "short_title")

    def get_absolute_url(self):
        return reverse("strategy_detail", args=[self.slug])

    @property
    def years(self) -> range:
        return range(self.first_year, self.last_year + 1)

    def initiative_count(self, stored: int) -> int:
        """How many initiatives the strategy has: as published where the source says more than are stored."""
        return max(stored, self.initiatives_published or 0)

    def clean(self):
        """A period that would leave cells outside it is refused here with a message, before the database's
        trigger refuses it (budgets migration 0007): those cells would be shown and summed nowhere."""
        super().clean()
        if self.pk is None or self.first_year is None or self.last_year is None:
            return
        cells = apps.get_model("budgets", "Allocation").objects.filter(line__strategy=self)
        years = sorted(set(cells.exclude(year__range=(self.first_year, self.last_year)).values_list("year", flat=True)))
        if years:
            raise ValidationError(
                _("The strategy has cells in %(years)s, outside %(first)s–%(last)s; empty them first.")
                % {"years": ", ".join(map(str, years)), "first": self.first_year, "last": self.last_year}
            )


class ChapterQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Chapter(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="chapters", verbose_name=_("strategy")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True, default="", db_default="")
    source = models.CharField(_("source"), max_length=300)
    retired_on = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("A retired chapter keeps its history and money but takes part in no new budget."),
    )

    objects = ChapterQuerySet.as_manager()

    class Meta:
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")
        ordering = ["strategy__first_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="chapter_number_unique_in_strategy"),
        ]

    def __str__(self):
        return self.label(self.number, self.title)

    @staticmethod
    def label(number, title) -> str:
        """How choices name a chapter, also from a plain row (dashboard.filters.ChapterChoices)."""
        return f"{number}. {title}"


class InitiativeQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(chapter__strategy=strategy)

    def with_chapter(self):
        return self.select_related("chapter__strategy")

    def active(self):
        return self.filter(retired_on__isnull=True, chapter__retired_on__isnull=True)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Initiative(models.Model):
    """An initiative as the strategy lists it. Its money is on the budget lines that cover it."""

    chapter = models.ForeignKey(
        Chapter, on_delete=models.PROTECT, related_name="initiatives", verbose_name=_("chapter")
    )
    number = models.CharField(
        _("number"),
        max_length=10,
        blank=True,
        help_text=_("As published: '12' in 2021, '2.2' in 2030; empty if unnumbered."),
    )
    position = models.PositiveSmallIntegerField(_("position"), help_text=_("Order within the strategy."))
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title in English"), max_length=300, blank=True, default="", db_default="")
    theme = models.CharField(_("theme"), max_length=30, choices=Theme.choices)
    source = models.CharField(_("source"), max_length=300)
    retired_on = models.DateField(
        _("retired on"),
        null=True,
        blank=True,
        help_text=_("A retired initiative keeps its history and money but takes part in no new budget."),
    )

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["chapter__strategy__first_year", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["chapter", "number"], condition=~Q(number=""), name="initiative_number_unique_in_chapter"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("initiative_detail", args=[self.pk])

    @property
    def strategy(self):
        return self.chapter.strategy


class LinkRelation(models.TextChoices):
    CONTINUED = "continued", pgettext_lazy("initiative lineage", "continued")
    DEVELOPED = "developed", pgettext_lazy("initiative lineage", "developed further")
    BUILDS_ON = "builds-on", pgettext_lazy("initiative lineage", "builds on")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class InitiativeLink(models.Model):
    """The same effort funded again by a later strategy."""

    predecessor = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="successor_links", verbose_name=_("predecessor")
    )
    successor = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="predecessor_links", verbose_name=_("successor")
    )
    relation = models.CharField(_("relation"), max_length=20, choices=LinkRelation.choices)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("link between initiatives")
        verbose_name_plural = _("links between initiatives")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="initiative_link_unique"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="initiative_link_not_to_itself"),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor}"


def lineage(initiative: Initiative) -> list[Initiative]:
    """Every initiative linked to this one through predecessors and successors, oldest strategy first.

    One query however long the chain: PostgreSQL follows the links out from the initiative's own, step by step on
    the links' indexes of either end, where a walk in Python took a query per step. UNION, not UNION ALL, stops at
    an initiative already reached.
    """
    links = InitiativeLink._meta.db_table
    reached = RawSQL(
        f"""
        WITH RECURSIVE reached(id) AS (
            SELECT %s::bigint
            UNION
            SELECT CASE WHEN link.predecessor_id = reached.id THEN link.successor_id ELSE link.predecessor_id END
            FROM reached JOIN {links} link ON reached.id IN (link.predecessor_id, link.successor_id)
        )
        SELECT id FROM reached
        """,
        [initiative.pk],
    )
    found = Initiative.objects.with_chapter().filter(pk__in=reached).order_by("pk")
    return sorted(found, key=lambda item: (item.chapter.strategy.first_year, item.position))
