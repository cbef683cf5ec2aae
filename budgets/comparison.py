"""Figures across strategies: funding per year, and side by side by theme or chapter."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from budgets.models import Allocation, CellKind, FrameAmount, FrameKind
from budgets.numbers import ZERO, Figure, format_amount
from initiatives.models import Chapter, Strategy, Theme


@dataclass
class YearlyFunding:
    """What each strategy allocates and has as frames in each year, kept apart so nothing is counted twice."""

    years: list[int]
    strategies: list[Strategy]
    allocated: dict  # (strategy id, year) → Figure
    frames: dict  # (strategy id, kind, year) → Decimal

    def figure(self, strategy, year) -> Figure | None:
        if year not in strategy.years:
            return None
        return self.allocated.get((strategy.pk, year), Figure())

    def frame(self, strategy, year, kind=None) -> Decimal | None:
        kinds = [kind] if kind else FrameKind.values
        amounts = [self.frames[(strategy.pk, k, year)] for k in kinds if (strategy.pk, k, year) in self.frames]
        return sum(amounts, ZERO) if amounts else None

    def total(self, year) -> Figure:
        return sum((self.allocated.get((strategy.pk, year), Figure()) for strategy in self.strategies), Figure())

    def total_frame(self, year) -> Decimal | None:
        amounts = [self.frame(strategy, year) for strategy in self.strategies]
        amounts = [amount for amount in amounts if amount is not None]
        return sum(amounts, ZERO) if amounts else None

    def overlaps(self) -> list[str]:
        """Plain statements of how strategies that share a year relate, for the chart and the table."""
        notes = []
        for strategy in self.strategies:
            reserve_years = [year for year in self.years if self.frame(strategy, year, FrameKind.RESERVE)]
            inside = [year for year in reserve_years if year in strategy.years]
            outside = [year for year in reserve_years if year not in strategy.years]
            if inside:
                amount = self.frame(strategy, inside[0], FrameKind.RESERVE)
                notes.append(
                    _(
                        "%(strategy)s: the totals for %(years)s include the growth-plan reserve of %(amount)s "
                        "mio. kr. a year; it is counted once, in this strategy."
                    )
                    % {"strategy": strategy.short_title, "years": _join_years(inside), "amount": format_amount(amount)}
                )
            if outside:
                notes.append(
                    _("%(strategy)s: the reserve for %(years)s is not distributed in any published table.")
                    % {"strategy": strategy.short_title, "years": _join_years(outside)}
                )
        for year in self.years:
            sharing = [strategy for strategy in self.strategies if year in strategy.years]
            if len(sharing) > 1:
                notes.append(
                    _("%(year)s is in the period of both %(first)s and %(second)s; each bar shows its own frame.")
                    % {"year": year, "first": sharing[0].short_title, "second": sharing[1].short_title}
                )
        return notes


def _join_years(years) -> str:
    return ", ".join(str(year) for year in years)


def yearly_funding(strategies=None) -> YearlyFunding:
    strategies = list(strategies if strategies is not None else Strategy.objects.all())
    allocations = Allocation.objects.filter(line__strategy__in=strategies)
    allocated = {
        (row["line__strategy"], row["year"]): row["figure"] for row in allocations.sums("line__strategy", "year")
    }
    frames = FrameAmount.objects.filter(frame__strategy__in=strategies).by_strategy_kind_and_year()
    years = sorted({year for strategy in strategies for year in strategy.years})
    return YearlyFunding(years=years, strategies=strategies, allocated=allocated, frames=frames)


# Per theme of each line's first initiative and year: the amounts summed, the unknown and financed cells counted.
# The ORM can say "the line's first initiative" only as a subquery per cell, which PostgreSQL would run once for
# each of a million cells; here each line's theme is found once and joined.
THEME_SUMS = """
WITH first_theme AS (
    SELECT DISTINCT ON (covered.budgetline_id) covered.budgetline_id AS line_id, initiative.theme
    FROM budgets_budgetline_initiatives covered
    JOIN initiatives_initiative initiative ON initiative.id = covered.initiative_id
    ORDER BY covered.budgetline_id, initiative.position, initiative.id
)
SELECT first_theme.theme, cell.year,
       COALESCE(SUM(cell.amount) FILTER (WHERE cell.kind = %(amount)s), 0.0),
       COUNT(*) FILTER (WHERE cell.kind = %(unknown)s),
       COUNT(*) FILTER (WHERE cell.kind = %(financed)s)
FROM budgets_allocation cell
JOIN budgets_budgetline line ON line.id = cell.line_id
LEFT JOIN first_theme ON first_theme.line_id = cell.line_id
WHERE line.strategy_id = ANY(%(strategies)s) AND cell.year = ANY(%(years)s)
GROUP BY first_theme.theme, cell.year
"""


def theme_sums(strategies, years) -> list[tuple[str | None, int, Figure]]:
    """(theme, year, Figure) of the chosen strategies' cells in the chosen years; None: lines with no initiative."""
    with connection.cursor() as cursor:
        cursor.execute(
            THEME_SUMS,
            {
                "amount": CellKind.AMOUNT,
                "unknown": CellKind.UNKNOWN,
                "financed": CellKind.FINANCED_ELSEWHERE,
                "strategies": [strategy.pk for strategy in strategies],
                "years": list(years),
            },
        )
        return [(theme, year, Figure(amount, unknown, financed)) for theme, year, amount, unknown, financed in cursor]


class GroupBy:
    THEME = "theme"
    CHAPTER = "chapter"


@dataclass
class ComparisonRow:
    label: str
    figures: dict  # year → Figure
    strategy: Strategy | None = None

    def changes(self, years) -> list[tuple[int, int, Decimal | None, Decimal | None]]:
        """Each selected year against the one before it: (from, to, change in mio. kr., change in per cent)."""
        result = []
        for before, after in zip(years, years[1:], strict=False):
            if self.strategy and not (before in self.strategy.years and after in self.strategy.years):
                result.append((before, after, None, None))
                continue
            old, new = self.figures.get(before, Figure()), self.figures.get(after, Figure())
            if not (old.is_complete and new.is_complete):
                result.append((before, after, None, None))
                continue
            difference = new.amount - old.amount
            percent = None if old.amount == 0 else (difference / old.amount * 100).quantize(Decimal("0.1"))
            result.append((before, after, difference, percent))
        return result


@dataclass
class Comparison:
    strategies: list[Strategy]
    years: list[int]
    by: str
    rows: list[ComparisonRow] = field(default_factory=list)

    @property
    def totals(self) -> ComparisonRow:
        figures = defaultdict(Figure)
        for row in self.rows:
            for year, figure in row.figures.items():
                figures[year] = figures[year] + figure
        return ComparisonRow(_("Total"), dict(figures))


def compare(strategies, years, by=GroupBy.THEME) -> Comparison:
    """Funding of the chosen strategies in the chosen years, side by side per theme or per chapter."""
    strategies, years = list(strategies), sorted(years)
    cells = Allocation.objects.filter(line__strategy__in=strategies).in_years(years)
    comparison = Comparison(strategies=strategies, years=years, by=by)
    reserve_label = _("Reserves and not yet distributed")
    if by == GroupBy.THEME:
        grouped = defaultdict(dict)
        for theme, year, figure in theme_sums(strategies, years):
            grouped[theme][year] = figure
        labels = dict(Theme.choices)
        comparison.rows = [
            ComparisonRow(str(labels[theme]), grouped[theme]) for theme in Theme.values if theme in grouped
        ]
        if None in grouped:
            comparison.rows.append(ComparisonRow(reserve_label, grouped[None]))
        return comparison
    grouped = defaultdict(dict)
    for row in cells.sums("line__strategy", "line__chapter", "year"):
        grouped[(row["line__strategy"], row["line__chapter"])][row["year"]] = row["figure"]
    chapters = {chapter.pk: chapter for chapter in Chapter.objects.filter(strategy__in=strategies)}
    by_strategy = {strategy.pk: strategy for strategy in strategies}
    for (strategy_id, chapter_id), figures in sorted(
        grouped.items(),
        key=lambda item: (by_strategy[item[0][0]].first_year, chapters[item[0][1]].number if item[0][1] else 99),
    ):
        strategy = by_strategy[strategy_id]
        label = str(chapters[chapter_id]) if chapter_id else reserve_label
        comparison.rows.append(ComparisonRow(f"{strategy.short_title} · {label}", figures, strategy))
    return comparison
