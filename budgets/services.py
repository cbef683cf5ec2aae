"""Operations on budgets, called alike by commands, views and tests."""

import csv
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from budgets.baselines import PUBLISHED_NAME, freeze_baseline
from budgets.cells import EMPTY_MARKS, fixture_cell, split_markers
from budgets.models import (
    Allocation,
    BaselineKind,
    BudgetLine,
    Footnote,
    FrameAmount,
    FundingFrame,
    LineKind,
    PublishedTotal,
)
from budgets.numbers import parse_amount
from initiatives.english import load_english_texts
from initiatives.models import Chapter, Initiative, InitiativeLink, LinkRelation, Strategy, Theme
from publication.models import DatePrecision
from publication.services import publish_as_published
from tracking.fixtures import load_targets

FIXTURES_DIR = settings.BASE_DIR / "fixtures"
# Any number, so two `make run` started at once cannot both seed.
SEED_LOCK_KEY = 8_204_2030


class FixtureError(Exception):
    """A fixture file that does not say what the loader can store; names the file and line."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(f"{path.name}:{line}: {message}")


@dataclass
class SeedResult:
    strategies: int = 0
    chapters: int = 0
    initiatives: int = 0
    lines: int = 0
    allocations: int = 0
    links: int = 0
    targets: int = 0
    skipped: bool = False


def seed_strategies(directory: Path = FIXTURES_DIR) -> SeedResult:
    """Load the shipped strategies into a database that holds none; never touch one that does.

    The whole load is one transaction: a fixture error leaves the database as it was.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEED_LOCK_KEY])
        if Strategy.objects.exists():
            return SeedResult(strategies=Strategy.objects.count(), skipped=True)
        result = SeedResult()
        meta = tomllib.loads((directory / "strategies.toml").read_text(encoding="utf-8"))
        published = {}
        for entry in meta["strategy"]:
            when = entry.pop("published")
            strategy = _create_strategy(entry, result)
            published[strategy] = when
            _load_table(strategy, directory / f"strategy-{strategy.slug}.csv", result)
        _load_lineage(directory / "lineage.csv", result)
        result.targets = load_targets(directory)
        load_english_texts(directory / "english.toml")
        # The fixtures are the figures as published: keep them as the baseline every later edit is held against,
        # and as each strategy's version 1, which is what the public sees until an approver publishes another.
        freeze_baseline(PUBLISHED_NAME, kind=BaselineKind.PUBLISHED)
        # Publishing moves the version of the figures, so no page cached before the load is served after it.
        for strategy, when in published.items():
            publish_as_published([strategy], *publication_date(when), note=PUBLISHED_NAME)
        return result


def publication_date(text: str) -> tuple[datetime, str]:
    """``"2018-03"`` → the first moment of March 2018 in Copenhagen, known to the month; also ``"2024"`` and
    ``"2024-05-17"``."""
    parts = [int(part) for part in text.split("-")]
    precision = [DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY][len(parts) - 1]
    day = date(*parts, *[1] * (3 - len(parts)))
    return timezone.make_aware(datetime(day.year, day.month, day.day)), precision


def _create_strategy(entry: dict, result: SeedResult) -> Strategy:
    frames = entry.pop("frame", [])
    strategy = Strategy.objects.create(**entry)
    result.strategies += 1
    for frame_entry in frames:
        amounts = frame_entry.pop("amounts")
        frame = FundingFrame.objects.create(strategy=strategy, **frame_entry)
        FrameAmount.objects.bulk_create(
            FrameAmount(frame=frame, year=int(year), amount=parse_amount(amount)) for year, amount in amounts.items()
        )
    return strategy


def _read_rows(path: Path):
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        for row in reader:
            yield reader.line_num, row


def _load_table(strategy: Strategy, path: Path, result: SeedResult) -> None:
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().strip().split(";")
    years = [int(column) for column in header if column.isdigit()]
    if years != list(strategy.years):
        raise FixtureError(path, 1, f"year columns {years} are not the strategy's period {list(strategy.years)}")

    chapters: dict[str, Chapter] = {}
    initiatives: dict[str, Initiative] = {}
    marked: dict[str, list] = {}  # footnote marker → lines and totals that carry it
    footnote_differences: dict[str, dict[int, Decimal]] = {}
    position = 0
    allocations = []

    def chapter_of(line_number: int, row: dict) -> Chapter:
        try:
            return chapters[row["chapter"]]
        except KeyError:
            raise FixtureError(path, line_number, f"chapter {row['chapter']!r} is not defined above") from None

    def add_initiative(line_number: int, row: dict) -> Initiative:
        if row["theme"] not in Theme.values:
            raise FixtureError(path, line_number, f"theme {row['theme']!r} is not one of {Theme.values}")
        # A row's markers belong to its budget line (add_line), not to the initiative's title.
        title = split_markers(row["title"])[0]
        key = row["number"] or title
        if key in initiatives:
            raise FixtureError(path, line_number, f"initiative {key!r} is listed twice")
        initiative = Initiative.objects.create(
            chapter=chapter_of(line_number, row),
            number=row["number"],
            position=len(initiatives) + 1,
            title=title,
            theme=row["theme"],
            source=row["source"],
        )
        initiatives[key] = initiative
        result.initiatives += 1
        return initiative

    def add_line(line_number: int, row: dict, kind: str, chapter, covered: list) -> None:
        nonlocal position
        position += 1
        title, markers = split_markers(row["title"])
        line = BudgetLine.objects.create(
            strategy=strategy, chapter=chapter, kind=kind, position=position, title=title, source=row["source"]
        )
        line.initiatives.set(covered)
        if markers:
            marked.setdefault(markers, []).append((line_number, line))
        result.lines += 1
        for year in years:
            cell = fixture_cell(row[str(year)])
            if cell is not None:
                allocations.append(
                    Allocation(
                        line=line, year=year, kind=cell.kind, amount=cell.amount, text=cell.text, remark=cell.remark
                    )
                )

    def published(line_number: int, row: dict, chapter) -> None:
        for year in years:
            value, markers = split_markers(row[str(year)])
            if value in EMPTY_MARKS:
                continue
            total = PublishedTotal.objects.create(
                strategy=strategy, chapter=chapter, year=year, amount=parse_amount(value)
            )
            if markers:
                marked.setdefault(markers, []).append((line_number, total))

    for line_number, row in _read_rows(path):
        record = row["record"]
        try:
            if record == "chapter":
                chapter = Chapter.objects.create(
                    strategy=strategy, number=int(row["chapter"]), title=row["title"], source=row["source"]
                )
                chapters[row["chapter"]] = chapter
                result.chapters += 1
                published(line_number, row, chapter)
            elif record == "initiative":
                add_initiative(line_number, row)
            elif record == "row":
                initiative = add_initiative(line_number, row)
                add_line(line_number, row, LineKind.INITIATIVE, initiative.chapter, [initiative])
            elif record == "line":
                numbers = row["number"].split()
                missing = [number for number in numbers if number not in initiatives]
                if not numbers or missing:
                    raise FixtureError(path, line_number, f"line covers unknown initiatives {missing or numbers}")
                add_line(
                    line_number,
                    row,
                    LineKind.INITIATIVE,
                    chapter_of(line_number, row),
                    [initiatives[n] for n in numbers],
                )
            elif record == "reserve":
                add_line(line_number, row, LineKind.RESERVE, None, [])
            elif record == "total":
                published(line_number, row, None)
            elif record == "footnote":
                footnote = Footnote.objects.create(
                    strategy=strategy, marker=row["number"], text=row["title"], source=row["source"]
                )
                footnote_differences[footnote.marker] = {
                    year: parse_amount(row[str(year)]) for year in years if row[str(year)].strip()
                }
            else:
                raise FixtureError(path, line_number, f"unknown record {record!r}")
        except ValueError as error:
            raise FixtureError(path, line_number, str(error)) from error

    _attach_footnotes(strategy, path, marked, footnote_differences)
    result.allocations += len(Allocation.objects.bulk_create(allocations))


def _attach_footnotes(strategy, path, marked, differences) -> None:
    footnotes = {footnote.marker: footnote for footnote in strategy.footnotes.all()}
    if strategy.initiatives_footnote and strategy.initiatives_footnote not in footnotes:
        marker = strategy.initiatives_footnote
        raise FixtureError(path, 1, f"footnote {marker!r} on the number of initiatives is not given in the file")
    for markers, targets in marked.items():
        footnote = footnotes.get(markers)
        for line_number, target in targets:
            if footnote is None:
                raise FixtureError(path, line_number, f"footnote {markers!r} is not given in the file")
            if isinstance(target, BudgetLine):
                target.footnotes.add(footnote)
            else:
                target.footnote = footnote
                target.explained_difference = differences[markers].get(target.year, Decimal("0.0"))
                target.save(update_fields=["footnote", "explained_difference"])


def _find_initiative(path, line_number, slug: str, key: str) -> Initiative:
    candidates = Initiative.objects.filter(chapter__strategy__slug=slug)
    found = candidates.filter(number=key).first() if key[:1].isdigit() else candidates.filter(title=key).first()
    if found is None:
        raise FixtureError(path, line_number, f"strategy {slug} has no initiative {key!r}")
    return found


def _load_lineage(path: Path, result: SeedResult) -> None:
    for line_number, row in _read_rows(path):
        predecessor = _find_initiative(path, line_number, row["predecessor_strategy"], row["predecessor"])
        successor = _find_initiative(path, line_number, row["successor_strategy"], row["successor"])
        if predecessor.strategy.first_year >= successor.strategy.first_year:
            raise FixtureError(path, line_number, "a predecessor must belong to an earlier strategy")
        if row["relation"] not in LinkRelation.values:
            raise FixtureError(path, line_number, f"relation {row['relation']!r} is not one of {LinkRelation.values}")
        InitiativeLink.objects.create(
            predecessor=predecessor, successor=successor, relation=row["relation"], source=row["source"]
        )
        result.links += 1
