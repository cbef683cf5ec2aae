"""Reading published versions: the list of a strategy's versions, and what changed between any two."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from budgets.cells import ParsedCell
from budgets.models import BudgetLine
from publication.models import Publication, PublishedCell
from publication.services import amount_change


def version_list(strategy, edition, *, scheduled: bool = False) -> list[Publication]:
    """The strategy's versions public at the edition's moment, newest first; the scheduled ones too if asked."""
    versions = Publication.objects.for_strategy(strategy).select_related("approved_by", "strategy")
    if not scheduled:
        versions = versions.public(edition.at)
    return list(versions.order_by("-number"))


@dataclass(frozen=True)
class VersionDifference:
    line: BudgetLine
    year: int
    old: ParsedCell | None
    new: ParsedCell | None

    @property
    def change(self) -> Decimal | None:
        return amount_change(self.old, self.new)


def _as_cell(row: PublishedCell | None) -> ParsedCell | None:
    return None if row is None else ParsedCell.of(row)


def _shown_at(row: PublishedCell, number: int) -> bool:
    return row.valid_from <= number and (row.valid_until is None or row.valid_until > number)


def differences(strategy, old: int, new: int) -> list[VersionDifference]:
    """Every cell that differs between two versions of the strategy, in the table's order.

    Only rows made or replaced between the two versions can differ, so only those are read.
    """
    low, high = sorted((old, new))
    rows = PublishedCell.objects.filter(strategy=strategy).filter(
        Q(valid_from__gt=low, valid_from__lte=high) | Q(valid_until__gt=low, valid_until__lte=high)
    )
    by_cell = defaultdict(list)
    for row in rows:
        by_cell[(row.line_id, row.year)].append(row)
    found = []
    for key, candidates in by_cell.items():
        before = _as_cell(next((row for row in candidates if _shown_at(row, old)), None))
        after = _as_cell(next((row for row in candidates if _shown_at(row, new)), None))
        if before != after:
            found.append((key, before, after))
    lines = {
        line.pk: line
        for line in BudgetLine.objects.filter(pk__in={key[0] for key, _, _ in found}).prefetch_related("initiatives")
    }
    return sorted(
        (VersionDifference(lines[line_id], year, before, after) for (line_id, year), before, after in found),
        key=lambda difference: (difference.line.position, difference.year),
    )
