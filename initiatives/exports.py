"""The initiatives as open data rows: the strategies' structure and how each effort is funded again by the next."""

from collections.abc import Iterator

from budgets.exports import Export, Field


def _ids(links, end: str) -> str:
    return " ".join(str(pk) for pk in sorted(getattr(link, f"{end}_id") for link in links))


class InitiativeExport(Export):
    """One row per initiative, with its chapter, its budget lines and its predecessors and successors."""

    identifier = "initiatives"
    fields = [
        Field("initiative_id", "integer", "Stable id of the initiative (initiative_ids in allocations)"),
        Field("strategy", "string", "Strategy slug"),
        Field("chapter_number", "integer", "The chapter's number within its strategy"),
        Field("chapter", "string", "The chapter's title as printed"),
        Field("number", "string", "The initiative's number as printed, e.g. '2.2'; empty where the source has none"),
        Field("title", "string", "The initiative's title as printed"),
        Field("theme", "string", "Theme code, e.g. clinical-research"),
        Field("line_ids", "string", "Ids of its budget lines (line_id in allocations), by spaces"),
        Field("predecessor_ids", "string", "Ids of the initiatives in earlier strategies it continues, by spaces"),
        Field("successor_ids", "string", "Ids of the initiatives in later strategies that continue it, by spaces"),
        Field("source", "string", "Document and place it comes from"),
    ]

    def rows(self) -> Iterator[dict]:
        initiatives = (
            self.queryset.select_related("chapter__strategy")
            .prefetch_related("budget_lines", "predecessor_links", "successor_links")
            .order_by("chapter__strategy__first_year", "position", "pk")
        )
        for initiative in initiatives:
            yield {
                "initiative_id": initiative.pk,
                "strategy": initiative.chapter.strategy.slug,
                "chapter_number": initiative.chapter.number,
                "chapter": initiative.chapter.title,
                "number": initiative.number,
                "title": initiative.title,
                "theme": initiative.theme,
                "line_ids": " ".join(str(pk) for pk in sorted(line.pk for line in initiative.budget_lines.all())),
                "predecessor_ids": _ids(initiative.predecessor_links.all(), "predecessor"),
                "successor_ids": _ids(initiative.successor_links.all(), "successor"),
                "source": initiative.source,
            }
