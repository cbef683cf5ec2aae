"""Which figures a reader sees: the draft that staff edit, or for each strategy the version the public may see.

Every page, export and API response that shows figures reads them through an Edition, so the public can never
be handed the draft by a view that forgot to ask: the published edition is what a reader gets unless a view
asks for the draft for someone allowed to see it.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime

from django.utils import timezone

from budgets.models import Allocation, YearSum
from initiatives.models import Strategy
from publication.models import Publication, PublishedCell, PublishedChapterTotal, PublishedYearTotal

PUBLIC_VIEW = "public"  # ?view=public: staff see a page as the public does


@dataclass(frozen=True)
class Edition:
    is_draft: bool
    at: datetime
    shown: dict = field(default_factory=dict)  # strategy id → number of the version shown
    latest: dict = field(default_factory=dict)  # strategy id → number of its newest version, scheduled included
    publications: dict = field(default_factory=dict)  # strategy id → the version shown

    @classmethod
    def draft(cls) -> "Edition":
        return cls(is_draft=True, at=timezone.now())

    @classmethod
    def public(cls, at: datetime | None = None) -> "Edition":
        """The newest version of each strategy that is public at ``at`` (now): embargoes end without a write."""
        at = at or timezone.now()
        shown, latest, publications = {}, {}, {}
        for strategy, (publication, newest) in Publication.objects.shown_and_latest(at).items():
            latest[strategy] = newest
            if publication is not None:
                shown[strategy], publications[strategy] = publication.number, publication
        return cls(is_draft=False, at=at, shown=shown, latest=latest, publications=publications)

    def pinned(self, publication: Publication) -> "Edition":
        """This edition with one strategy shown at an earlier public version, such as ``?version=1``."""
        assert not self.is_draft and publication.published_at <= self.at
        return replace(
            self,
            shown={**self.shown, publication.strategy_id: publication.number},
            publications={**self.publications, publication.strategy_id: publication},
        )

    def shows(self, strategy) -> bool:
        """Whether the reader may see the strategy at all: the public only once a version of it is out."""
        return self.is_draft or strategy.pk in self.shown

    def strategies(self):
        return Strategy.objects.all() if self.is_draft else Strategy.objects.filter(pk__in=list(self.shown))

    def publication(self, strategy) -> Publication | None:
        """The version shown of the strategy (the draft shows none)."""
        return None if self.is_draft else self.publications.get(strategy.pk)

    def cells(self):
        """Every cell the reader sees, of every strategy, as a queryset of Allocation or PublishedCell: both have
        the fields line, year, kind, amount, text, is_correction and version, and the same queryset methods."""
        if self.is_draft:
            return Allocation.objects.all()
        return PublishedCell.objects.in_versions(self.shown, self.latest, every_strategy=True)

    def cells_of(self, strategy):
        if self.is_draft:
            return Allocation.objects.filter(line__strategy=strategy)
        if strategy.pk not in self.shown:
            return PublishedCell.objects.none()
        return PublishedCell.objects.in_versions({strategy.pk: self.shown[strategy.pk]}, self.latest)

    def year_totals(self):
        """The sums per theme and year, all chapters together, for the pages that add up every strategy: the sums
        per chapter and theme the database keeps of the draft (budgets.models.YearSum; only staff read them), or
        each version's totals (PublishedYearTotal). Both have the same fields and ``sums()``."""
        if self.is_draft:
            return YearSum.objects.all()
        return PublishedYearTotal.objects.filter(
            publication_id__in=[publication.pk for publication in self.publications.values()]
        )

    def chapter_totals(self):
        """The sums per chapter and year, all themes together: the draft's sums per chapter or each version's
        totals (PublishedChapterTotal)."""
        if self.is_draft:
            return YearSum.objects.all()
        return PublishedChapterTotal.objects.filter(
            publication_id__in=[publication.pk for publication in self.publications.values()]
        )

    @property
    def cache_part(self) -> str:
        return "draft" if self.is_draft else "public"


def sees_drafts(user) -> bool:
    """Ministry staff (editors, approvers, administrators) see the draft; nobody else ever does."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def for_request(request) -> Edition:
    """The draft for staff (unless they ask to see the page as the public does), else the public edition; made
    once per request, so every part of a page shows the same figures."""
    edition = getattr(request, "_edition", None)
    if edition is None:
        if sees_drafts(request.user) and request.GET.get("view") != PUBLIC_VIEW:
            edition = Edition.draft()
        else:
            edition = Edition.public()
        request._edition = edition
    return edition
