"""Exports: small classes that yield rows, so CSV, the API, the Fiscal Data Package and Excel share one source."""

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from budgets.models import BudgetLine, CellKind

UNIT = "mio. kr."


@dataclass(frozen=True)
class Field:
    name: str  # the open data's name, for programs
    type: str  # a Table Schema type: integer, number, string
    description: str
    label: str = ""  # the column's heading for people, in their language (the workbooks' Data sheet)


class AllocationExport:
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

    def __init__(self, queryset):
        """``queryset``: the cells to export, from an edition (publication.editions) so nobody exports the draft
        by accident."""
        self.queryset = queryset

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]

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

    def csv_lines(self) -> Iterator[str]:
        """CSV with a header, line by line, so a response can stream it; decimal points, empty for nothing."""
        writer = csv.DictWriter(_Echo(), fieldnames=self.field_names, lineterminator="\n")
        yield writer.writeheader()
        for row in self.rows():
            yield writer.writerow({name: "" if value is None else value for name, value in row.items()})

    def write_csv(self, stream) -> None:
        stream.writelines(self.csv_lines())


class _Echo:
    """A file for csv.writer that hands each line back instead of storing it."""

    def write(self, line: str) -> str:
        return line
