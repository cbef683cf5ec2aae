"""Following a strategy beyond its money: how far each initiative has come, and the targets it serves.

Staff edit a draft of each initiative's status, responsible authority and milestones, recorded in the audit trail
like cells. Publishing a strategy's version copies that draft into the Published* rows of the version
(tracking.publishing, called by publication.services), which the public reads and the database keeps unchanged.

The strategy's vision, targets ("pejlemærker") and indicators are worded as the source document words them and
loaded with the fixtures. Measured values of an indicator are statistics that others publish, entered by staff
with their source: they are public from their save (see Measurement).
"""

from datetime import date

import pghistory
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from initiatives.models import Chapter, Initiative, Strategy
from publication.models import DatePrecision, Publication, kept_with_its_version

TEXT_LENGTH = 500
TITLE_LENGTH = 200
SOURCE_LENGTH = 300
# What PostgreSQL cannot store or Excel refuses (as budgets.models holds it for cells).
_CONTROL_CHARACTERS = r"[\u0001-\u001f\u007f]"
EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)


def _plausible(field: str) -> Q:
    return Q(**{f"{field}__gte": EARLIEST, f"{field}__lte": LATEST})


def _without_control_characters(*fields: str) -> Q:
    condition = Q()
    for name in fields:
        condition &= ~Q(**{f"{name}__regex": _CONTROL_CHARACTERS})
    return condition


class Status(models.TextChoices):
    NOT_STARTED = "not-started", pgettext_lazy("implementation status", "not started")
    STARTED = "started", pgettext_lazy("implementation status", "under way")
    LATE = "late", pgettext_lazy("implementation status", "late")
    DONE = "done", pgettext_lazy("implementation status", "carried out")
    ABANDONED = "abandoned", pgettext_lazy("implementation status", "abandoned")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Authority(models.Model):
    """A ministry or agency that answers for initiatives: the list staff choose from."""

    name = models.CharField(_("name"), max_length=TITLE_LENGTH, unique=True)

    class Meta:
        verbose_name = _("responsible authority")
        verbose_name_plural = _("responsible authorities")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") & _without_control_characters("name"), name="authority_named_plainly"
            ),
        ]

    def __str__(self):
        return self.name


# The fields of the draft's rows and of their published copies, declared once.


class StatusFields(models.Model):
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    as_of = models.DateField(_("date"), help_text=_("The day the status refers to."))
    text = models.CharField(_("public text"), max_length=TEXT_LENGTH)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_status_display()} {self.as_of}"


class MilestoneFields(models.Model):
    title = models.CharField(_("title"), max_length=TITLE_LENGTH)
    planned = models.DateField(_("planned for"))
    reached = models.DateField(_("reached on"), null=True, blank=True, help_text=_("Empty until it is reached."))

    class Meta:
        abstract = True

    def __str__(self):
        return self.title


def _status_rules(prefix: str) -> list:
    return [
        models.CheckConstraint(condition=Q(status__in=Status.values), name=f"{prefix}_status_known"),
        models.CheckConstraint(condition=_plausible("as_of"), name=f"{prefix}_date_plausible"),
        models.CheckConstraint(
            condition=~Q(text="") & _without_control_characters("text"), name=f"{prefix}_text_plain"
        ),
    ]


def _milestone_rules(prefix: str) -> list:
    return [
        models.CheckConstraint(
            condition=~Q(title="") & _without_control_characters("title"), name=f"{prefix}_title_plain"
        ),
        models.CheckConstraint(
            condition=_plausible("planned") & (Q(reached__isnull=True) | _plausible("reached")),
            name=f"{prefix}_dates_plausible",
        ),
    ]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Responsibility(models.Model):
    """Which authority answers for an initiative, in the draft."""

    initiative = models.OneToOneField(
        Initiative, on_delete=models.PROTECT, related_name="responsibility", verbose_name=_("initiative")
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("responsible authority")
    )

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")

    def __str__(self):
        return f"{self.initiative}: {self.authority}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class StatusUpdate(StatusFields):
    """An initiative's implementation status from a day on, in the draft; the newest by date is its current one."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="status_updates", verbose_name=_("initiative")
    )

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["initiative", "-as_of", "-id"]
        constraints = _status_rules("status_update")
        indexes = [models.Index(fields=["initiative", "as_of"], name="status_update_newest_idx")]

    @property
    def update_id(self) -> int:
        """The id the open data gives the update, the same in the draft and in every version that holds it."""
        return self.pk


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Milestone(MilestoneFields):
    """A step of an initiative with the day it should be reached, in the draft."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("initiative")
    )

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["initiative", "planned", "id"]
        constraints = _milestone_rules("milestone")

    @property
    def milestone_id(self) -> int:
        return self.pk


# The published copies: every draft row of a strategy, copied into each of its versions when it is published. The
# rows go with their version: deleted with it while it is scheduled (cancelling), never once it is public.


class PublishedResponsibility(models.Model):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", verbose_name=_("published version")
    )
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+", verbose_name=_("initiative"))
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible authority")
    )

    class Meta:
        verbose_name = _("published responsibility")
        verbose_name_plural = _("published responsibilities")
        constraints = [
            models.UniqueConstraint(fields=["publication", "initiative"], name="published_responsibility_once"),
        ]
        triggers = kept_with_its_version(
            "published_duty",
            "A published responsibility never changes.",
            "A published responsibility is never deleted.",
        )

    def __str__(self):
        return f"{self.initiative_id}: {self.authority_id} (v{self.publication_id})"


class PublishedStatusUpdate(StatusFields):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", verbose_name=_("published version")
    )
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+", verbose_name=_("initiative"))
    update_id = models.BigIntegerField(_("status update id"))

    class Meta:
        verbose_name = _("published status update")
        verbose_name_plural = _("published status updates")
        constraints = [
            *_status_rules("published_status"),
            models.UniqueConstraint(fields=["publication", "update_id"], name="published_status_once"),
        ]
        indexes = [models.Index(fields=["publication", "initiative"], name="published_status_idx")]
        triggers = kept_with_its_version(
            "published_status", "A published status never changes.", "A published status is never deleted."
        )


class PublishedMilestone(MilestoneFields):
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="+", verbose_name=_("published version")
    )
    initiative = models.ForeignKey(Initiative, on_delete=models.PROTECT, related_name="+", verbose_name=_("initiative"))
    milestone_id = models.BigIntegerField(_("milestone id"))

    class Meta:
        verbose_name = _("published milestone")
        verbose_name_plural = _("published milestones")
        constraints = [
            *_milestone_rules("published_milestone"),
            models.UniqueConstraint(fields=["publication", "milestone_id"], name="published_milestone_once"),
        ]
        indexes = [models.Index(fields=["publication", "initiative"], name="published_milestone_idx")]
        triggers = kept_with_its_version(
            "published_mstone", "A published milestone never changes.", "A published milestone is never deleted."
        )


class PublishedTracking(models.Model):
    """What a version published of the tracking draft: how many changes, and how far the audit trail of each kind
    of row went, so the next review lists the changes after it and the four-eyes rule asks who made them."""

    publication = models.OneToOneField(
        Publication, on_delete=models.CASCADE, related_name="tracking", verbose_name=_("published version")
    )
    changes = models.PositiveIntegerField(_("changes of status, authority and milestones"))
    status_position = models.BigIntegerField()
    milestone_position = models.BigIntegerField()
    responsibility_position = models.BigIntegerField()

    class Meta:
        verbose_name = _("published tracking")
        verbose_name_plural = _("published tracking")
        triggers = kept_with_its_version(
            "published_track", "A published version never changes.", "A published version is never deleted."
        )

    def __str__(self):
        return f"{self.publication_id}: {self.changes}"


# The strategy's vision, targets and indicators, as the source words them.


class Vision(models.Model):
    strategy = models.OneToOneField(
        Strategy, on_delete=models.PROTECT, related_name="vision", verbose_name=_("strategy")
    )
    text = models.TextField(_("vision"))
    source = models.CharField(_("source"), max_length=SOURCE_LENGTH)

    class Meta:
        verbose_name = _("vision")
        verbose_name_plural = _("visions")

    def __str__(self):
        return self.text


class Target(models.Model):
    """A strategic target ("pejlemærke") with the source's words for the indicators that follow it."""

    strategy = models.ForeignKey(Strategy, on_delete=models.PROTECT, related_name="targets", verbose_name=_("strategy"))
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("target"))
    indicator_text = models.TextField(_("indicators"), help_text=_("As the source words them beside the target."))
    chapter = models.OneToOneField(
        Chapter,
        on_delete=models.PROTECT,
        related_name="target",
        verbose_name=_("chapter"),
        null=True,
        blank=True,
        help_text=_("The chapter whose initiatives serve the target."),
    )
    source = models.CharField(_("source"), max_length=SOURCE_LENGTH)
    indicator_source = models.CharField(_("source of the indicators"), max_length=SOURCE_LENGTH)

    class Meta:
        verbose_name = _("strategic target")
        verbose_name_plural = _("strategic targets")
        ordering = ["strategy__first_year", "number"]
        constraints = [models.UniqueConstraint(fields=["strategy", "number"], name="target_number_unique")]

    def __str__(self):
        return f"{self.number}. {self.text}"


class IndicatorKind(models.TextChoices):
    NUMBER = "number", _("a number")
    TEXT = "text", _("a text")


# Measured values are statistics: an index, mia. kr., a count per million inhabitants, a rank.
VALUE = {"max_digits": 15, "decimal_places": 3}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Indicator(models.Model):
    """A quantity that follows a target, with its baseline and target where the source gives them: as numbers
    only where the source gives a number, else as the source's words."""

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("target"))
    position = models.PositiveSmallIntegerField(_("position"))
    name = models.CharField(
        _("name"), max_length=SOURCE_LENGTH, help_text=_("What is measured, in the source's words.")
    )
    kind = models.CharField(_("measured as"), max_length=10, choices=IndicatorKind.choices)
    unit = models.CharField(_("unit"), max_length=100)
    baseline_value = models.DecimalField(_("baseline"), null=True, blank=True, **VALUE)
    baseline_text = models.CharField(_("baseline in words"), max_length=SOURCE_LENGTH, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("year of the baseline"), null=True, blank=True)
    target_value = models.DecimalField(_("target value"), null=True, blank=True, **VALUE)
    target_text = models.CharField(_("target in words"), max_length=SOURCE_LENGTH, blank=True)
    target_year = models.PositiveSmallIntegerField(_("year of the target"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=SOURCE_LENGTH)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["target", "position"]
        constraints = [
            models.UniqueConstraint(fields=["target", "position"], name="indicator_position_unique"),
            models.CheckConstraint(
                condition=Q(kind=IndicatorKind.NUMBER)
                | Q(kind=IndicatorKind.TEXT, baseline_value__isnull=True, target_value__isnull=True),
                name="indicator_numbers_only_when_numeric",
            ),
            models.CheckConstraint(
                condition=(Q(baseline_year__isnull=True) | Q(baseline_year__gte=1990, baseline_year__lte=2100))
                & (Q(target_year__isnull=True) | Q(target_year__gte=1990, target_year__lte=2100)),
                name="indicator_years_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_numeric(self) -> bool:
        return self.kind == IndicatorKind.NUMBER


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Measurement(models.Model):
    """A measured value of an indicator, for a year, a month or a day, with the source it is taken from.

    Not part of a published version: a measurement is a statistic that others publish (Danmarks Statistik,
    Eurostat, the industry), not the government's plan, so it is public from its save, corrected by a new save,
    and every save is in the audit trail with its reason.
    """

    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="measurements", verbose_name=_("indicator")
    )
    measured_on = models.DateField(_("measured for"), help_text=_("The first day of the year or month it is for."))
    precision = models.CharField(
        _("date known to the"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.YEAR
    )
    value = models.DecimalField(_("value"), null=True, blank=True, **VALUE)
    text = models.CharField(_("value in words"), max_length=SOURCE_LENGTH, blank=True)
    source = models.CharField(_("source"), max_length=SOURCE_LENGTH, help_text=_("Publisher, table or citation."))
    link = models.URLField(_("link to the source"), max_length=SOURCE_LENGTH, blank=True)

    class Meta:
        verbose_name = _("measured value")
        verbose_name_plural = _("measured values")
        ordering = ["indicator", "measured_on"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "measured_on"], name="measurement_once_per_date"),
            models.CheckConstraint(
                condition=Q(value__isnull=False, text="") | Q(value__isnull=True) & ~Q(text=""),
                name="measurement_value_or_text",
            ),
            models.CheckConstraint(
                condition=~Q(source="") & _without_control_characters("source", "text", "link"),
                name="measurement_has_a_plain_source",
            ),
            models.CheckConstraint(condition=_plausible("measured_on"), name="measurement_date_plausible"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.measured_on}"
