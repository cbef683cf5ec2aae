"""Synthetic strategies for measuring the product at a ministry's scale, loaded with PostgreSQL's COPY.

The data looks like the real tables: Danish chapter and initiative names, every kind of cell (amounts,
"ukendt", "Er finansieret"), frames a little above what is allocated and initiatives continued from
earlier strategies. The same seed gives the same data.
"""

import io
import random
from array import array
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pgtrigger
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from budgets.changes import figures_changed
from budgets.models import Allocation, BudgetLine, CellKind, FrameAmount, FundingFrame, LineKind, YearSum
from initiatives.models import Chapter, Initiative, InitiativeLink, LinkRelation, Strategy, Theme
from publication.models import DatePrecision, PublishedCell
from publication.services import publish_as_published

SLUG_PREFIX = "syn"
FIRST_YEAR = 2015
# Strategies start in one of six consecutive years, so fifteen years hold all of them and each overlaps others.
START_YEARS = 6
UNKNOWN_SHARE = 0.03
FINANCED_SHARE = 0.03
LINKED_SHARE = 0.05
FINANCED_TEXT = "Er finansieret"
SOURCE = "Syntetiske data (generate_data)"
MAX_INITIATIVES = 30000
# Cells written with COPY at a time: the rows of as many strategies as fit, then forgotten.
BATCH_CELLS = 200_000
# The insert triggers of django-pghistory are skipped: the audit trail records what people change through the
# app, and a million synthetic inserts in it would double the load's time and size while meaning nothing.
UNRECORDED = [
    f"{model._meta.label}:insert_insert"
    for model in (Chapter, Initiative, InitiativeLink, FundingFrame, FrameAmount, BudgetLine, Allocation)
]
# Nor the changes that make the later versions: an update event per changed cell cost 8 ms each inside the load's
# transaction (two subtransactions per row, among a million rows of the same transaction).
UNRECORDED.append(f"{Allocation._meta.label}:update_update")

CHAPTER_TITLES = [
    "Bedre rammer for forskning og udvikling",
    "Styrket klinisk forskning",
    "Sundhedsdata til gavn for patienterne",
    "Flere kvalificerede medarbejdere",
    "Internationalisering og eksport",
    "Produktion og investeringer i Danmark",
    "Grøn omstilling af life science",
    "Iværksættere og vækstvirksomheder",
    "Effektiv lægemiddelregulering",
    "Ibrugtagning af nye løsninger i sundhedsvæsenet",
]
OPENINGS = [
    "Styrket",
    "Ny",
    "Videreført",
    "Nationalt",
    "Målrettet",
    "Udvidet",
    "Fælles",
    "Permanent",
    "Forenklet",
    "Digitalt",
]
SUBJECTS = [
    "partnerskab om kliniske forsøg",
    "program for sundhedsdata",
    "pulje til innovation",
    "center for avanceret produktion",
    "samarbejde om myndighedsrådgivning",
    "eksportfremme af medicinsk udstyr",
    "uddannelsesforløb i bioteknologi",
    "netværk for iværksættere",
    "indsats for grøn bioproduktion",
    "forsøgsordning med nye behandlinger",
    "videnscenter for personlig medicin",
    "rådgivning af små og mellemstore virksomheder",
]
QUALIFIERS = [
    "i regionerne",
    "på tværs af sektorer",
    "med fokus på eksport",
    "for patienter med sjældne sygdomme",
    "i samarbejde med universiteterne",
    "med offentlig-privat finansiering",
    "",
    "",
]


class GenerationError(ValueError):
    pass


@dataclass
class GeneratedData:
    strategies: int = 0
    chapters: int = 0
    initiatives: int = 0
    lines: int = 0
    allocations: int = 0
    unknown: int = 0
    financed: int = 0
    links: int = 0


def chapter_count(initiatives: int) -> int:
    return max(1, min(len(CHAPTER_TITLES), initiatives // 10))


def generate_data(strategies: int, initiatives: int, years: int, seed: int = 0, versions: int = 1) -> GeneratedData:
    """Add ``strategies`` synthetic strategies of ``initiatives`` initiatives with a cell in each of ``years`` years,
    each published in ``versions`` versions (the later ones changing a few cells each).

    One transaction; refuses a seed that was loaded already, since its strategies' slugs exist.
    """
    if strategies < 1 or initiatives < 1 or years < 1 or versions < 1:
        raise GenerationError(_("Strategies, initiatives, years and versions must each be at least 1."))
    if initiatives > MAX_INITIATIVES:
        raise GenerationError(
            _("At most %(count)d initiatives per strategy (positions are small integers).") % {"count": MAX_INITIATIVES}
        )
    if FIRST_YEAR + START_YEARS + years > 2100:
        raise GenerationError(_("The periods would run past 2100; ask for fewer years."))
    rng = random.Random(seed)
    result = GeneratedData()
    with transaction.atomic(), pgtrigger.ignore(*UNRECORDED):
        with connection.cursor() as cursor:
            # The sums per chapter (budgets.models.YearSum) are refreshed once for each version of a batch, not by
            # the triggers after each COPY and UPDATE.
            cursor.execute("SET LOCAL budgets.defer_year_sums = on")
        if Strategy.objects.filter(slug__startswith=f"{SLUG_PREFIX}{seed}-").exists():
            raise GenerationError(_("Synthetic strategies of seed %(seed)s exist already.") % {"seed": seed})
        made = _strategies(strategies, years, seed, result)
        chapters = _chapters(made, initiatives, result)
        # Every initiative's id is taken first, as compact arrays (8 bytes an id): a link may point to a strategy
        # generated later. Everything else is written a batch of strategies at a time and forgotten, so the memory
        # stays the same from a thousand cells to ten million.
        initiative_ids = {strategy.pk: _reserve_ids(Initiative, initiatives) for strategy in made}
        earlier = _earlier(made)
        frames = FundingFrame.objects.bulk_create(
            FundingFrame(strategy=strategy, name=f"Aftale om {strategy.short_title}", note="", source=SOURCE)
            for strategy in made
        )
        keys = _checked_per_statement()
        analyzed = _Analyzer()
        published_at = timezone.now() - timedelta(hours=versions)
        per_batch = max(1, BATCH_CELLS // (initiatives * years))
        for start in range(0, len(made), per_batch):
            batch = _Batch()
            written = made[start : start + per_batch]
            for strategy, frame in zip(written, frames[start : start + per_batch], strict=True):
                line_ids = _reserve_ids(BudgetLine, initiatives)
                _add_strategy(batch, rng, strategy, frame, chapters[strategy.pk], initiative_ids, line_ids, result)
                batch.links += _links(rng, strategy, earlier[strategy.pk], initiative_ids)
            batch.write()
            result.initiatives += len(batch.initiatives)
            result.allocations += len(batch.cells)
            result.links += len(batch.links)
            analyzed.grown(result.allocations)
            # Each batch is published as soon as it is written, its versions with it: every step then reads and
            # writes a batch's rows, still in shared buffers, and the whole load grows linearly with the cells.
            _publish(written, versions, published_at)
        result.lines = result.initiatives
        analyzed.everything()
        _checked_at_commit(keys)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL budgets.defer_year_sums = off")
        figures_changed()
    return result


@dataclass
class _Batch:
    """The rows of a few strategies, written with COPY together and then dropped."""

    initiatives: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    covers: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    frames: list = field(default_factory=list)
    links: list = field(default_factory=list)

    def write(self) -> None:
        _copy(
            Initiative,
            ["id", "chapter", "number", "position", "title", "theme", "source", "retired_on"],
            self.initiatives,
        )
        _copy(BudgetLine, ["id", "strategy", "chapter", "kind", "position", "title", "source"], self.lines)
        _copy(BudgetLine.initiatives.through, ["budgetline", "initiative"], self.covers)
        _copy(Allocation, ["line", "year", "kind", "amount", "version", "is_correction", "text", "remark"], self.cells)
        _copy(FrameAmount, ["frame", "year", "amount"], self.frames)
        _copy(InitiativeLink, ["predecessor", "successor", "relation", "source"], self.links)


def _add_strategy(batch, rng, strategy, frame, own, initiative_ids, line_ids, result) -> None:
    """One strategy's initiatives, lines and cells, and its frame a little above what it allocates each year."""
    initiatives = len(line_ids)
    per_chapter = -(-initiatives // len(own))
    themes = Theme.values
    chapter_theme = {chapter.pk: themes[(chapter.number - 1) % len(themes)] for chapter in own}
    yearly = dict.fromkeys(strategy.years, Decimal("0.0"))
    for index, (initiative_id, line_id) in enumerate(zip(initiative_ids[strategy.pk], line_ids, strict=True)):
        chapter = own[index // per_chapter]
        title = _title(rng)
        theme = chapter_theme[chapter.pk] if rng.random() < 0.8 else rng.choice(themes)
        number = f"{chapter.number}.{index % per_chapter + 1}"
        batch.initiatives.append((initiative_id, chapter.pk, number, index + 1, title, theme, SOURCE, None))
        batch.lines.append((line_id, strategy.pk, chapter.pk, LineKind.INITIATIVE, index + 1, title, SOURCE))
        batch.covers.append((line_id, initiative_id))
        for year in strategy.years:
            batch.cells.append(_cell(rng, line_id, year, yearly, result))
    batch.frames += [
        (frame.pk, year, (total * Decimal("1.1")).quantize(Decimal("0.1"))) for year, total in yearly.items()
    ]


def _publish(strategies, versions: int, started) -> None:
    """Publish the strategies ``versions`` times, an hour after ``started`` and an hour apart, each later version
    with one cell in a hundred raised by 0,1 mio. kr., as corrections are."""
    ids = [strategy.pk for strategy in strategies]
    for version in range(1, versions + 1):
        with connection.cursor() as cursor:
            if version > 1:
                cursor.execute(
                    "UPDATE budgets_allocation cell SET amount = amount + 0.1, version = version + 1 "
                    "FROM budgets_budgetline line WHERE line.id = cell.line_id AND line.strategy_id = ANY(%s) "
                    "AND cell.kind = 'amount' AND cell.id %% 100 = %s",
                    [ids, version],
                )
            # A version copies the sums per chapter, which the triggers leave to the load (budgets.defer_year_sums).
            _refresh_year_sums(cursor, ids)
        publish_as_published(
            strategies,
            started + timedelta(hours=version),
            DatePrecision.DAY,
            _("Generated figures, version %(number)d") % {"number": version},
        )


# The tables a load grows, whose statistics the planner needs: ANALYZE reads a sample of the same size whatever
# the table's, so taking them each time the cells have doubled costs a few passes in all.
ANALYZED = [
    Initiative,
    BudgetLine,
    BudgetLine.initiatives.through,
    Allocation,
    InitiativeLink,
    YearSum,
    PublishedCell,
]


class _Analyzer:
    def __init__(self):
        self.cells = 0

    def grown(self, cells: int) -> None:
        if cells >= 2 * self.cells:
            self.everything()
            self.cells = cells

    def everything(self) -> None:
        with connection.cursor() as cursor:
            for model in ANALYZED:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def _checked_per_statement() -> list[str]:
    """Make the deferred foreign keys of the rows a load writes checked at the end of each statement instead of at
    the commit; returns their names. Checked at the commit, a load of ten million cells queued twenty million checks
    (5,5 minutes of it, docs/benchmarks.md); per statement they run while the batch's rows are in shared buffers. A
    link may name an initiative of a batch written later, so the links' keys stay deferred."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT conname FROM pg_constraint WHERE contype = 'f' AND condeferred "
            "AND conrelid <> %s::regclass ORDER BY conname",
            [InitiativeLink._meta.db_table],
        )
        keys = [name for (name,) in cursor.fetchall()]
        cursor.execute(f"SET CONSTRAINTS {', '.join(connection.ops.quote_name(name) for name in keys)} IMMEDIATE")
    return keys


def _checked_at_commit(keys: list[str]) -> None:
    """Give the keys back their declared timing: the load may be one part of a larger transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET CONSTRAINTS {', '.join(connection.ops.quote_name(name) for name in keys)} DEFERRED")


def _refresh_year_sums(cursor, strategy_ids: list[int]) -> None:
    cursor.execute(
        "SELECT budgets_refresh_year_sums(array_agg(strategy_id), array_agg(chapter_id)) FROM "
        "(SELECT DISTINCT strategy_id, chapter_id FROM budgets_budgetline WHERE strategy_id = ANY(%s)) new",
        [strategy_ids],
    )


def _strategies(count, years, seed, result) -> list[Strategy]:
    made = Strategy.objects.bulk_create(
        Strategy(
            slug=f"{SLUG_PREFIX}{seed}-{number}",
            title=f"Syntetisk strategi {number} for life science",
            short_title=f"Syntetisk {number}",
            published_year=FIRST_YEAR + number % START_YEARS,
            first_year=FIRST_YEAR + number % START_YEARS,
            last_year=FIRST_YEAR + number % START_YEARS + years - 1,
            price_basis=f"{FIRST_YEAR + number % START_YEARS}-priser",
            description="Genereret til målinger af ydeevne.",
            source=SOURCE,
        )
        for number in range(1, count + 1)
    )
    result.strategies = len(made)
    return made


def _chapters(strategies, initiatives, result) -> dict[int, list[Chapter]]:
    made = Chapter.objects.bulk_create(
        Chapter(strategy=strategy, number=number, title=CHAPTER_TITLES[number - 1], source=SOURCE)
        for strategy in strategies
        for number in range(1, chapter_count(initiatives) + 1)
    )
    result.chapters = len(made)
    chapters = {}
    for chapter in made:
        chapters.setdefault(chapter.strategy_id, []).append(chapter)
    return chapters


def _title(rng) -> str:
    return " ".join(part for part in (rng.choice(OPENINGS), rng.choice(SUBJECTS), rng.choice(QUALIFIERS)) if part)


def _cell(rng, line_id, year, yearly, result) -> tuple:
    draw = rng.random()
    if draw < UNKNOWN_SHARE:
        result.unknown += 1
        return (line_id, year, CellKind.UNKNOWN, None, 1, False, "", "")
    if draw < UNKNOWN_SHARE + FINANCED_SHARE:
        result.financed += 1
        return (line_id, year, CellKind.FINANCED_ELSEWHERE, None, 1, False, FINANCED_TEXT, "")
    amount = Decimal(rng.randint(1, 500)) / 10
    yearly[year] += amount
    return (line_id, year, CellKind.AMOUNT, amount, 1, False, "", "")


def _earlier(strategies) -> dict[int, list[int]]:
    """Strategy id → the ids of the strategies that started before it."""
    return {
        strategy.pk: [other.pk for other in strategies if other.first_year < strategy.first_year]
        for strategy in strategies
    }


def _links(rng, strategy, earlier: list[int], initiative_ids: dict) -> list[tuple]:
    """Some initiatives of the strategy continue one of a strategy that started earlier."""
    links, seen = [], set()
    if not earlier:
        return links
    for successor in initiative_ids[strategy.pk]:
        if rng.random() >= LINKED_SHARE:
            continue
        predecessor = rng.choice(initiative_ids[rng.choice(earlier)])
        if (predecessor, successor) in seen:
            continue
        seen.add((predecessor, successor))
        links.append((predecessor, successor, rng.choice(LinkRelation.values), SOURCE))
    return links


def _reserve_ids(model, count: int) -> array:
    """Primary keys taken from the table's own sequence, so rows can be written with COPY and referred to."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count])
        return array("q", (row[0] for row in cursor.fetchall()))


def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy(model, fields: list[str], rows: list[tuple], chunk: int = 100_000) -> None:
    """Write rows with COPY, the fastest way into PostgreSQL, in chunks that keep the buffer small."""
    columns = ", ".join(f'"{model._meta.get_field(name).column}"' for name in fields)
    statement = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.cursor() as cursor:
        # COPY bypasses Django's execute wrappers; this statement passes through pgtrigger's, which sets the
        # transaction-local list of ignored triggers that the COPY below then sees.
        cursor.execute("SELECT 1")
        for start in range(0, len(rows), chunk):
            buffer = io.StringIO(
                "".join("\t".join(_text(value) for value in row) + "\n" for row in rows[start : start + chunk])
            )
            cursor.copy_expert(statement, buffer)
