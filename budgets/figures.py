"""Figures derived from the stored cells: sums, subtotals, what is left of a frame, reconciliation.

Everything here is computed from one strategy's rows in a fixed, small number of queries, so the
strategy page, the reconciliation command and the exports agree to the decimal.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from budgets.cells import StoredCell
from budgets.models import BudgetLine, Footnote, FrameAmount, PublishedTotal
from budgets.numbers import ZERO, Figure
from initiatives.models import Chapter, Initiative, Strategy, lineage
from publication.editions import Edition


def total(figures) -> Figure:
    """The sum of Figures, made as one: adding them pairwise makes a Figure per addition, 20.000 on a large page."""
    amount, unknown, financed = ZERO, 0, 0
    for figure in figures:
        amount += figure.amount
        unknown += figure.unknown
        financed += figure.financed
    return Figure(amount, unknown, financed)


# The sums below are computed once per table: pages and charts read each of them many times over, and a
# strategy of 1.000 lines would otherwise add its cells up again for every subtotal shown.


@dataclass
class Row:
    line: BudgetLine
    cells: list  # StoredCell or None, one per year
    initiatives: list = field(default_factory=list)  # those the line funds, in their order in the strategy
    footnotes: list = field(default_factory=list)

    @cached_property
    def numbers(self) -> str:
        return " + ".join(initiative.number for initiative in self.initiatives if initiative.number)

    @cached_property
    def figures(self) -> list[Figure]:
        return [Figure.of(cell) for cell in self.cells]

    @cached_property
    def total(self) -> Figure | None:
        """None for a row whose cells are all blank, as the tables leave it."""
        if all(cell is None for cell in self.cells):
            return None
        return total(self.figures)


@dataclass
class Section:
    """A chapter of the table (or the reserves, which have no chapter) with its rows and sums."""

    chapter: Chapter | None
    rows: list[Row]
    published: list  # PublishedTotal or None per year: the subtotal as the source prints it
    years: range
    initiatives: list = field(default_factory=list)  # every initiative of the chapter

    @property
    def published_amounts(self) -> list:
        return [getattr(item, "amount", None) for item in self.published]

    @cached_property
    def subtotals(self) -> list[Figure]:
        return [total(column) for column in zip(*(row.figures for row in self.rows), strict=True)] or [
            Figure() for _ in self.years
        ]

    @cached_property
    def total(self) -> Figure:
        return total(self.subtotals)

    @cached_property
    def initiatives_without_line(self) -> list:
        if self.chapter is None:
            return []
        covered = {initiative.pk for row in self.rows for initiative in row.initiatives}
        return [initiative for initiative in self.initiatives if initiative.pk not in covered]

    @cached_property
    def entries(self) -> list:
        """The section's rows (Row) and its initiatives without a line (Initiative), as the strategy lists them."""
        return in_printed_order(self.rows, _first_position, self.initiatives_without_line)


def _first_position(row: Row) -> int | None:
    return row.initiatives[0].position if row.initiatives else None


def in_printed_order(lines, first_position, initiatives) -> list:
    """Lines in the table's order, each initiative without a line of its own put before the first line whose first
    initiative comes after it: 4.3, 4.4 and 4.5 between 4.2 and 4.6, not after every line of the chapter.

    ``first_position`` gives a line's first initiative's position, or None for a line of no initiative.
    """
    waiting = sorted(initiatives, key=lambda initiative: initiative.position)
    result = []
    for line in lines:
        position = first_position(line)
        while waiting and position is not None and waiting[0].position < position:
            result.append(waiting.pop(0))
        result.append(line)
    return result + waiting


@dataclass
class FooterRow:
    """A row below a budget table: its totals, the published totals, the frames and what is left of them."""

    key: str  # total, published, frame, explained or left: what the row is, for the outputs that style or compute it
    label: str
    values: list  # Figure, Decimal or None per year
    markers: list  # the footnote marker printed beside each value, or ""
    total: Figure | Decimal | None = None

    @property
    def cells(self) -> list[tuple]:
        return list(zip(self.values, self.markers, strict=True))


@dataclass
class BudgetTable:
    strategy: Strategy
    years: range
    sections: list[Section]
    reserves: Section
    published_totals: list  # PublishedTotal or None per year
    frames: list  # Decimal or None per year
    footnotes: list = field(default_factory=list)

    @cached_property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows] + self.reserves.rows

    @cached_property
    def totals(self) -> list[Figure]:
        return [
            total(column)
            for column in zip(*(section.subtotals for section in self.sections), self.reserves.subtotals, strict=True)
        ]

    @cached_property
    def grand_total(self) -> Figure:
        return total(self.totals)

    @cached_property
    def explained(self) -> list[Decimal]:
        return explained_by_footnotes(self.published_totals)

    @cached_property
    def left_of_frame(self) -> list[Figure | None]:
        """Per year: the frame less the rows and what the footnotes explain; unknown where a row is, as nobody knows
        how much of the frame it takes."""
        return [
            None
            if frame is None
            else Figure(unknown=figure.unknown)
            if not figure.is_complete
            else Figure(frame - figure.amount - explained)
            for frame, figure, explained in zip(self.frames, self.totals, self.explained, strict=True)
        ]

    @property
    def left_in_all(self) -> Figure | None:
        """What is left of the frames of every year, unknown if it is in any year."""
        if None in self.left_of_frame:
            return None
        unknown = sum(figure.unknown for figure in self.left_of_frame)
        return Figure(unknown=unknown) if unknown else total(self.left_of_frame)

    @cached_property
    def footer(self) -> list[FooterRow]:
        """The rows below the table, as every output prints them."""
        return footer_rows(self.published_totals, self.frames, self)


def explained_by_footnotes(published_totals) -> list[Decimal]:
    """Per year: what the published total holds beyond the rows and a footnote explains (2030's 0,9 mio. kr. of
    bridge financing in 2024), spent but in no row."""
    return [
        total.explained_difference if total is not None and total.footnote_id else ZERO for total in published_totals
    ]


def footer_rows(published_totals, frames, table: BudgetTable | None = None) -> list[FooterRow]:
    """The rows below a budget table: its totals, the published totals, the frames, what the footnotes explain and
    what is left of the frames. Without ``table`` the sums are left out (None), for a workbook that writes them as
    formulas."""
    blank = [""] * len(frames)
    markers = [total.footnote.marker if total is not None and total.footnote_id else "" for total in published_totals]
    explained = explained_by_footnotes(published_totals)
    rows = [
        FooterRow(
            "total",
            _("Total"),
            table.totals if table else [None] * len(frames),
            blank,
            table.grand_total if table else None,
        ),
        FooterRow(
            "published",
            _("Total as published"),
            [None if item is None else item.amount for item in published_totals],
            markers,
        ),
        FooterRow("frame", _("Frame"), frames, blank, _sum_or_none(frames)),
    ]
    if any(explained):
        rows.append(
            FooterRow(
                "explained",
                _("In the published total but in no row"),
                [amount if amount else None for amount in explained],
                [marker if amount else "" for marker, amount in zip(markers, explained, strict=True)],
            )
        )
    rows.append(
        FooterRow(
            "left",
            _("Left of the frame"),
            table.left_of_frame if table else [None] * len(frames),
            blank,
            table.left_in_all if table else _sum_or_none(frames),
        )
    )
    return rows


def _sum_or_none(amounts) -> Decimal | None:
    return None if None in amounts else sum(amounts, ZERO)


def _per_line(through, strategy, related: str, order: str, objects: dict) -> defaultdict:
    """Line id → the objects one many-to-many relation of the strategy's lines links it to, ordered by ``order``.

    ``objects`` are the strategy's own: the database keeps every link inside one strategy (budgets migration 0006),
    and a link it did not (restored from an older backup, say) is left out rather than take the page down.
    """
    linked = defaultdict(list)
    for line_id, related_id in (
        through.objects.filter(budgetline__strategy=strategy)
        .order_by(f"{related}__{order}")
        .values_list("budgetline_id", f"{related}_id")
    ):
        if related_id in objects:
            linked[line_id].append(objects[related_id])
    return linked


def budget_table(strategy: Strategy, edition: Edition | None = None) -> BudgetTable:
    """The strategy's table in eight queries, each a flat list grouped here, with the cells of ``edition`` (the
    public's unless the draft is asked for).

    Django's prefetch_related would do the same in as many queries, but builds a queryset for every line and
    relation, which costs more than everything else on a page of 1.000 lines.
    """
    years = strategy.years
    chapters = {chapter.pk: chapter for chapter in Chapter.objects.for_strategy(strategy).order_by("number")}
    lines = list(BudgetLine.objects.for_strategy(strategy).order_by("position"))
    cells = StoredCell.by_line((edition or Edition.public()).cells_of(strategy))
    initiatives = {item.pk: item for item in Initiative.objects.for_strategy(strategy).order_by("position")}
    funded = _per_line(BudgetLine.initiatives.through, strategy, "initiative", "position", initiatives)
    footnotes = {footnote.pk: footnote for footnote in strategy.footnotes.all()}
    marked = _per_line(BudgetLine.footnotes.through, strategy, "footnote", "marker", footnotes)
    published = defaultdict(dict)
    for item in PublishedTotal.objects.filter(strategy=strategy).select_related("footnote"):
        published[item.chapter_id][item.year] = item
    frames = FrameAmount.objects.for_strategy(strategy).by_year()

    rows = defaultdict(list)
    for line in lines:
        if line.chapter_id is not None:
            line.chapter = chapters[line.chapter_id]
        by_year = cells[line.pk]
        rows[line.chapter_id].append(Row(line, [by_year.get(year) for year in years], funded[line.pk], marked[line.pk]))
    in_chapter = defaultdict(list)
    for initiative in initiatives.values():
        in_chapter[initiative.chapter_id].append(initiative)
    sections = [
        Section(
            chapter,
            rows[chapter.pk],
            [published[chapter.pk].get(year) for year in years],
            years,
            in_chapter[chapter.pk],
        )
        for chapter in chapters.values()
    ]
    return BudgetTable(
        strategy=strategy,
        years=years,
        sections=sections,
        reserves=Section(None, rows[None], [None] * len(years), years),
        published_totals=[published[None].get(year) for year in years],
        frames=[frames.get(year) for year in years],
        footnotes=sorted(footnotes.values(), key=lambda footnote: footnote.marker),
    )


@dataclass(frozen=True)
class Check:
    """One published figure held against the sum of the rows it sums."""

    strategy: Strategy
    year: int
    scope: str
    frame: Decimal | None
    rows: Figure
    published: Decimal | None
    explained: Decimal = ZERO
    note: str = ""

    @property
    def difference(self) -> Decimal | None:
        if self.published is None:
            return None
        return self.published - self.rows.amount

    @property
    def is_reconciled(self) -> bool:
        if self.published is None:
            return True
        return self.rows.is_complete and self.difference == self.explained

    @property
    def problem(self) -> str:
        if self.is_reconciled:
            return ""
        if not self.rows.is_complete:
            return ngettext(
                "%(count)d unknown cell; the published figure cannot be checked.",
                "%(count)d unknown cells; the published figure cannot be checked.",
                self.rows.unknown,
            ) % {"count": self.rows.unknown}
        return _("Difference of %(difference)s mio. kr. has no explanation.") % {
            "difference": self.difference - self.explained
        }


def reconcile(strategy: Strategy, edition: Edition) -> list[Check]:
    """Per year: the grand total and every chapter subtotal against the rows of ``edition``, and the frame."""
    table = budget_table(strategy, edition)
    all_frame_years = FrameAmount.objects.for_strategy(strategy).by_year()
    checks = []
    years = sorted(set(table.years) | set(all_frame_years))
    for year in years:
        index = year - strategy.first_year
        inside = year in table.years
        published = table.published_totals[index] if inside else None
        note = published.footnote.text if published is not None and published.footnote else ""
        if not inside:
            note = ", ".join(frame.note for frame in strategy.frames.filter(amounts__year=year) if frame.note)
        checks.append(
            Check(
                strategy=strategy,
                year=year,
                scope=_("Total"),
                frame=all_frame_years.get(year),
                rows=table.totals[index] if inside else Figure(),
                published=published.amount if published is not None else None,
                explained=published.explained_difference if published is not None else ZERO,
                note=note,
            )
        )
        if not inside:
            continue
        for section in table.sections:
            subtotal = section.published[index]
            if subtotal is None:
                continue
            checks.append(
                Check(
                    strategy=strategy,
                    year=year,
                    scope=str(section.chapter),
                    frame=None,
                    rows=section.subtotals[index],
                    published=subtotal.amount,
                    explained=subtotal.explained_difference,
                    note=subtotal.footnote.text if subtotal.footnote else "",
                )
            )
    return checks


@dataclass(frozen=True)
class InitiativeCount:
    """How many initiatives a strategy has, and how many of them the stored record names: the 2018 growth plan has
    36, of which the sources found name 18."""

    count: int
    named: int
    footnote: object = None  # the strategy's Footnote on where sources disagree about the count, if any

    @property
    def missing(self) -> int:
        return self.count - self.named


def initiative_count(strategy: Strategy, named: int | None = None) -> InitiativeCount:
    if named is None:
        named = Initiative.objects.for_strategy(strategy).count()
    footnote = (
        strategy.footnotes.filter(marker=strategy.initiatives_footnote).first()
        if strategy.initiatives_footnote
        else None
    )
    return InitiativeCount(strategy.initiative_count(named), named, footnote)


@dataclass(frozen=True)
class StrategySummary:
    strategy: Strategy
    initiatives: InitiativeCount
    frame: Decimal  # the frames of the strategy's own years
    allocated: Figure
    frames_outside: list = field(default_factory=list)  # (year, amount) of frames in years outside its period


def strategy_summaries(funding) -> list[StrategySummary]:
    """Each strategy the yearly funding holds (budgets.comparison.yearly_funding: every strategy, or the page of them
    shown) with its number of initiatives, its frame and what its rows allocate: its years added up, rather than
    every cell summed a second time.

    The frame is that of the strategy's own years: a reserve for a year outside them (2021's reserve for 2024) is
    listed apart, not added in, as no table of the strategy distributes it."""
    shown = [strategy.pk for strategy in funding.strategies]
    strategies = list(Strategy.objects.filter(pk__in=shown).with_initiative_count())
    frames = defaultdict(lambda: defaultdict(lambda: ZERO))
    for row in FrameAmount.objects.filter(frame__strategy__in=shown).values("frame__strategy", "year", "amount"):
        frames[row["frame__strategy"]][row["year"]] += row["amount"]
    footnotes = {
        (footnote.strategy_id, footnote.marker): footnote
        for footnote in Footnote.objects.filter(strategy__in=shown).exclude(marker="")
    }
    allocated = defaultdict(Figure)
    for (strategy_id, _year), figure in funding.allocated.items():
        allocated[strategy_id] += figure
    summaries = []
    for strategy in strategies:
        by_year = frames[strategy.pk]
        summaries.append(
            StrategySummary(
                strategy=strategy,
                initiatives=InitiativeCount(
                    strategy.initiative_count(strategy.initiative_count_stored),
                    strategy.initiative_count_stored,
                    footnotes.get((strategy.pk, strategy.initiatives_footnote)),
                ),
                frame=sum((amount for year, amount in by_year.items() if year in strategy.years), ZERO),
                allocated=allocated.get(strategy.pk, Figure()),
                frames_outside=sorted((year, amount) for year, amount in by_year.items() if year not in strategy.years),
            )
        )
    return summaries


@dataclass
class LineageEntry:
    """One initiative of a lineage with its money per year in its own strategy."""

    initiative: Initiative
    figures: dict  # year → Figure
    shared: bool  # its money is on a line that funds other initiatives too
    strategy_index: int

    @property
    def total(self) -> Figure | None:
        present = [figure for figure in self.figures.values() if figure is not None]
        return total(present) if present else None


def initiative_lineage(initiative: Initiative, edition: Edition) -> list[LineageEntry]:
    """The initiative and every predecessor and successor the reader may see, each with its yearly money."""
    chain = [entry for entry in lineage(initiative) if edition.shows(entry.chapter.strategy)]
    sums = edition.cells().filter(line__initiatives__in=chain).sums("line__initiatives", "year")
    by_initiative = defaultdict(dict)
    for row in sums:
        by_initiative[row["line__initiatives"]][row["year"]] = row["figure"]
    # From the chain's own lines, each asked whether another initiative shares it: counting the initiatives of
    # every line first grew with the lines of all strategies (438 ms of 1.786 at ten million cells).
    covered = BudgetLine.initiatives.through.objects
    others = covered.filter(budgetline=OuterRef("budgetline")).exclude(initiative=OuterRef("initiative"))
    shared = set(
        covered.filter(initiative__in=[entry.pk for entry in chain])
        .filter(Exists(others))
        .values_list("initiative", flat=True)
    )
    strategies = sorted({entry.chapter.strategy.first_year for entry in chain})
    return [
        LineageEntry(
            initiative=entry,
            figures={year: by_initiative[entry.pk].get(year) for year in entry.chapter.strategy.years},
            shared=entry.pk in shared,
            strategy_index=strategies.index(entry.chapter.strategy.first_year),
        )
        for entry in chain
    ]
