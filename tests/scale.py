"""A data set ten times the fixtures, built with bulk inserts, for tests that must not grow with the data."""

from budgets.models import Allocation, BudgetLine, FrameAmount, FundingFrame, PublishedTotal
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy


def _copy_rows(lines, chapter_for, initiative_for, strategy, start):
    """Copies of budget lines with their cells and the links to the initiatives they fund."""
    new_lines = BudgetLine.objects.bulk_create(
        BudgetLine(
            strategy=strategy,
            chapter=chapter_for(line.chapter_id),
            kind=line.kind,
            position=start + index,
            title=line.title,
            source=line.source,
        )
        for index, line in enumerate(lines)
    )
    Allocation.objects.bulk_create(
        Allocation(line=new, year=cell.year, kind=cell.kind, amount=cell.amount, text=cell.text)
        for old, new in zip(lines, new_lines, strict=True)
        for cell in old.allocations.all()
    )
    BudgetLine.initiatives.through.objects.bulk_create(
        BudgetLine.initiatives.through(budgetline=new, initiative=initiative_for(initiative.pk))
        for old, new in zip(lines, new_lines, strict=True)
        for initiative in old.initiatives.all()
    )


def _initiative_copies(initiatives, chapter_for, start):
    return Initiative.objects.bulk_create(
        Initiative(
            chapter=chapter_for(initiative.chapter_id),
            number=f"{initiative.number}-{start}" if initiative.number else "",
            position=start * 1000 + initiative.position,
            title=f"{initiative.title} ({start})",
            theme=initiative.theme,
            source=initiative.source,
        )
        for initiative in initiatives
    )


def _same_chapter(chapter_id):
    return None if chapter_id is None else Chapter(pk=chapter_id)


def ten_times_the_fixtures() -> None:
    """Nine more copies of every strategy, and nine more copies of every row inside each strategy."""
    originals = list(Strategy.objects.all())
    copies_of = {}
    for strategy in originals:
        lines = list(BudgetLine.objects.for_strategy(strategy).prefetch_related("allocations", "initiatives"))
        initiatives = list(Initiative.objects.for_strategy(strategy))
        for copy in range(1, 10):
            # More rows in the same strategy.
            new = _initiative_copies(initiatives, _same_chapter, copy)
            mapping = {old.pk: fresh for old, fresh in zip(initiatives, new, strict=True)}
            _copy_rows(lines, _same_chapter, mapping.get, strategy, copy * 1000)
        for copy in range(1, 10):
            # More strategies like it.
            twin = Strategy.objects.create(
                slug=f"{strategy.slug}-{copy}",
                title=f"{strategy.title} ({copy})",
                short_title=f"{strategy.short_title} ({copy})",
                published_year=strategy.published_year,
                first_year=strategy.first_year,
                last_year=strategy.last_year,
                price_basis=strategy.price_basis,
                source=strategy.source,
            )
            chapters = {
                chapter.pk: Chapter.objects.create(
                    strategy=twin, number=chapter.number, title=chapter.title, source=chapter.source
                )
                for chapter in strategy.chapters.all()
            }
            chapter_for = chapters.get
            new = _initiative_copies(initiatives, chapters.__getitem__, 0)
            mapping = {old.pk: fresh for old, fresh in zip(initiatives, new, strict=True)}
            copies_of[(strategy.pk, copy)] = mapping
            _copy_rows(lines, chapter_for, mapping.get, twin, 1)
            for frame in strategy.frames.prefetch_related("amounts"):
                twin_frame = FundingFrame.objects.create(
                    strategy=twin, name=frame.name, kind=frame.kind, source=frame.source
                )
                FrameAmount.objects.bulk_create(
                    FrameAmount(frame=twin_frame, year=amount.year, amount=amount.amount)
                    for amount in frame.amounts.all()
                )
            PublishedTotal.objects.bulk_create(
                PublishedTotal(
                    strategy=twin,
                    chapter=chapters.get(total.chapter_id),
                    year=total.year,
                    amount=total.amount,
                    footnote=None,
                )
                for total in strategy.published_totals.filter(explained_difference=0)
            )
    for link in list(InitiativeLink.objects.select_related("predecessor__chapter", "successor__chapter")):
        for copy in range(1, 10):
            before = copies_of[(link.predecessor.chapter.strategy_id, copy)][link.predecessor_id]
            after = copies_of[(link.successor.chapter.strategy_id, copy)][link.successor_id]
            InitiativeLink.objects.create(
                predecessor=before, successor=after, relation=link.relation, source=link.source
            )
