"""Figures across strategies: funding per year, and side by side by theme or chapter."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from budgets.models import FrameAmount, FrameKind
from budgets.numbers import ONE_DECIMAL, ZERO, Figure, format_amount
from initiatives.english import translated
from initiatives.models import Chapter, Strategy, Theme
from publication.editions import Edition


@dataclass
class YearlyFunding:
    """What each strategy allocates and has as frames in each year, kept apart so nothing is counted twice: the
    figures of the strategies held (every one, or the page of them shown), and the sums per year of them all."""

    years: list[int]
    strategies: list[Strategy]  # those held
    allocated: dict  # (strategy id, year) → Figure, of the strategies held
    frames: dict  # (strategy id, kind, year) → Decimal, of the strategies held
    totals: dict  # year → Figure, of every strategy
    frame_totals: dict  # year → Decimal, of every strategy's frames
    # year → Figure or None, of the strategies not held together; None where every strategy is held.
    rest: dict | None = None

    def figure(self, strategy, year) -> Figure | None:
        if year not in strategy.years:
            return None
        return self.allocated.get((strategy.pk, year), Figure())

    def frame(self, strategy, year, kind=None) -> Decimal | None:
        kinds = [kind] if kind else FrameKind.values
        amounts = [self.frames[(strategy.pk, k, year)] for k in kinds if (strategy.pk, k, year) in self.frames]
        return sum(amounts, ZERO) if amounts else None

    def total(self, year) -> Figure:
        return self.totals.get(year, Figure())

    def total_frame(self, year) -> Decimal | None:
        return self.frame_totals.get(year)

    @property
    def has_others(self) -> bool:
        return self.rest is not None

    def others(self, year) -> Figure | None:
        """What the strategies not held allocate in the year together; None where none of them has the year."""
        return self.rest[year]

    def overlaps(self) -> list[str]:
        """Plain statements of how the strategies held (the page of them shown) relate where they share a year, for
        the chart and the table."""
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
                    % {"strategy": str(strategy), "years": _join_years(inside), "amount": format_amount(amount)}
                )
            if outside:
                notes.append(
                    _("%(strategy)s: the reserve for %(years)s is not distributed in any published table.")
                    % {"strategy": str(strategy), "years": _join_years(outside)}
                )
        for year in self.years:
            sharing = [strategy for strategy in self.strategies if year in strategy.years]
            if len(sharing) > 1:
                notes.append(
                    _("%(year)s is in the period of both %(first)s and %(second)s; each bar shows its own frame.")
                    % {"year": year, "first": str(sharing[0]), "second": str(sharing[1])}
                )
        return notes


def _join_years(years) -> str:
    return ", ".join(str(year) for year in years)


def yearly_funding(edition: Edition, shown=None) -> YearlyFunding:
    """The figures of every strategy the reader may see, or of those ``shown`` (a page of them) with the others
    together; the sums per year are of every strategy.

    The database adds up the sums per year of all strategies and of the others: a thousand strategies' figures
    read and added up in Python, three times a year, took most of the overview's two seconds."""
    everyone = edition.strategies()
    held = list(everyone if shown is None else shown)
    held_ids = [strategy.pk for strategy in held]
    # The periods the strategies have, each with how many strategies have it and how many of them are held: the
    # years of the table, and the years in which a strategy not held takes part.
    periods = (
        everyone.order_by()
        .values_list("first_year", "last_year")
        .annotate(strategies=Count("pk"), held=Count("pk", filter=Q(pk__in=held_ids)))
    )
    years, rest_years = set(), set()
    for first, last, strategies, held_count in periods:
        years.update(range(first, last + 1))
        if held_count < strategies:
            rest_years.update(range(first, last + 1))
    sums = edition.year_totals()
    if shown is None:
        by_year = sums.sums("year")
    else:
        # Only a strategy's own years count for the others, as each column counts a strategy's own years.
        other = ~Q(strategy__in=held_ids) & Q(year__gte=F("strategy__first_year"), year__lte=F("strategy__last_year"))
        by_year = sums.annotate(other=ExpressionWrapper(other, output_field=BooleanField())).sums("other", "year")
        sums = sums.filter(strategy__in=held_ids)
    totals, others = defaultdict(Figure), defaultdict(Figure)
    for row in by_year:
        totals[row["year"]] += row["figure"]
        if row.get("other"):
            others[row["year"]] += row["figure"]
    allocated = {(row["strategy"], row["year"]): row["figure"] for row in sums.sums("strategy", "year")}
    frames = FrameAmount.objects.filter(frame__strategy__in=held_ids).by_strategy_kind_and_year()
    frame_totals = FrameAmount.objects.filter(frame__strategy__in=everyone).by_year()
    return YearlyFunding(
        years=sorted(years),
        strategies=held,
        allocated=allocated,
        frames=frames,
        totals=dict(totals),
        frame_totals=frame_totals,
        rest={year: others[year] if year in rest_years else None for year in years} if rest_years else None,
    )


NOTHING = Figure()


RESERVES = "reserves"
RESERVES_LAST = 99  # the reserves' place among a strategy's chapters, by number


class GroupBy:
    THEME = "theme"
    CHAPTER = "chapter"


@dataclass
class ComparisonRow:
    label: str
    figures: dict  # year → Figure
    strategy: Strategy | None = None
    # The row in every language: a theme's code, "<strategy slug>:<chapter number>", "reserves" or "total".
    key: str = ""

    def changes(self, years) -> list[tuple[int, int, Decimal | None, Decimal | None]]:
        """Each selected year against the one before it: (from, to, change in mio. kr., change in per cent)."""
        result = []
        period = self.strategy.years if self.strategy else None
        for before, after in zip(years, years[1:], strict=False):
            if period is not None and not (before in period and after in period):
                result.append((before, after, None, None))
                continue
            old, new = self.figures.get(before, NOTHING), self.figures.get(after, NOTHING)
            if not (old.is_complete and new.is_complete):
                result.append((before, after, None, None))
                continue
            difference = new.amount - old.amount
            # Rounded half up, as a spreadsheet shows the comparison workbook's per cent.
            percent = (
                None
                if old.amount == 0
                else (difference / old.amount * 100).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
            )
            result.append((before, after, difference, percent))
        return result


class ChapterRows(Sequence):
    """The rows of a comparison by chapter, in order of their strategy's first year, then of chapter number, each
    strategy's reserves last, read from the database a page at a time.

    A thousand strategies have ten thousand chapters: building, totalling and tabling all of them in Python to show
    a hundred took seconds. The order is one query of the rows' ids; a page's figures and chapters two more. Every
    row at once (the CSV file, the workbook, the API) is read once and kept.
    """

    def __init__(self, sums, strategies, reserve_label: str):
        self.sums = sums  # the sums per chapter and year of the strategies and years compared
        self.strategies = {strategy.pk: strategy for strategy in strategies}
        self.reserve_label = reserve_label

    @cached_property
    def keys(self) -> list[tuple[int, int | None]]:
        """(strategy id, chapter id or None for the reserves) of every row, in the rows' order."""
        groups = (
            self.sums.values_list("strategy", "chapter")
            .annotate(first_year=Min("strategy__first_year"), number=Coalesce(Min("chapter__number"), RESERVES_LAST))
            .order_by("first_year", "number", "strategy", F("chapter").asc(nulls_last=True))
        )
        return [(strategy, chapter) for strategy, chapter, _first_year, _number in groups]

    @cached_property
    def every_row(self) -> list[ComparisonRow]:
        return self._rows(self.keys, self.sums)

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self):
        return iter(self.every_row)

    def __getitem__(self, index):
        if "every_row" in self.__dict__:
            return self.every_row[index]
        if not isinstance(index, slice):
            return self[index : index + 1 or None][0]
        keys = self.keys[index]
        chapters = [chapter for _strategy, chapter in keys if chapter is not None]
        reserves = [strategy for strategy, chapter in keys if chapter is None]
        return self._rows(keys, self.sums.filter(Q(chapter__in=chapters) | Q(chapter=None, strategy__in=reserves)))

    def _rows(self, keys, sums) -> list[ComparisonRow]:
        figures = defaultdict(dict)
        for row in sums.sums("strategy", "chapter", "year"):
            figures[(row["strategy"], row["chapter"])][row["year"]] = row["figure"]
        chapters = Chapter.objects.in_bulk([chapter for _strategy, chapter in keys if chapter is not None])
        rows = []
        for strategy_id, chapter_id in keys:
            strategy, chapter = self.strategies[strategy_id], chapters.get(chapter_id)
            # In the reader's language, where the strategy's texts have a translation.
            label = Chapter.label(chapter.number, translated(chapter, "title")) if chapter else self.reserve_label
            key = f"{strategy.slug}:{chapter.number if chapter else RESERVES}"
            rows.append(ComparisonRow(f"{strategy} · {label}", figures[(strategy_id, chapter_id)], strategy, key))
        return rows


@dataclass
class Comparison:
    strategies: list[Strategy]
    years: list[int]
    by: str
    sums: QuerySet  # the sums of the strategies and years compared, per theme or per chapter
    rows: Sequence[ComparisonRow] = field(default_factory=list)

    @cached_property
    def totals(self) -> ComparisonRow:
        """Every row added up, by the database: the rows of a comparison by chapter are read a page at a time."""
        return ComparisonRow(_("Total"), {row["year"]: row["figure"] for row in self.sums.sums("year")}, key="total")


def _of_strategies(sums, edition: Edition, strategies):
    """The sums of ``strategies`` alone. Where they are every strategy the public sees, the versions shown name them
    already: a thousand strategies' ids beside the thousand versions' cost the query's planning more than its run."""
    if not edition.is_draft and {strategy.pk for strategy in strategies} == set(edition.shown):
        return sums
    return sums.filter(strategy__in=strategies)


def compare(edition: Edition, strategies, years, by=GroupBy.THEME) -> Comparison:
    """Funding of the chosen strategies in the chosen years, side by side per theme or per chapter."""
    strategies, years = list(strategies), sorted(years)
    # Each version's totals over its chapters or over its themes (the draft's sums per chapter), not every cell.
    reserve_label = _("Reserves and not yet distributed")
    if by == GroupBy.THEME:
        sums = _of_strategies(edition.year_totals(), edition, strategies).filter(year__in=years)
        comparison = Comparison(strategies=strategies, years=years, by=by, sums=sums)
        grouped = defaultdict(dict)
        for row in sums.sums("theme", "year"):
            grouped[row["theme"]][row["year"]] = row["figure"]
        labels = dict(Theme.choices)
        comparison.rows = [
            ComparisonRow(str(labels[theme]), grouped[theme], key=theme) for theme in Theme.values if theme in grouped
        ]
        if None in grouped:
            comparison.rows.append(ComparisonRow(reserve_label, grouped[None], key=RESERVES))
        return comparison
    sums = _of_strategies(edition.chapter_totals(), edition, strategies).filter(year__in=years)
    return Comparison(
        strategies=strategies, years=years, by=by, sums=sums, rows=ChapterRows(sums, strategies, reserve_label)
    )
