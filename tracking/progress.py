"""How far each initiative has come, as a reader sees it: the draft for staff, each strategy's shown version for
the public (publication.editions.Edition), read alike from the draft's rows or the version's copies.

An initiative with a milestone past its day and not reached shows as late whatever its status says, with the
milestone named; one with no status yet says so, never a guessed status.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.figures import budget_table, total
from budgets.numbers import Figure
from publication.editions import Edition
from tracking.models import (
    Milestone,
    PublishedMilestone,
    PublishedResponsibility,
    PublishedStatusUpdate,
    Responsibility,
    Status,
    StatusUpdate,
)

NO_STATUS = ""  # an initiative without any status update
NO_STATUS_LABEL = gettext_lazy("no status yet")
# The order statuses are listed in: late first, as the pages put what needs attention first.
ORDER = [Status.LATE, Status.NOT_STARTED, Status.STARTED, Status.DONE, Status.ABANDONED, NO_STATUS]


def status_label(status: str) -> str:
    return str(Status(status).label) if status else str(NO_STATUS_LABEL)


def _versions(edition: Edition) -> list[int]:
    return [publication.pk for publication in edition.publications.values()]


def status_updates(edition: Edition):
    """Every status update the reader sees, of every strategy: StatusUpdate or PublishedStatusUpdate rows, which
    share the fields initiative, status, as_of, text and update_id."""
    if edition.is_draft:
        return StatusUpdate.objects.all()
    return PublishedStatusUpdate.objects.filter(publication_id__in=_versions(edition))


def milestones(edition: Edition):
    if edition.is_draft:
        return Milestone.objects.all()
    return PublishedMilestone.objects.filter(publication_id__in=_versions(edition))


def responsibilities(edition: Edition):
    if edition.is_draft:
        return Responsibility.objects.all()
    return PublishedResponsibility.objects.filter(publication_id__in=_versions(edition))


def _newest_first(edition: Edition) -> list[str]:
    """The order of status updates, newest first: by the day they refer to, then as they were entered."""
    return ["-as_of", "-id" if edition.is_draft else "-update_id"]


def today(edition: Edition) -> date:
    """The day a milestone is late from: the edition's moment, in Copenhagen."""
    return timezone.localdate(edition.at)


@dataclass(frozen=True)
class Overdue:
    title: str
    planned: date

    def __str__(self):
        return _("milestone “%(title)s” should have been reached %(date)s") % {
            "title": self.title,
            "date": date_format(self.planned),
        }


@dataclass
class Progress:
    """One initiative's implementation as a reader sees it."""

    initiative: object
    updates: list  # newest first
    milestones: list  # by planned day
    authority: object  # Authority or None
    today: date
    money: Figure | None = None  # over the strategy's period; None where no budget line funds it
    shared: bool = False  # its money is on a line that funds other initiatives too

    @property
    def current(self):
        return self.updates[0] if self.updates else None

    @property
    def status(self) -> str:
        """The latest update's status, or NO_STATUS."""
        return self.current.status if self.current else NO_STATUS

    @cached_property
    def overdue(self) -> list[Overdue]:
        return [
            Overdue(milestone.title, milestone.planned)
            for milestone in self.milestones
            if milestone.reached is None and milestone.planned < self.today
        ]

    @property
    def is_late(self) -> bool:
        return self.status == Status.LATE or bool(self.overdue)

    @property
    def shown_status(self) -> str:
        """What the pages show: late where a milestone is overdue, whatever the status says."""
        return Status.LATE if self.overdue else self.status

    @property
    def label(self) -> str:
        return status_label(self.shown_status)

    @property
    def reasons(self) -> list[str]:
        return [str(overdue) for overdue in self.overdue]


def progress_of(edition: Edition, initiatives) -> dict[int, Progress]:
    """Initiative id → its Progress, for the initiatives given, in three queries."""
    initiatives = list(initiatives)
    ids = [initiative.pk for initiative in initiatives]
    updates, steps = defaultdict(list), defaultdict(list)
    for update in status_updates(edition).filter(initiative__in=ids).order_by("initiative", *_newest_first(edition)):
        updates[update.initiative_id].append(update)
    for milestone in milestones(edition).filter(initiative__in=ids).order_by("planned", "title"):
        steps[milestone.initiative_id].append(milestone)
    authorities = {
        row.initiative_id: row.authority
        for row in responsibilities(edition).filter(initiative__in=ids).select_related("authority")
    }
    day = today(edition)
    return {
        initiative.pk: Progress(
            initiative, updates[initiative.pk], steps[initiative.pk], authorities.get(initiative.pk), day
        )
        for initiative in initiatives
    }


@dataclass
class StatusGroup:
    status: str
    initiatives: int = 0
    money: Figure | None = None  # None where no budget line counts under it

    @property
    def label(self) -> str:
        return status_label(self.status)


@dataclass
class ChapterProgress:
    chapter: object
    items: list  # Progress, late first, then in the strategy's order
    target: object = None

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.shown_status == status)


@dataclass
class StrategyProgress:
    strategy: object
    chapters: list[ChapterProgress]
    groups: list[StatusGroup]
    years: range
    items: list = field(default_factory=list)

    @property
    def late(self) -> list[Progress]:
        return [item for item in self.items if item.is_late]

    @property
    def has_targets(self) -> bool:
        return any(chapter.target for chapter in self.chapters)


def _sorted(items: list[Progress]) -> list[Progress]:
    return sorted(items, key=lambda item: (not item.is_late, item.initiative.position))


def strategy_progress(strategy, edition: Edition) -> StrategyProgress:
    """Each chapter's initiatives with their progress and money, and per status how many initiatives and how much
    money. A budget line's money counts under the status of its first initiative, as it counts under its theme."""
    table = budget_table(strategy, edition)
    initiatives = [initiative for section in table.sections for initiative in section.initiatives]
    found = progress_of(edition, initiatives)
    money = defaultdict(list)
    groups = {status: StatusGroup(status) for status in ORDER}
    for row in [row for section in table.sections for row in section.rows]:
        for initiative in row.initiatives:
            if row.total is not None:
                money[initiative.pk].append(row.total)
            found[initiative.pk].shared = len(row.initiatives) > 1
        if row.initiatives and row.total is not None:
            group = groups[found[row.initiatives[0].pk].shown_status]
            group.money = row.total if group.money is None else group.money + row.total
    for item in found.values():
        item.money = total(money[item.initiative.pk]) if money[item.initiative.pk] else None
        groups[item.shown_status].initiatives += 1
    targets = {target.chapter_id: target for target in strategy.targets.all()}
    chapters = [
        ChapterProgress(
            section.chapter,
            _sorted([found[initiative.pk] for initiative in section.initiatives]),
            targets.get(section.chapter.pk),
        )
        for section in table.sections
    ]
    return StrategyProgress(
        strategy,
        chapters,
        [group for group in groups.values()],
        table.years,
        _sorted(list(found.values())),
    )


def filter_by_status(queryset, edition: Edition, status: str, day: date | None = None):
    """Initiatives (a queryset) whose shown status is ``status`` (NO_STATUS: none yet), in the reader's edition."""
    day = day or today(edition)
    latest = status_updates(edition).filter(initiative=OuterRef("pk")).order_by(*_newest_first(edition))
    overdue = Exists(milestones(edition).filter(initiative=OuterRef("pk"), reached__isnull=True, planned__lt=day))
    queryset = queryset.annotate(current_status=Subquery(latest.values("status")[:1]), overdue=overdue)
    if status == Status.LATE:
        return queryset.filter(Q(overdue=True) | Q(current_status=Status.LATE))
    if status == NO_STATUS:
        return queryset.filter(overdue=False, current_status__isnull=True)
    return queryset.filter(overdue=False, current_status=status)


def filter_by_authority(queryset, edition: Edition, authority):
    return queryset.filter(Exists(responsibilities(edition).filter(initiative=OuterRef("pk"), authority=authority)))
