"""The public tables (django-tables2). Each can also be downloaded as CSV from the same rows."""

import re
from decimal import Decimal
from functools import cached_property
from itertools import pairwise

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import Case, F, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf, Replace
from django.db.models.lookups import Exact, GreaterThan, IsNull
from django.http import HttpResponse
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy
from django_tables2.data import TableListData
from django_tables2.rows import BoundPinnedRow
from django_tables2.utils import AttributeDict, OrderBy

from budgets import csvfiles
from budgets.csvfiles import CsvWriter, Dialect, spreadsheet_text
from budgets.display import amount_html, amount_html_formatter, amount_text, at_least_text, sort_key
from budgets.figures import Row
from budgets.numbers import Figure, amount_formatter
from initiatives.english import translated, translated_html
from initiatives.models import Theme


class AmountColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "number"}, "td": {"class": "number"}})
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def render(self, value):
        return amount_html(value)

    def value(self, value):
        return csv_value(value)


def csv_value(value):
    """An amount for a CSV file: a known amount as a number (written in the file's dialect), anything else in the
    words a reader sees ("ukendt", "Er finansieret"), never as zero."""
    text = amount_text(value)
    return Decimal(text) if NUMERIC.match(text) else text


NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")


class PercentColumn(tables.Column):
    """A change in per cent: "-1,3 %" on the page, the number -1.3 in a CSV file."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", {"th": {"class": "number"}, "td": {"class": "number"}})
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{amount_formatter()(value)} %"

    def value(self, value):
        return value


def year_columns(years, prefix="y", **kwargs) -> list[tuple[str, tables.Column]]:
    return [(f"{prefix}{year}", AmountColumn(verbose_name=str(year), **kwargs)) for year in years]


def csv_response(table: tables.Table, filename: str, dialect: Dialect) -> HttpResponse:
    """The table as CSV for a spreadsheet. Every field is quoted, so that Danish Excel, which splits a row at
    semicolons, cannot start a cell in the middle of a title either, and text a spreadsheet would run as a formula
    is escaped. (The open-data CSV under /api/ is for programs and stays as stored.)"""
    writer = CsvWriter(dialect, quote_all=True, text=spreadsheet_text)
    texts = isinstance(table, InitiativeTable)  # a hundred thousand rows, each written as text
    rows = table.as_values(decimal_point=dialect.decimal_point) if texts else table.as_values()
    headings = next(rows)  # the page's headings, as the table's as_values gives them
    if dialect.readers_headings:
        header = [force_str(heading) for heading in headings]
    elif hasattr(table, "machine_names"):
        header = table.machine_names()
    else:
        columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
        header = [machine_name(column.name) for column in columns]
    lines = writer.text_lines(header, rows) if texts else writer.lines(header, rows)
    return csvfiles.csv_response(lines, filename)


_MACHINE_NAMES = [
    (re.compile(r"^y(\d+)$"), r"\1"),
    (re.compile(r"^d(\d+)_(\d+)$"), r"change_\1_\2"),
    (re.compile(r"^p(\d+)_(\d+)$"), r"change_percent_\1_\2"),
    (re.compile(r"^numbers$"), "number"),
]


def machine_name(name: str) -> str:
    """The ASCII name of a column for programs: a year's amounts under the year, a change as change_2023_2024."""
    for pattern, replacement in _MACHINE_NAMES:
        if pattern.match(name):
            return pattern.sub(replacement, name)
    return name


class RowsPaginator(Paginator):
    """Pages of a table's rows: rows pinned to every page (a total) neither count nor make a page of their own."""

    @cached_property
    def count(self) -> int:
        return len(self.object_list.data)


class RecordsOf(TableListData):
    """A table's records made from its rows as they are asked for: a page of the table builds the records of its
    rows alone, and of rows that read only a page from the database (budgets.comparison.ChapterRows) reads no more."""

    def __init__(self, rows, record):
        super().__init__(rows)
        self.record = record

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.record(row) for row in self.data[index]]
        return self.record(self.data[index])

    def __iter__(self):
        return map(self.record, self.data)

    def order_by(self, aliases):
        """Nothing: the rows come in their own order, and the tables made of them are not sortable."""


class LeanBody:
    """A table body written straight to HTML, for tables whose records are dicts of plain values and amounts.

    The markup is what django-tables2's template gives; its per-cell machinery costs a tenth of a millisecond a
    cell, which on the overview of a hundred strategies or a comparison by chapter is most of the page's time.
    """

    def shown_records(self) -> list:
        """The records on the page shown, without rows pinned to every page."""
        if getattr(self, "page", None):
            return list(self.page.object_list.data)
        return list(self.data)

    def body_html(self) -> str:
        columns = []
        for bound in self.columns:
            column = bound.column
            columns.append(
                (
                    str(bound.accessor),
                    column.empty_values,
                    conditional_escape(bound.default),
                    isinstance(column, AmountColumn),
                    isinstance(column, PercentColumn),
                    f"<td {bound.attrs['td'].as_html()}>",
                )
            )
        amount_html = amount_html_formatter()  # safe by construction, see budgets.display.amount_html
        number = amount_formatter()
        parts = [f"<tbody {AttributeDict(self.attrs.get('tbody', {})).as_html()}>"]
        for index, row in enumerate(self.paginated_rows):
            record = row.record
            pinned = " total" if isinstance(row, BoundPinnedRow) else ""
            parts.append(f'<tr class="{"odd" if index % 2 else "even"}{pinned}">')
            for key, empty, default, amount, percent, opening in columns:
                value = record.get(key)
                if value in empty:
                    text = default
                elif amount:
                    text = amount_html(value)
                elif percent:
                    text = conditional_escape(f"{number(value)} %")
                else:
                    text = conditional_escape(localize(value))
                parts.append(f"{opening}{text}</td>")
            parts.append("</tr>")
        if not self.paginated_rows and self.empty_text:
            parts.append(f'<tr><td colspan="{len(columns)}">{conditional_escape(self.empty_text)}</td></tr>')
        parts.append("</tbody>")
        return mark_safe("".join(parts))


class YearlyFundingTable(LeanBody, tables.Table):
    year = tables.Column(verbose_name=gettext_lazy("Year"), attrs={"th": {"scope": "row"}})
    total = AmountColumn(verbose_name=gettext_lazy("Allocated in all"))
    frame = AmountColumn(verbose_name=gettext_lazy("Frames in all"))

    class Meta:
        orderable = False
        attrs = {"class": "budget", "id": "yearly-funding"}
        template_name = "dashboard/lean_table.html"


def yearly_funding_table(funding) -> YearlyFundingTable:
    """A column per strategy the funding holds (every strategy, or the page of them shown with the others together
    in one column)."""
    shown, others = funding.strategies, funding.has_others
    rows = []
    for year in funding.years:
        row = {"year": year, "total": funding.total(year), "frame": funding.total_frame(year)}
        for strategy in shown:
            row[f"strategy_{strategy.slug}"] = funding.figure(strategy, year)
        if others:
            row["others"] = funding.others(year)
        rows.append(row)
    strategy_columns = [
        (f"strategy_{strategy.slug}", AmountColumn(verbose_name=translated(strategy, "short_title")))
        for strategy in shown
    ]
    if others:
        strategy_columns.append(("others", AmountColumn(verbose_name=gettext_lazy("Other strategies"))))
    return YearlyFundingTable(rows, extra_columns=strategy_columns, sequence=("year", "...", "total", "frame"))


class BudgetTable(tables.Table):
    """A strategy's budget table: lines grouped by chapter, sortable within each chapter."""

    numbers = tables.Column(
        verbose_name=gettext_lazy("No."),
        attrs={"td": {"class": "number-col"}},
        order_by=("chapter_key", "position"),
        default="",
    )
    title = tables.Column(verbose_name=gettext_lazy("Initiative"), order_by=("chapter_key", "title"))
    total = AmountColumn(verbose_name=gettext_lazy("Total"), order_by=("chapter_key", "sort_total"))

    class Meta:
        attrs = {"class": "budget", "id": "budget-table"}
        row_attrs = {"class": lambda record: record["kind"]}
        template_name = "dashboard/budget_table.html"

    def render_title(self, value, record):
        if record.get("initiative"):
            return format_html('<a href="{}">{}</a>', record["initiative"].get_absolute_url(), value)
        return value

    def value_title(self, value, record):
        return value

    # Where the template leaves the rows: the page puts row_parts() there, streamed or joined (dashboard.strategy_page).
    rows_mark = mark_safe("\x00rows\x00")

    def row_parts(self, rows_per_part: int):
        """Every chapter with its heading and rows, in the table's order, as HTML of about ``rows_per_part`` rows a
        part.

        The markup is what django-tables2's templates give, but its per-cell machinery and the template
        engine would spend a second on a strategy of 1.000 lines; this takes a few hundredths.
        """
        years = [f"y{year}" for year in self.budget.years]
        initiative_url = url_maker("initiative_detail")
        amount = amount_html_formatter()  # safe by construction, see budgets.display.amount_html
        no_line = format_html(' <span class="hint">{}</span>', NO_LINE())
        parts, chapter_key, index = [], None, 0
        for record in self.data.data:
            if record["chapter_key"] != chapter_key:
                if chapter_key is not None:
                    parts.append("</tbody>")
                chapter_key = record["chapter_key"]
                parts.append(_chapter_head(record["section"], amount))
            if record["kind"] == "empty":
                continue
            title = translated_html(record["line"] or record["initiative"], "title")
            if record["initiative"] is not None:
                title = format_html('<a href="{}">{}</a>', initiative_url(record["initiative"].pk), title)
            markers = "".join(
                format_html('<sup><a href="#footnote-{}" class="marker">{}</a></sup>', footnote.pk, footnote.marker)
                for footnote in record["footnotes"]
            )
            parts.append(
                f'<tr class="{record["kind"]} {"odd" if index % 2 else "even"}">'
                f'<td class="number-col">{conditional_escape(record["numbers"] or "")}</td>'
                f'<th scope="row">{title}{markers}{no_line if record["kind"] == "no-line" else ""}</th>'
                + "".join(f'<td class="number">{amount(record[key])}</td>' for key in years)
                + f'<td class="number">{amount(record["total"])}</td></tr>'
            )
            index += 1
            if len(parts) >= rows_per_part:
                yield "".join(parts)
                parts = []
        if chapter_key is not None:
            parts.append("</tbody>")
        yield "".join(parts)

    def machine_names(self) -> list[str]:
        """The CSV file's ASCII column names for programs, in the order as_values writes the columns."""
        return ["chapter", "number", "title", *map(str, self.budget.years), "total"]

    def as_values(self, exclude_columns=None):
        """The rows of the CSV file: what the page shows, chapter by chapter with each chapter's sums, then the
        rows below the table, each row naming its chapter; a known amount as a number, other cells as amount_text
        writes them (a remark beside its amount, "mindst 70.0 + ukendt" for a sum with unknown cells) and footnote
        markers where the page has them."""
        years = list(self.budget.years)
        yield [gettext("Chapter"), gettext("No."), gettext("Initiative"), *map(str, years), gettext("Total")]
        chapter_key = None
        for record in self.data.data:
            section = record["section"]
            label = _chapter_label(section)
            if record["chapter_key"] != chapter_key:
                chapter_key = record["chapter_key"]
                if section.chapter is not None:
                    shown = bool(section.rows)
                    yield [
                        label,
                        "",
                        gettext("Chapter in all"),
                        *[csv_value(subtotal) if shown else "" for subtotal in section.subtotals],
                        csv_value(section.total) if shown else "",
                    ]
            if record["kind"] == "empty":
                continue
            markers = "".join(footnote.marker for footnote in record["footnotes"])
            title = record["title"] + markers
            if record["kind"] == "no-line":
                title = f"{title} {NO_LINE()}"
            yield [
                label,
                record["numbers"] or "",
                title,
                *[csv_value(record[f"y{year}"]) for year in years],
                csv_value(record["total"]),
            ]
        for row in self.budget.footer:
            yield [
                "",
                "",
                row.label,
                *[
                    "–" if value is None else csv_value(value) if not marker else amount_text(value) + marker
                    for value, marker in row.cells
                ],
                csv_value(row.total),
            ]


def NO_LINE() -> str:  # noqa: N802 - the words, looked up in the reader's language
    return gettext("(no row of its own in the budget table)")


def _chapter_label(section) -> str:
    return f"{section.chapter.number}. {section.chapter.title}" if section.chapter else gettext("Reserves")


def url_maker(name: str):
    """A function from a primary key to the URL of ``name``, reversing the pattern once rather than per row."""
    placeholder = 2**31 - 1
    pattern = reverse(name, args=[placeholder]).replace(str(placeholder), "{}")
    return lambda pk: pattern.format(int(pk))


def _chapter_head(section, amount) -> str:
    head = (
        f'<tbody class="chapter" id="chapter-{section.chapter.number}">'
        if section.chapter
        else '<tbody class="chapter">'
    )
    if section.chapter is None:
        return head
    amounts = "".join(
        f'<td class="number">{amount(subtotal) if section.rows else ""}</td>' for subtotal in section.subtotals
    )
    return format_html(
        '{}<tr class="chapter-heading"><th scope="rowgroup" colspan="2">{}. {}</th>{}<td class="number">{}</td></tr>',
        mark_safe(head),
        section.chapter.number,
        translated_html(section.chapter, "title"),
        mark_safe(amounts),
        amount(section.total) if section.rows else "",
    )


def budget_table(table, order_by=None) -> BudgetTable:
    """Rows for django-tables2 from a budgets.figures.BudgetTable, sort keys included."""
    years = list(table.years)
    if order_by and order_by.removeprefix("-") not in {"numbers", "title", "total", *(f"y{year}" for year in years)}:
        # ?sort= names no column (a typo, or a probe): the table keeps its own order.
        order_by = None
    records = []

    def record(chapter_key, position, section, numbers, title, cells, total, line=None, initiative=None, footnotes=()):
        if line is None:
            kind = "no-line" if initiative is not None else "empty"
        else:
            kind = "line reserve" if section.chapter is None else "line"
        row = {
            "chapter_key": chapter_key,
            "position": position,
            "kind": kind,
            "section": section,
            "numbers": numbers,
            "title": title,
            "line": line,
            "initiative": initiative,
            "footnotes": footnotes,
            "total": total,
        }
        for year, cell in zip(years, cells, strict=True):
            row[f"y{year}"] = cell
        if order_by:  # the keys unknown and text cells sort by, needed only when the reader sorts
            row["sort_total"] = sort_key(total)
            for year, cell in zip(years, cells, strict=True):
                row[f"sort_y{year}"] = sort_key(cell)
        return row

    for chapter_key, section in enumerate([*table.sections, table.reserves]):
        if not section.entries and section.chapter is not None:
            # A chapter with nothing in it yet still has its heading, so no chapter number goes missing.
            records.append(record(chapter_key, 0, section, "", "", [None] * len(years), None))
        for position, entry in enumerate(section.entries):
            if isinstance(entry, Row):
                single = entry.initiatives[0] if len(entry.initiatives) == 1 else None
                records.append(
                    record(
                        chapter_key,
                        position,
                        section,
                        entry.numbers,
                        translated(entry.line, "title"),
                        entry.cells,
                        entry.total,
                        entry.line,
                        single,
                        entry.footnotes,
                    )
                )
            else:
                records.append(
                    record(
                        chapter_key,
                        position,
                        section,
                        entry.number,
                        translated(entry, "title"),
                        [None] * len(years),
                        None,
                        None,
                        entry,
                    )
                )
    columns = [
        (f"y{year}", AmountColumn(verbose_name=str(year), order_by=("chapter_key", f"sort_y{year}"))) for year in years
    ]
    result = BudgetTable(
        records, extra_columns=columns, sequence=("numbers", "title", "...", "total"), order_by=order_by
    )
    _keep_chapters_in_order(result)
    result.budget = table
    return result


def _keep_chapters_in_order(table: BudgetTable) -> None:
    """Sort lines within their chapter only: django-tables2 would reverse the chapters too when sorting down."""
    if not table.order_by:
        return
    alias = OrderBy(table.order_by[0])
    accessors = table.columns[alias.bare].column.order_by
    key = accessors[-1] if accessors else alias.bare
    rows = table.data.data
    rows.sort(key=lambda record: record[key], reverse=alias.is_descending)
    rows.sort(key=lambda record: record["chapter_key"])


# The CSV file's text columns, each in Danish and English: a reader of /en/ gets the English where there is one.
CSV_TEXTS = [
    ("chapter__strategy__short_title", "chapter__strategy__short_title_en"),
    ("number", None),
    ("title", "title_en"),
    ("chapter__title", "chapter__title_en"),
]
NO_SUMS = ("", "")  # an initiative without a cell in the years chosen: no amount, no other cells
CSV_COLUMNS = ["strategy", "number", "title", "chapter", "theme", "amount", "status"]


class InitiativeTable(tables.Table):
    # Each order ends in the id, so that rows that tie (18 unnumbered initiatives of 2018) keep one order on every
    # page and in the CSV file.
    strategy = tables.Column(
        verbose_name=gettext_lazy("Strategy"),
        accessor="chapter__strategy__short_title",
        order_by=("chapter__strategy__short_title", "pk"),
    )
    number = tables.Column(
        verbose_name=gettext_lazy("No."), attrs={"td": {"class": "number-col"}}, default="", order_by=("number", "pk")
    )
    title = tables.Column(verbose_name=gettext_lazy("Initiative"), order_by=("title", "pk"))
    chapter = tables.Column(
        verbose_name=gettext_lazy("Chapter"), accessor="chapter__title", order_by=("chapter__title", "pk")
    )
    theme = tables.Column(verbose_name=gettext_lazy("Theme"), order_by=("theme", "pk"))
    amount = AmountColumn(verbose_name=gettext_lazy("Amount in the years chosen"), order_by=("amount", "pk"))
    status = tables.Column(verbose_name=gettext_lazy("Other cells"), empty_values=(), orderable=False)

    class Meta:
        attrs = {"class": "budget", "id": "initiatives"}
        template_name = "dashboard/table.html"
        order_by = ()

    @staticmethod
    def _known_amount(initiative) -> Figure:
        """The amount of the years chosen with their unknown cells: "mindst 5,0 + ukendt", never 5,0 alone."""
        return Figure(initiative.amount, unknown=initiative.unknown or 0)

    def __init__(self, *args, sums=None, **kwargs):
        """``sums``: every initiative's sums at once, for the CSV file (InitiativeFilter.sums)."""
        super().__init__(*args, **kwargs)
        self.sums = sums

    def render_amount(self, record):
        return amount_html(self._known_amount(record))

    def value_amount(self, record):
        return amount_text(self._known_amount(record))

    def render_strategy(self, record):
        return translated_html(record.chapter.strategy, "short_title")

    def render_title(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), translated_html(record, "title"))

    def render_chapter(self, record):
        return translated_html(record.chapter, "title")

    def value_strategy(self, record):
        return translated(record.chapter.strategy, "short_title")

    def value_title(self, record):
        return translated(record, "title")

    def value_chapter(self, record):
        return translated(record.chapter, "title")

    def render_status(self, record):
        parts = []
        if record.financed:
            parts.append(gettext_lazy("financed elsewhere"))
        if record.unknown:
            parts.append(gettext_lazy("unknown"))
        return ", ".join(str(part) for part in parts)

    def value_status(self, record):
        return self.render_status(record)

    def _csv_rows(self, decimal_point: str):
        """The rows of the CSV file in the table's order, every value text written by the database: the texts in the
        reader's language ("" or no English text is the Danish one), a theme's name, the sums in words and numbers.

        Every row's sums are read at once (InitiativeFilter.sums), where the search's subqueries, right for a page
        of fifty, look the cells up per initiative; only an order by the amount needs them in the query. The rows
        are read whole: a server-side cursor held open over the file cost more than their memory.
        """
        queryset = self.data.data
        english = get_language() == "en"
        texts = [
            Coalesce(NullIf(english_name, Value("")), danish) if english and english_name else F(danish)
            for danish, english_name in CSV_TEXTS
        ]
        theme_name = Case(
            *(When(theme=value, then=Value(str(label))) for value, label in Theme.choices),
            default=F("theme"),
            output_field=TextField(),
        )

        def written(amount, unknown, financed):
            return sums_as_text(amount, unknown, financed, decimal_point)

        if self.sums is None or any(str(name).lstrip("-") == "amount" for name in queryset.query.order_by):
            return queryset.values_list(*texts, theme_name, *written(F("amount"), F("unknown"), F("financed")))
        sums = self.sums(written)
        return (
            (strategy, number, title, chapter, theme, *sums.get(pk, NO_SUMS))
            for pk, strategy, number, title, chapter, theme in queryset.values_list("pk", *texts, theme_name)
        )

    def as_values(self, exclude_columns=None, decimal_point="."):
        """The rows of the CSV file, the values django-tables2's own as_values gives (a test holds them equal), all
        text, numbers written with ``decimal_point``.

        django-tables2 inspects the signature of a column's value method for every cell, and a model instance per
        row costs more than writing its line: a hundred thousand initiatives took 3,7 s. This hands on the rows of
        the search's query, whose every value the database has written.
        """
        exclude = set(exclude_columns or ())
        columns = [
            column
            for column in self.columns.iterall()
            if not (column.column.exclude_from_export or column.name in exclude)
        ]
        yield [force_str(column.header, strings_only=True) for column in columns]
        order = [CSV_COLUMNS.index(column.name) for column in columns]
        rows = self._csv_rows(decimal_point)
        if order == list(range(len(CSV_COLUMNS))):
            yield from rows
        else:
            yield from ([row[index] for index in order] for row in rows)


def sums_as_text(amount, unknown, financed, decimal_point: str) -> list:
    """An initiative's amount and other cells as the CSV file writes them, as expressions of the database of its
    sums (amount, unknown cells, cells financed elsewhere): a number in the dialect's notation, "mindst 5.0 + ukendt"
    where unknown cells are among known ones, never 5.0 alone (budgets.display.figure_text), and the words of the
    other cells. The database writes them for a hundred thousand rows faster than Python calls a function each."""
    unknown_word, financed_word = gettext("unknown"), gettext("financed elsewhere")
    before, after = at_least_text("\0").split("\0")
    number = Cast(amount, TextField())
    with_unknown = Case(
        When(Exact(amount, 0), then=Value(unknown_word)),
        default=Concat(Value(before), number, Value(after), output_field=TextField()),
        output_field=TextField(),
    )
    written_amount = Case(
        When(IsNull(amount, True), then=Value("")),
        When(GreaterThan(unknown, 0), then=with_unknown),
        default=number if decimal_point == "." else Replace(number, Value("."), Value(decimal_point)),
        output_field=TextField(),
    )
    financed_too = Case(
        When(GreaterThan(unknown, 0), then=Value(f"{financed_word}, {unknown_word}")),
        default=Value(financed_word),
        output_field=TextField(),
    )
    status = Case(
        When(GreaterThan(financed, 0), then=financed_too),
        When(GreaterThan(unknown, 0), then=Value(unknown_word)),
        default=Value(""),
        output_field=TextField(),
    )
    return [written_amount, status]


def comparison_table(comparison) -> tables.Table:
    """Rows of the comparison: each group's money per year, then each year against the one before.

    The total is pinned below the rows, so each page of a long comparison ends with the total of all of it.
    """
    years = comparison.years
    year_keys = [(year, f"y{year}") for year in years]
    change_keys = {(before, after): (f"d{before}_{after}", f"p{before}_{after}") for before, after in pairwise(years)}

    def record(row) -> dict:
        record = {"label": row.label, "row": row}
        for year, key in year_keys:
            record[key] = row.figures.get(year)
        for before, after, difference, percent in row.changes(years):
            difference_key, percent_key = change_keys[(before, after)]
            record[difference_key] = difference
            record[percent_key] = percent
        return record

    columns = [(key, AmountColumn(verbose_name=str(year))) for year, key in year_keys]
    for (before, after), (difference_key, percent_key) in change_keys.items():
        columns.append(
            (
                difference_key,
                AmountColumn(verbose_name=f"{after} − {before} ({gettext_lazy('mio. kr.')})", default="–"),
            )
        )
        columns.append(
            (
                percent_key,
                PercentColumn(verbose_name=f"{after} − {before} (%)", default="–"),
            )
        )

    class ComparisonTable(LeanBody, tables.Table):
        label = tables.Column(
            verbose_name=gettext_lazy("Theme") if comparison.by == "theme" else gettext_lazy("Chapter")
        )

        class Meta:
            attrs = {"class": "budget", "id": "comparison"}
            orderable = False
            template_name = "dashboard/lean_table.html"

        def get_bottom_pinned_data(self):
            return [record(comparison.totals)]

    return ComparisonTable(RecordsOf(comparison.rows, record), extra_columns=columns)
