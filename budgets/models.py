from decimal import Decimal

import pghistory
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from budgets.numbers import Figure
from initiatives.models import Chapter, Initiative, Strategy

# Mio. kr. with one decimal, as every source table prints them.
AMOUNT = {"max_digits": 9, "decimal_places": 1, "validators": [MinValueValidator(Decimal("0"))]}
YEAR_IS_PLAUSIBLE = Q(year__gte=1990, year__lte=2100)
# No budget line of any strategy holds more in one year; a larger figure is a typo or a pasted sum.
MAXIMUM_AMOUNT = Decimal("10000.0")
# What PostgreSQL cannot store or Excel refuses, and the tabs and line breaks of a block pasted into one cell.
_CONTROL_CHARACTERS = r"[\u0001-\u001f\u007f]"


class FrameKind(models.TextChoices):
    FRAME = "frame", _("funding frame")
    RESERVE = "reserve", _("reserve")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FundingFrame(models.Model):
    """Money set aside for a strategy by a political agreement or a finance act."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="frames", verbose_name=_("strategy"))
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True, default="", db_default="")
    kind = models.CharField(_("kind"), max_length=20, choices=FrameKind.choices, default=FrameKind.FRAME)
    note = models.TextField(_("note"), blank=True)
    note_en = models.TextField(_("note in English"), blank=True, default="", db_default="")
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("funding frame")
        verbose_name_plural = _("funding frames")
        ordering = ["strategy__first_year", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["strategy", "name"], name="frame_name_unique_in_strategy")]

    def __str__(self):
        return self.name


class FrameAmountQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(frame__strategy=strategy)

    def by_year(self) -> dict[int, Decimal]:
        rows = self.values("year").annotate(total=Sum("amount")).order_by("year")
        return {row["year"]: row["total"] for row in rows}

    def totals_by_strategy(self):
        return self.values("frame__strategy").annotate(total=Sum("amount")).order_by()

    def by_strategy_kind_and_year(self) -> dict[tuple[int, str, int], Decimal]:
        rows = self.values("frame__strategy", "frame__kind", "year").annotate(total=Sum("amount")).order_by()
        return {(row["frame__strategy"], row["frame__kind"], row["year"]): row["total"] for row in rows}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class FrameAmount(models.Model):
    frame = models.ForeignKey(
        FundingFrame, on_delete=models.CASCADE, related_name="amounts", verbose_name=_("funding frame")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (mio. kr.)"), **AMOUNT)

    objects = FrameAmountQuerySet.as_manager()

    class Meta:
        verbose_name = _("frame amount")
        verbose_name_plural = _("frame amounts")
        ordering = ["frame", "year"]
        constraints = [
            models.UniqueConstraint(fields=["frame", "year"], name="frame_amount_one_per_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="frame_amount_not_negative"),
            models.CheckConstraint(condition=YEAR_IS_PLAUSIBLE, name="frame_amount_year_plausible"),
        ]

    def __str__(self):
        return f"{self.frame} {self.year}: {self.amount}"


class Footnote(models.Model):
    """A footnote of a source table, e.g. the 2030 table's '**' on bridge financing."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="footnotes", verbose_name=_("strategy")
    )
    marker = models.CharField(_("marker"), max_length=5, help_text=_("As printed in the table, e.g. '*' or '**'."))
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text in English"), blank=True, default="", db_default="")
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("footnote")
        verbose_name_plural = _("footnotes")
        ordering = ["strategy__first_year", "marker"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "marker"], name="footnote_marker_unique_in_strategy")
        ]

    def __str__(self):
        return f"{self.marker} {self.text[:60]}"


class LineKind(models.TextChoices):
    INITIATIVE = "initiative", _("initiative")
    RESERVE = "reserve", _("reserve")


class BudgetLineQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def with_first_theme(self, theme):
        """The lines whose first initiative has ``theme``: a line's cells count under the theme of its first
        initiative, so a line funding two initiatives counts once.

        Asked of the lines rather than of each of their cells, so filtering cells needs only their line.
        """
        first_theme = Initiative.objects.filter(budget_lines=models.OuterRef("pk")).order_by("position").values("theme")
        return self.annotate(first_theme=models.Subquery(first_theme[:1])).filter(first_theme=theme).values("pk")

    def for_table(self):
        """Everything a budget table shows, in its printed order, without a query per row."""
        return (
            self.select_related("chapter")
            .prefetch_related("allocations", "initiatives", "footnotes")
            .order_by("position")
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class BudgetLine(models.Model):
    """One row of a strategy's budget table.

    Most rows fund exactly one listed initiative. Some cover several (the 2030 row for health
    diplomats and investment promotion), and reserves cover none; a listed initiative may also
    have no row at all.
    """

    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="budget_lines", verbose_name=_("strategy")
    )
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("chapter"),
        null=True,
        blank=True,
        help_text=_("Empty for reserves, which the tables print below the chapters."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LineKind.choices, default=LineKind.INITIATIVE)
    position = models.PositiveSmallIntegerField(_("position"), help_text=_("Order in the printed table."))
    title = models.CharField(_("title"), max_length=300, help_text=_("As the budget table words it."))
    title_en = models.CharField(_("title in English"), max_length=300, blank=True, default="", db_default="")
    initiatives = models.ManyToManyField(
        Initiative, related_name="budget_lines", verbose_name=_("initiatives covered"), blank=True
    )
    footnotes = models.ManyToManyField(Footnote, related_name="budget_lines", verbose_name=_("footnotes"), blank=True)
    source = models.CharField(_("source"), max_length=300)

    objects = BudgetLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["strategy__first_year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "position"], name="budget_line_position_unique"),
            # What a published cell's foreign key refers to (publication migration 0004): its line, in its strategy.
            models.UniqueConstraint(fields=["strategy", "id"], name="budget_line_unique_in_its_strategy"),
            models.CheckConstraint(
                condition=Q(kind=LineKind.RESERVE, chapter__isnull=True)
                | Q(kind=LineKind.INITIATIVE, chapter__isnull=False),
                name="budget_line_reserve_iff_no_chapter",
            ),
        ]

    def __str__(self):
        return self.title


class CellKind(models.TextChoices):
    AMOUNT = "amount", _("amount")
    FINANCED_ELSEWHERE = "financed", _("financed elsewhere")
    UNKNOWN = "unknown", _("unknown")


class AllocationQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(line__strategy=strategy)

    def amounts(self):
        return self.filter(kind=CellKind.AMOUNT)

    def in_years(self, years):
        return self.filter(year__in=list(years))

    def sums(self, *fields) -> list[dict]:
        """Amounts summed and unknown cells counted per combination of ``fields``, as Figures."""
        rows = (
            self.values(*fields)
            .annotate(
                total=Sum("amount", filter=Q(kind=CellKind.AMOUNT), default=Decimal("0.0")),
                unknown=Count("id", filter=Q(kind=CellKind.UNKNOWN)),
                financed=Count("id", filter=Q(kind=CellKind.FINANCED_ELSEWHERE)),
            )
            .order_by(*fields)
        )
        return [
            {**{field: row[field] for field in fields}, "figure": Figure(row["total"], row["unknown"], row["financed"])}
            for row in rows
        ]

    def by_year(self) -> dict[int, Figure]:
        """Per year: the sum of the amounts, with the cells still unknown counted apart."""
        return {row["year"]: row["figure"] for row in self.sums("year")}

    def totals_by_strategy(self) -> dict[int, Figure]:
        return {row["line__strategy"]: row["figure"] for row in self.sums("line__strategy")}


class YearSumQuerySet(models.QuerySet):
    def sums(self, *fields) -> list[dict]:
        """Amounts summed and unknown and financed cells counted per combination of ``fields``, as Figures."""
        rows = (
            self.values(*fields)
            .annotate(
                total=Sum("amount", default=Decimal("0.0")),
                unknown_cells=Sum("unknown", default=0),
                financed_cells=Sum("financed", default=0),
            )
            .order_by(*fields)
            .values_list(*fields, "total", "unknown_cells", "financed_cells")
        )
        width = len(fields)
        return [{**dict(zip(fields, row[:width], strict=True)), "figure": Figure(*row[width:])} for row in rows]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Allocation(models.Model):
    """One cell of a budget table: a budget line's money in one year.

    A cell holds an amount, or says the money comes from elsewhere ("Er finansieret"), or is
    unknown. A cell that the table leaves blank has no allocation at all.
    """

    line = models.ForeignKey(
        BudgetLine, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("budget line")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind of cell"), max_length=20, choices=CellKind.choices, default=CellKind.AMOUNT)
    amount = models.DecimalField(_("amount (mio. kr.)"), null=True, blank=True, **AMOUNT)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Counts the saves of this cell, so that a stale edit is refused.")
    )
    is_correction = models.BooleanField(
        _("correction"), default=False, help_text=_("A correction may be negative; no other amount may.")
    )
    text = models.CharField(
        _("text in the cell"),
        max_length=200,
        blank=True,
        help_text=_("Only in a cell financed elsewhere: its words as printed, e.g. 'Er finansieret'."),
    )
    remark = models.CharField(
        _("remark"),
        max_length=200,
        blank=True,
        # Also for writers that do not name the column (plain SQL, a restore of an older backup).
        db_default="",
        help_text=_("Only beside an amount: a remark printed with it, e.g. 'Øvrig 5 er finansieret'."),
    )

    objects = AllocationQuerySet.as_manager()

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["line", "year"]
        constraints = [
            models.UniqueConstraint(fields=["line", "year"], name="allocation_one_per_line_and_year"),
            models.CheckConstraint(
                condition=Q(amount__gte=0) | Q(is_correction=True), name="allocation_negative_only_as_correction"
            ),
            models.CheckConstraint(condition=YEAR_IS_PLAUSIBLE, name="allocation_year_plausible"),
            models.CheckConstraint(
                condition=Q(kind=CellKind.AMOUNT, amount__isnull=False)
                | Q(kind=CellKind.FINANCED_ELSEWHERE, amount__isnull=True) & ~Q(text="")
                | Q(kind=CellKind.UNKNOWN, amount__isnull=True),
                name="allocation_amount_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind=CellKind.FINANCED_ELSEWHERE) | Q(text=""), name="allocation_text_only_when_financed"
            ),
            models.CheckConstraint(
                condition=Q(kind=CellKind.AMOUNT) | Q(remark="", is_correction=False),
                name="allocation_remark_and_correction_only_beside_an_amount",
            ),
            # Added NOT VALID (migration 0007): rows written before the rules existed stay readable and must meet
            # them when they are next changed.
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=-MAXIMUM_AMOUNT, amount__lte=MAXIMUM_AMOUNT),
                name="allocation_amount_within_bounds",
            ),
            models.CheckConstraint(
                condition=~Q(text__regex=_CONTROL_CHARACTERS) & ~Q(remark__regex=_CONTROL_CHARACTERS),
                name="allocation_text_without_control_characters",
            ),
            models.CheckConstraint(
                condition=Q(remark="") | ~Q(remark__regex=r"^[[:space:][:digit:][:punct:]]+$"),
                name="allocation_remark_has_words",
            ),
        ]
        indexes = [
            # Allocation.objects.for_strategy(s).by_year() and the yearly comparisons across strategies.
            models.Index(fields=["year", "kind"], name="allocation_year_kind_idx"),
        ]

    def __str__(self):
        return f"{self.line} {self.year}"

    @property
    def cell_id(self) -> int:
        """The id the open data gives the cell, the same in the draft and in every version that publishes it."""
        return self.pk


class SumsOfCells(models.Model):
    """Amounts summed and unknown and financed cells counted per year of a strategy, and per what a subclass adds
    (a chapter, a theme), read alike through YearSumQuerySet.sums()."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("strategy")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (mio. kr.)"), max_digits=15, decimal_places=1)
    unknown = models.PositiveIntegerField(_("unknown cells"))
    financed = models.PositiveIntegerField(_("cells financed elsewhere"))

    objects = YearSumQuerySet.as_manager()

    class Meta:
        abstract = True


class SumsPerChapterThemeAndYear(SumsOfCells):
    """Per chapter, theme and year: of the draft (YearSum) or of a published version
    (publication.models.PublishedYearSum)."""

    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("chapter"),
    )
    # NULL, not "": a line that funds no initiative has no theme, and the pages list it apart.
    theme = models.CharField(_("theme"), max_length=30, null=True)  # noqa: DJ001

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.strategy_id} {self.chapter_id} {self.theme} {self.year}: {self.amount}"


class YearSum(SumsPerChapterThemeAndYear):
    """What a chapter's lines hold in one year, per theme of each line's first initiative.

    Kept by the database, never written from Python: triggers (migration 0005) recompute a chapter's rows in
    the same transaction as any change to its cells, to its lines, to the initiatives its lines fund or to
    their theme or order. The pages that add up every strategy read these few thousand rows instead of a
    million cells. Reserves have no chapter, and lines funding no initiative no theme.
    """

    class Meta:
        verbose_name = _("sum per chapter, theme and year")
        verbose_name_plural = _("sums per chapter, theme and year")
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "chapter", "theme", "year"], nulls_distinct=False, name="year_sum_one_per_group"
            ),
        ]


class PublishedTotal(models.Model):
    """A subtotal (per chapter) or total (no chapter) exactly as the source table prints it."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="published_totals", verbose_name=_("strategy")
    )
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.PROTECT,
        related_name="published_totals",
        verbose_name=_("chapter"),
        null=True,
        blank=True,
        help_text=_("Empty for the table's grand total."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (mio. kr.)"), **AMOUNT)
    footnote = models.ForeignKey(
        Footnote,
        on_delete=models.PROTECT,
        related_name="published_totals",
        verbose_name=_("footnote"),
        null=True,
        blank=True,
    )
    explained_difference = models.DecimalField(
        _("explained difference (mio. kr.)"),
        max_digits=9,
        decimal_places=1,
        default=Decimal("0.0"),
        help_text=_("Published total minus the sum of the rows, where the footnote explains it."),
    )

    class Meta:
        verbose_name = _("published total")
        verbose_name_plural = _("published totals")
        ordering = ["strategy__first_year", "chapter__number", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["strategy", "chapter", "year"], nulls_distinct=False, name="published_total_one_per_year"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="published_total_not_negative"),
            models.CheckConstraint(condition=YEAR_IS_PLAUSIBLE, name="published_total_year_plausible"),
            models.CheckConstraint(
                condition=Q(explained_difference=0) | Q(footnote__isnull=False),
                name="published_total_difference_needs_footnote",
            ),
        ]

    def __str__(self):
        return f"{self.chapter or self.strategy} {self.year}: {self.amount}"


class BaselineKind(models.TextChoices):
    PUBLISHED = "published", _("as published")
    FROZEN = "frozen", _("frozen by staff")


class Baseline(models.Model):
    """A named, frozen copy of a strategy's cells, such as those of a finance act, or of every strategy's cells,
    such as the figures as published."""

    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.PROTECT,
        related_name="baselines",
        verbose_name=_("strategy"),
        null=True,
        blank=True,
        help_text=_("Empty for a copy of every strategy, such as the figures as published."),
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=BaselineKind.choices, default=BaselineKind.FROZEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="published"), name="baseline_one_published"),
            models.UniqueConstraint(
                fields=["strategy", "name"], nulls_distinct=False, name="baseline_name_unique_in_strategy"
            ),
        ]

    def __str__(self):
        return self.name


class BaselineCell(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="cells", verbose_name=_("baseline"))
    line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="baseline_cells", verbose_name=_("budget line")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind of cell"), max_length=20, choices=CellKind.choices)
    amount = models.DecimalField(_("amount (mio. kr.)"), null=True, blank=True, **AMOUNT)
    text = models.CharField(_("text in the cell"), max_length=200, blank=True)
    remark = models.CharField(_("remark"), max_length=200, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("baseline cell")
        verbose_name_plural = _("baseline cells")
        constraints = [
            models.UniqueConstraint(fields=["baseline", "line", "year"], name="baseline_cell_one_per_line_and_year"),
        ]

    def __str__(self):
        return f"{self.baseline}: {self.line} {self.year}"
