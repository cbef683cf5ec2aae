"""Reading the stored budget back in the shape of a source table, for tests that compare the two."""

import io
from decimal import Decimal
from html.parser import HTMLParser

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from budgets.models import Allocation, CellKind, PublishedTotal
from initiatives.models import Strategy
from publication.models import DatePrecision
from publication.services import publish_as_published


def cell_as_printed(cell: Allocation | None) -> str:
    """A stored cell written the way the source tables print it: 16,8 / Er finansieret / blank."""
    if cell is None:
        return ""
    if cell.kind == CellKind.UNKNOWN:
        return "ukendt"
    if cell.kind == CellKind.FINANCED_ELSEWHERE:
        return cell.text
    printed = f"{cell.amount:.1f}".replace(".", ",")
    return f"{printed} {cell.remark}" if cell.remark else printed


def stored_rows(strategy) -> dict[str, list[str]]:
    """Budget line title → its cells as printed, one per year of the strategy."""
    rows = {}
    for line in strategy.budget_lines.prefetch_related("allocations"):
        cells = {cell.year: cell for cell in line.allocations.all()}
        rows[line.title] = [cell_as_printed(cells.get(year)) for year in strategy.years]
    return rows


def published(strategy, chapter=None) -> list[Decimal | None]:
    by_year = {total.year: total.amount for total in PublishedTotal.objects.filter(strategy=strategy, chapter=chapter)}
    return [by_year.get(year) for year in strategy.years]


def amount(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


class _TableReader(HTMLParser):
    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.depth, self.rows, self.cell = table_id, 0, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_id: str) -> list[list[str]]:
    """The text of every cell of one table in a page, row by row, whitespace collapsed."""
    reader = _TableReader(table_id)
    reader.feed(html)
    return reader.rows


class _ElementReader(HTMLParser):
    def __init__(self, element_id: str):
        super().__init__()
        self.element_id, self.depth, self.text = element_id, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth or dict(attrs).get("id") == self.element_id:
            self.depth += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


def element_text(html: str, element_id: str) -> str:
    """The text of the element with ``element_id``, whitespace collapsed (void elements inside it are not expected)."""
    reader = _ElementReader(element_id)
    reader.feed(html)
    return " ".join("".join(reader.text).split())


def change_cell(slug: str, year: int, *, amount=None, kind=CellKind.AMOUNT, **line) -> Allocation:
    """Edit one stored cell, as staff would, picked by strategy, year and its line (e.g. initiatives__number="14")."""
    lookup = {f"line__{field}": value for field, value in line.items()}
    cell = Allocation.objects.get(line__strategy__slug=slug, year=year, **lookup)
    cell.kind, cell.amount = kind, None if amount is None else Decimal(amount)
    cell.save()
    return cell


def cell_snapshot() -> list[tuple]:
    """Every stored cell with its version, to show that a refused request changed nothing."""
    return sorted(
        Allocation.objects.values_list(
            "line_id", "year", "kind", "amount", "text", "remark", "is_correction", "version"
        )
    )


def publish_draft(slug: str, note: str = "Test"):
    """Make the strategy's draft public as a new version, as an approver would, for tests of what the public sees."""
    return publish_as_published([Strategy.objects.get(slug=slug)], timezone.now(), DatePrecision.DAY, note)[0]


def forget_publications() -> None:
    """Empty the published versions, which no DELETE may touch (the database refuses): tests that empty the whole
    database start from nothing."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE publication_publishedyearsum, publication_publishedyeartotal, publication_publishedchaptertotal, "
            "publication_publishedinitiativetotal, publication_publishedcell, "
            "tracking_publishedstatusupdate, tracking_publishedmilestone, tracking_publishedresponsibility, "
            "tracking_publishedtracking, publication_publication"
        )


class SeededTables:
    """The tables a transactional test's flush empties, as the session's seed filled them, copied with COPY.

    A test served by a live server commits, so pytest-django flushes the database after it; putting the copies back
    takes a fraction of running seed_strategies() again. The rows are put back as they were, so the triggers that
    wrote them (history, sums, the guards of published versions) are held back while they are: the copies already
    hold what those triggers wrote.
    """

    def __init__(self):
        self.tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        self.copies = {}
        with connection.cursor() as cursor:
            for table in self.tables:
                buffer = io.StringIO()
                cursor.copy_expert(f"COPY {connection.ops.quote_name(table)} TO STDOUT", buffer)
                self.copies[table] = buffer.getvalue()

    def restore(self) -> None:
        names = [connection.ops.quote_name(table) for table in self.tables]
        with transaction.atomic(), connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
            cursor.execute(f"TRUNCATE {', '.join(names)}")
            for table, name in zip(self.tables, names, strict=True):
                cursor.copy_expert(f"COPY {name} FROM STDIN", io.StringIO(self.copies[table]))
            # The foreign keys are checked now rather than at the commit: a table is not altered with checks pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for name in names:
                cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
        # The flush's post_migrate made the content types again under new ids; the copies hold the old ones.
        ContentType.objects.clear_cache()
        # The flush leaves the page cache, and the restored figures have the ids and versions that the previous
        # test's pages were cached under, whatever that test changed.
        cache.clear()
