"""Exports: small classes that yield rows, so CSV, the API, the Fiscal Data Package and Excel share one source."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from budgets.csvfiles import RFC4180, CsvWriter, Dialect, spreadsheet_text
from budgets.models import BudgetLine, CellKind

UNIT = "mio. kr."


@dataclass(frozen=True)
class Field:
    name: str  # the open data's name, for programs
    type: str  # a Table Schema type: integer, number, string
    description: str
    label: str = ""  # the column's heading for people, in their language (the workbooks' Data sheet)


class Export:
    """Rows of one kind with their fields described once, for CSV, the API and the Fiscal Data Package alike."""

    identifier: str
    fields: list[Field]

    def __init__(self, queryset):
        """``queryset``: what to export, of strategies the public may see (cells from an edition,
        publication.editions, so nobody exports the draft by accident)."""
        self.queryset = queryset

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]

    def rows(self) -> Iterator[dict]:
        raise NotImplementedError

    def csv_lines(self, dialect: Dialect = RFC4180) -> Iterator[str]:
        """CSV with a header, line by line, so a response can stream it; empty for nothing. In a spreadsheet's
        dialect, text that it would run as a formula is escaped; for programs it stays as stored."""
        writer = CsvWriter(dialect, text=spreadsheet_text if dialect.readers_headings else str)
        names = self.field_names
        return writer.lines(names, ([row[name] for name in names] for row in self.rows()))

    def write_csv(self, stream) -> None:
        stream.writelines(self.csv_lines())


class AllocationExport(Export):
    """One row per cell: a budget line's money in one year, with everything needed to read it alone.

    A line that funds several initiatives is one row naming all of them, so that sums stay right.
    """

    identifier = "allocations"
    verbose_name = _("Allocations per budget line and year")
    fields = [
        Field("allocation_id", "integer", "Stable id of the cell", _("Cell id")),
        Field("strategy", "string", "Strategy slug: 2018, 2021 or 2030", _("Strategy")),
        Field("strategy_title", "string", "Title of the strategy", _("Strategy title")),
        Field(
            "price_basis", "string", "Price basis as the source states it; empty where it does not", _("Price basis")
        ),
        Field("chapter_number", "integer", "Chapter number; empty for reserves", _("Chapter no.")),
        Field("chapter_title", "string", "Chapter title; empty for reserves", _("Chapter")),
        Field("line_id", "integer", "Stable id of the budget line (row of the published table)", _("Line id")),
        Field("line_title", "string", "Title of the budget line as the table words it", _("Budget line")),
        Field(
            "line_footnotes",
            "string",
            "Footnotes on the budget line, which the table marks beside its title: each as its marker and text "
            "('*: …'), one a line; empty for none",
            _("Footnotes on the line"),
        ),
        Field("line_kind", "string", "initiative or reserve", _("Kind of line")),
        Field(
            "initiative_ids",
            "string",
            "Ids of the initiatives the line funds, separated by spaces",
            _("Initiative ids"),
        ),
        Field("initiative_numbers", "string", "Their published numbers, separated by spaces", _("Initiative no.")),
        Field("theme", "string", "Theme of the line's first initiative; empty for reserves", _("Theme")),
        Field("year", "integer", "Budget year", _("Year")),
        Field("cell_kind", "string", "amount, financed (financed elsewhere) or unknown", _("Kind of cell")),
        Field(
            "amount",
            "number",
            "Amount in mio. kr. (DKK 1.000.000); empty unless cell_kind is amount",
            _("Amount (mio. kr.)"),
        ),
        Field(
            "cell_text",
            "string",
            "Text printed in the cell: the words of a cell financed elsewhere, e.g. 'Er finansieret', or the remark "
            "beside an amount",
            _("Text in the cell"),
        ),
        Field("unit", "string", "Always 'mio. kr.'", _("Unit")),
    ]

    def ordered(self):
        return (
            self.queryset.select_related("line__strategy", "line__chapter")
            .prefetch_related("line__initiatives", "line__footnotes")
            .order_by("line__strategy__first_year", "line__position", "year")
        )

    @staticmethod
    def row(cell, initiatives=None, footnotes=None) -> dict:
        """The row of one cell; ``initiatives`` and ``footnotes`` are the line's, or read from its prefetched sets."""
        line, strategy = cell.line, cell.line.strategy
        if initiatives is None:
            initiatives = sorted(line.initiatives.all(), key=lambda initiative: initiative.position)
        if footnotes is None:
            footnotes = sorted(line.footnotes.all(), key=lambda footnote: footnote.marker)
        return {
            "allocation_id": cell.cell_id,
            "strategy": strategy.slug,
            "strategy_title": strategy.title,
            "price_basis": strategy.price_basis,
            "chapter_number": line.chapter.number if line.chapter else None,
            "chapter_title": line.chapter.title if line.chapter else "",
            "line_id": line.pk,
            "line_title": line.title,
            "line_footnotes": "\n".join(f"{footnote.marker}: {footnote.text}" for footnote in footnotes),
            "line_kind": line.kind,
            "initiative_ids": " ".join(str(initiative.pk) for initiative in initiatives),
            "initiative_numbers": " ".join(initiative.number for initiative in initiatives if initiative.number),
            "theme": initiatives[0].theme if initiatives else "",
            "year": cell.year,
            "cell_kind": cell.kind,
            "amount": cell.amount if cell.kind == CellKind.AMOUNT else None,
            "cell_text": cell.text or cell.remark,
            "unit": UNIT,
        }

    def rows(self) -> Iterator[dict]:
        """Every row, streamed: the initiatives of all lines in one query, the cells in chunks."""
        covered = defaultdict(list)
        links = (
            BudgetLine.initiatives.through.objects.filter(budgetline__in=self.queryset.values("line"))
            .select_related("initiative")
            .order_by("initiative__position")
        )
        for link in links:
            covered[link.budgetline_id].append(link.initiative)
        footnotes = defaultdict(list)
        marks = (
            BudgetLine.footnotes.through.objects.filter(budgetline__in=self.queryset.values("line"))
            .select_related("footnote")
            .order_by("footnote__marker")
        )
        for mark in marks:
            footnotes[mark.budgetline_id].append(mark.footnote)
        cells = self.queryset.select_related("line__strategy", "line__chapter").order_by(
            "line__strategy__first_year", "line__position", "year"
        )
        for cell in cells.iterator(chunk_size=5000):
            yield self.row(cell, covered[cell.line_id], footnotes[cell.line_id])


class FootnoteExport(Export):
    """The footnotes of the published tables, with the budget lines and totals they are attached to."""

    identifier = "footnotes"
    fields = [
        Field("footnote_id", "integer", "Stable id of the footnote"),
        Field("strategy", "string", "Strategy slug"),
        Field("marker", "string", "The marker as printed in the table, e.g. '**'"),
        Field("text", "string", "The footnote's text as printed"),
        Field("line_ids", "string", "Ids of the budget lines (line_id in allocations) it is attached to, by spaces"),
        Field("total_years", "string", "Years of the published totals it explains, separated by spaces"),
        Field("source", "string", "Document and table it comes from"),
    ]

    @classmethod
    def ordered(cls, queryset):
        return queryset.select_related("strategy").prefetch_related("budget_lines", "published_totals")

    @staticmethod
    def row(footnote) -> dict:
        return {
            "footnote_id": footnote.pk,
            "strategy": footnote.strategy.slug,
            "marker": footnote.marker,
            "text": footnote.text,
            "line_ids": " ".join(str(pk) for pk in sorted(line.pk for line in footnote.budget_lines.all())),
            "total_years": " ".join(str(total.year) for total in footnote.published_totals.all()),
            "source": footnote.source,
        }

    def rows(self) -> Iterator[dict]:
        return map(self.row, self.ordered(self.queryset))


class PublishedTotalExport(Export):
    """The subtotals and totals exactly as the source tables print them, with what a footnote explains."""

    identifier = "published_totals"
    fields = [
        Field("strategy", "string", "Strategy slug"),
        Field("chapter_number", "integer", "Chapter of a subtotal; empty for the table's grand total"),
        Field("year", "integer", "Budget year"),
        Field("amount", "number", "The total as printed, in mio. kr. (DKK 1.000.000)"),
        Field("footnote_marker", "string", "Marker of the footnote that explains it, if any"),
        Field(
            "explained_difference",
            "number",
            "The printed total minus the sum of its rows, where the footnote explains it (e.g. bridge financing)",
        ),
        Field("unit", "string", "Always 'mio. kr.'"),
    ]

    @classmethod
    def ordered(cls, queryset):
        return queryset.select_related("strategy", "chapter", "footnote")

    @staticmethod
    def row(total) -> dict:
        return {
            "strategy": total.strategy.slug,
            "chapter_number": total.chapter.number if total.chapter else None,
            "year": total.year,
            "amount": total.amount,
            "footnote_marker": total.footnote.marker if total.footnote else "",
            "explained_difference": total.explained_difference,
            "unit": UNIT,
        }

    def rows(self) -> Iterator[dict]:
        return map(self.row, self.ordered(self.queryset))


class FrameExport(Export):
    """The funding frames, one row per frame and year."""

    identifier = "frames"
    fields = [
        Field("frame_id", "integer", "Stable id of the frame"),
        Field("strategy", "string", "Strategy slug"),
        Field("name", "string", "Name of the frame as the source words it"),
        Field("kind", "string", "frame or reserve"),
        Field("year", "integer", "Budget year"),
        Field("amount", "number", "The frame's amount that year, in mio. kr. (DKK 1.000.000)"),
        Field("note", "string", "Note on the frame"),
        Field("source", "string", "Document and table it comes from"),
        Field("unit", "string", "Always 'mio. kr.'"),
    ]

    def rows(self) -> Iterator[dict]:
        frames = self.queryset.select_related("strategy").prefetch_related("amounts")
        for frame in frames:
            for amount in sorted(frame.amounts.all(), key=lambda item: item.year):
                yield {
                    "frame_id": frame.pk,
                    "strategy": frame.strategy.slug,
                    "name": frame.name,
                    "kind": frame.kind,
                    "year": amount.year,
                    "amount": amount.amount,
                    "note": frame.note,
                    "source": frame.source,
                    "unit": UNIT,
                }
