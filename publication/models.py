"""Published versions of a strategy's figures: numbered, dated, approved, and never changed once public.

The draft is the budget tables' own cells (budgets.models.Allocation), which editors change. Publishing copies
the draft's differences from the version before into PublishedCell: each row holds a cell as it stood from one
version (``valid_from``) until the version that replaced or removed it (``valid_until``, empty while it stands).
Version N of a strategy is every row with ``valid_from <= N < valid_until``; storage grows with the cells changed.

The database holds published rows to their word (triggers below): a version, its cells and its sums are never
updated or deleted, except that publishing closes the rows it replaces and cancelling a publication that is not
yet public takes it back.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pgtrigger import After, Before, Condition, Delete, Insert, Referencing, Statement, Trigger, Update

from budgets.models import (
    AMOUNT,
    YEAR_IS_PLAUSIBLE,
    AllocationQuerySet,
    BudgetLine,
    CellKind,
    SumsOfCells,
    SumsPerChapterThemeAndYear,
)
from initiatives.models import Chapter, Initiative, Strategy

NOTE_LENGTH = 500
# Whether a version of a strategy is scheduled, i.e. not yet public: cancelling one may take back its rows.
_SCHEDULED = """EXISTS (
    SELECT 1 FROM publication_publication scheduled
    WHERE scheduled.strategy_id = {strategy} AND scheduled.number = {number} AND scheduled.published_at > now()
)"""


# The number of the newest version of each strategy, which alone may gain or close cells.
_NEWEST = "(SELECT strategy_id, max(number) AS number FROM publication_publication GROUP BY strategy_id)"


def _refuse(message: str) -> str:
    return f"RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = '{message}';"


def kept_with_its_version(name: str, never_changes: str, never_deleted: str) -> list[Trigger]:
    """The triggers of rows written once with a version (a ``publication`` column): never updated, and deleted only
    while their version is scheduled, which cancelling it takes back. Other apps publish their rows with them."""
    deleted_only_before_its_time = f"""
                IF EXISTS (
                    SELECT 1 FROM publication_publication published
                    WHERE published.id = OLD.publication_id AND published.published_at <= now()
                ) THEN
                    {_refuse(never_deleted)}
                END IF;
                RETURN OLD;
                """
    return [
        Trigger(
            name=f"{name}_never_updated", when=Before, operation=Update, func=_refuse(never_changes) + " RETURN NULL;"
        ),
        Trigger(
            name=f"{name}_deleted_only_before_its_time",
            when=Before,
            operation=Delete,
            func=deleted_only_before_its_time,
        ),
    ]


class DatePrecision(models.TextChoices):
    """How much of a publication's date is known: the shipped strategies give a month or a year, not a day."""

    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")


class PublicationQuerySet(models.QuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def public(self, at):
        """The versions the public may see at ``at``: an embargoed one only from its time."""
        return self.filter(published_at__lte=at)

    def scheduled(self, at):
        return self.filter(published_at__gt=at)

    def shown_and_latest(self, at) -> dict[int, tuple["Publication | None", int]]:
        """Strategy id → (the version public at ``at``, or None before its first; the number of its newest version,
        scheduled ones included), for every strategy that has a version. One query of plain values: a ministry's
        thousand strategies make a thousand versions, and only those shown become instances."""
        fields = [field.attname for field in self.model._meta.concrete_fields]
        strategy_at, number_at, published_at = map(fields.index, ("strategy_id", "number", "published_at"))
        shown, latest = {}, {}
        for values in self.order_by("strategy", "number").values_list(*fields):
            if values[published_at] <= at:
                shown[values[strategy_at]] = values
            latest[values[strategy_at]] = values[number_at]
        # from_db with every field in order builds an instance from its values by position, as a queryset does.
        return {
            strategy: (self.model.from_db(self.db, fields, shown[strategy]) if strategy in shown else None, number)
            for strategy, number in latest.items()
        }


class Publication(models.Model):
    """One published version of a strategy's figures."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="publications", verbose_name=_("strategy")
    )
    number = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(
        _("published at"), help_text=_("From this moment the public sees the version; later means scheduled.")
    )
    precision = models.CharField(
        _("date known to the"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    created_at = models.DateTimeField(_("snapshot taken at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="publications",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        help_text=_("Empty for the versions loaded with the source documents."),
    )
    note = models.CharField(_("note"), max_length=NOTE_LENGTH)
    changed_cells = models.PositiveIntegerField(_("cells changed"))
    # The newest event of the cells' audit trail when the snapshot was taken: the next review lists the changes
    # after it, and the four-eyes rule asks who made them.
    audit_position = models.BigIntegerField(_("audit trail position"))

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        ordering = ["strategy__first_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="publication_number_unique_in_strategy"),
            models.CheckConstraint(condition=Q(number__gte=1), name="publication_number_positive"),
            models.CheckConstraint(condition=~Q(note=""), name="publication_has_note"),
        ]
        indexes = [
            # The feed of publications, newest first.
            models.Index(fields=["-published_at"], name="publication_newest_idx"),
        ]
        triggers = [
            Trigger(
                name="publication_never_updated",
                when=Before,
                operation=Update,
                func=_refuse("A published version never changes; publish a new version instead.") + " RETURN NULL;",
            ),
            Trigger(
                name="publication_deleted_only_before_its_time",
                when=Before,
                operation=Delete,
                func=f"""
                IF OLD.published_at <= now() THEN
                    {_refuse("A published version is never deleted; publish a new version instead.")}
                END IF;
                RETURN OLD;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.strategy} v{self.number}"

    @property
    def is_scheduled(self) -> bool:
        return self.published_at > timezone.now()


class PublishedCellQuerySet(AllocationQuerySet):
    def for_strategy(self, strategy):
        return self.filter(strategy=strategy)

    def in_versions(self, shown: dict, latest: dict, every_strategy: bool = False):
        """The cells of each strategy's version ``shown[strategy id]``; ``latest`` gives each strategy's newest
        version number. A strategy's newest version is the rows still standing, which an index serves; an older
        one (an embargo pending, or a version asked for) is the rows whose span covers it."""
        current = [strategy for strategy, number in shown.items() if latest.get(strategy) == number]
        if every_strategy and len(current) == len(latest):
            condition = Q(valid_until__isnull=True)
        else:
            condition = Q(strategy__in=current, valid_until__isnull=True)
        for strategy, number in shown.items():
            if latest.get(strategy) != number:
                condition |= Q(strategy=strategy, valid_from__lte=number) & (
                    Q(valid_until__isnull=True) | Q(valid_until__gt=number)
                )
        return self.filter(condition)

    def standing(self, strategy):
        """The cells of the strategy's newest version."""
        return self.filter(strategy=strategy, valid_until__isnull=True)


class PublishedCell(models.Model):
    """A cell of the budget table as published, from one version until the version that replaced it."""

    # No index of its own: the indexes below begin with it. Neither it nor the line has a foreign key of its own:
    # one key of both (strategy, line) refers to the line in its strategy (migration 0004), so publishing checks
    # each row it writes once, not twice, and a cell can never name a line of another strategy.
    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("strategy"),
        db_index=False,
        db_constraint=False,
    )
    line = models.ForeignKey(
        BudgetLine,
        on_delete=models.PROTECT,
        related_name="published_cells",
        verbose_name=_("budget line"),
        db_constraint=False,
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind of cell"), max_length=20, choices=CellKind.choices)
    amount = models.DecimalField(_("amount (mio. kr.)"), null=True, blank=True, **{**AMOUNT, "validators": []})
    text = models.CharField(_("text in the cell"), max_length=200, blank=True)
    remark = models.CharField(_("remark"), max_length=200, blank=True)
    is_correction = models.BooleanField(_("correction"), default=False)
    # The draft cell's id and version when it was published: the open data's stable id of a cell.
    allocation_id = models.BigIntegerField(_("cell id"))
    version = models.PositiveIntegerField(_("version of the cell"))
    valid_from = models.PositiveIntegerField(_("first version"))
    valid_until = models.PositiveIntegerField(_("replaced in version"), null=True, blank=True)

    objects = PublishedCellQuerySet.as_manager()

    class Meta:
        verbose_name = _("published cell")
        verbose_name_plural = _("published cells")
        # Few indexes, on purpose: publishing closes and writes tens of thousands of rows, each entry in each index.
        # One row per cell and version follows from these rules with the triggers below: only the newest version
        # adds rows, at most one row of a cell stands, and a row is closed by a later version than its first.
        constraints = [
            # Also every public page's index: the cells of a strategy's newest version (PublishedCell.objects.standing).
            models.UniqueConstraint(
                fields=["strategy", "line", "year"],
                condition=Q(valid_until__isnull=True),
                name="published_cell_one_standing",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="published_cell_span_in_order",
            ),
            models.CheckConstraint(condition=YEAR_IS_PLAUSIBLE, name="published_cell_year_plausible"),
            models.CheckConstraint(
                condition=Q(kind=CellKind.AMOUNT, amount__isnull=False)
                | Q(kind=CellKind.FINANCED_ELSEWHERE, amount__isnull=True) & ~Q(text="")
                | Q(kind=CellKind.UNKNOWN, amount__isnull=True),
                name="published_cell_amount_matches_kind",
            ),
        ]
        indexes = [
            # An earlier version (?version=N), a version's changes (the versions page), the rows a cancelled
            # publication takes back: all of one strategy's rows, narrowed by the version they start in.
            models.Index(fields=["strategy", "valid_from"], name="pcell_strategy_from_idx"),
        ]
        triggers = [
            # Checked once per statement, over the rows it wrote: publishing writes tens of thousands at once.
            Trigger(
                name="published_cell_added_only_to_the_newest_version",
                level=Statement,
                when=After,
                operation=Insert,
                referencing=Referencing(new="added"),
                func=f"""
                IF EXISTS (
                    SELECT 1 FROM added LEFT JOIN {_NEWEST} newest ON newest.strategy_id = added.strategy_id
                    WHERE added.valid_until IS NOT NULL OR added.valid_from IS DISTINCT FROM newest.number
                ) THEN
                    {_refuse("A published version never changes: cells are added only to the newest version.")}
                END IF;
                RETURN NULL;
                """,
            ),
            # Publishing closes standing cells by the ten thousand: the check of each row runs only when the row
            # does anything but that (the WHEN clause costs no function call), and the version they are closed in
            # is checked once per statement.
            Trigger(
                name="published_cell_only_closed",
                when=Before,
                operation=Update,
                condition=Condition(
                    "((OLD.strategy_id, OLD.line_id, OLD.year, OLD.kind, OLD.amount, OLD.text, OLD.remark, "
                    "OLD.is_correction, OLD.allocation_id, OLD.version, OLD.valid_from) IS DISTINCT FROM "
                    "(NEW.strategy_id, NEW.line_id, NEW.year, NEW.kind, NEW.amount, NEW.text, NEW.remark, "
                    "NEW.is_correction, NEW.allocation_id, NEW.version, NEW.valid_from) "
                    "OR NOT (OLD.valid_until IS NULL AND NEW.valid_until IS NOT NULL))"
                ),
                func=f"""
                -- Cancelling a scheduled version reopens the cells it closed.
                IF (OLD.strategy_id, OLD.line_id, OLD.year, OLD.kind, OLD.amount, OLD.text, OLD.remark,
                    OLD.is_correction, OLD.allocation_id, OLD.version, OLD.valid_from)
                   IS NOT DISTINCT FROM
                   (NEW.strategy_id, NEW.line_id, NEW.year, NEW.kind, NEW.amount, NEW.text, NEW.remark,
                    NEW.is_correction, NEW.allocation_id, NEW.version, NEW.valid_from)
                   AND NEW.valid_until IS NULL
                   AND {_SCHEDULED.format(strategy="OLD.strategy_id", number="OLD.valid_until")}
                THEN
                    RETURN NEW;
                END IF;
                {_refuse("A published cell never changes; publish a new version instead.")}
                """,
            ),
            Trigger(
                name="published_cell_closed_by_the_newest_version",
                level=Statement,
                when=After,
                operation=Update,
                referencing=Referencing(new="after"),
                func=f"""
                IF EXISTS (
                    SELECT 1 FROM after JOIN {_NEWEST} newest ON newest.strategy_id = after.strategy_id
                    WHERE after.valid_until <> newest.number
                ) THEN
                    {_refuse("A published cell never changes: cells are closed only by the newest version.")}
                END IF;
                RETURN NULL;
                """,
            ),
            Trigger(
                name="published_cell_deleted_only_before_its_time",
                when=Before,
                operation=Delete,
                func=f"""
                IF NOT {_SCHEDULED.format(strategy="OLD.strategy_id", number="OLD.valid_from")} THEN
                    {_refuse("A published cell is never deleted; publish a new version instead.")}
                END IF;
                RETURN OLD;
                """,
            ),
        ]

    def __str__(self):
        return f"{self.line} {self.year} (v{self.valid_from})"

    @property
    def cell_id(self) -> int:
        return self.allocation_id


class PublishedYearSum(SumsPerChapterThemeAndYear):
    """What a chapter's lines held in one year of one version, per theme of each line's first initiative: the
    published counterpart of budgets.models.YearSum, written once when the version is published."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="year_sums", verbose_name=_("published version")
    )

    class Meta:
        verbose_name = _("published sum per chapter, theme and year")
        verbose_name_plural = _("published sums per chapter, theme and year")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "chapter", "theme", "year"],
                nulls_distinct=False,
                name="published_year_sum_one_per_group",
            ),
        ]
        triggers = kept_with_its_version(
            "published_year_sum", "Published sums never change.", "Published sums are never deleted."
        )

    def __str__(self):
        return f"{self.publication} {self.chapter_id} {self.theme} {self.year}: {self.amount}"


class PublishedYearTotal(SumsOfCells):
    """What all of a version's lines held in one year, per theme of each line's first initiative: its
    PublishedYearSum rows added up over the chapters when it is published. The overview and the comparison by
    theme read these: at a thousand strategies 80.000 rows rather than 960.000."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="year_totals", verbose_name=_("published version")
    )
    # NULL, not "": a line that funds no initiative has no theme, and the pages list it apart.
    theme = models.CharField(_("theme"), max_length=30, null=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("published total per theme and year")
        verbose_name_plural = _("published totals per theme and year")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "theme", "year"], nulls_distinct=False, name="published_year_total_one_per_group"
            ),
        ]
        triggers = kept_with_its_version(
            "published_total", "Published totals never change.", "Published totals are never deleted."
        )

    def __str__(self):
        return f"{self.publication} {self.theme} {self.year}: {self.amount}"


class PublishedChapterTotal(SumsOfCells):
    """What a chapter's lines held in one year of a version, all themes together, added up when it is published:
    the comparison by chapter reads these. Reserves have no chapter."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="chapter_totals", verbose_name=_("published version")
    )
    chapter = models.ForeignKey(
        Chapter,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        verbose_name=_("chapter"),
    )

    class Meta:
        verbose_name = _("published total per chapter and year")
        verbose_name_plural = _("published totals per chapter and year")
        constraints = [
            models.UniqueConstraint(
                fields=["publication", "chapter", "year"], nulls_distinct=False, name="published_chapter_total_one"
            ),
        ]
        triggers = kept_with_its_version(
            "published_ch_total", "Published totals never change.", "Published totals are never deleted."
        )

    def __str__(self):
        return f"{self.publication} {self.chapter_id} {self.year}: {self.amount}"


class PublishedInitiativeTotal(models.Model):
    """What an initiative's lines held over every year of a version, added up when it is published: the search's
    CSV file of every initiative reads these (100.000 rows) rather than adding up a million cells per download.
    An initiative with no cell in the version has no row."""

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="initiative_totals", verbose_name=_("published version")
    )
    initiative = models.ForeignKey(
        Initiative,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("initiative"),
    )
    # NULL where no cell holds an amount: "unknown" and "financed elsewhere" alone are no amount of 0.
    amount = models.DecimalField(_("amount (mio. kr.)"), max_digits=15, decimal_places=1, null=True)
    unknown = models.PositiveIntegerField(_("unknown cells"))
    financed = models.PositiveIntegerField(_("cells financed elsewhere"))

    class Meta:
        verbose_name = _("published total per initiative")
        verbose_name_plural = _("published totals per initiative")
        constraints = [
            models.UniqueConstraint(fields=["publication", "initiative"], name="published_initiative_total_one"),
        ]
        triggers = kept_with_its_version(
            "published_in_total", "Published totals never change.", "Published totals are never deleted."
        )

    def __str__(self):
        return f"{self.publication} {self.initiative_id}: {self.amount}"
