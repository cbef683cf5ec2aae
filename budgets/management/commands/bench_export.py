import io
import time
import tracemalloc
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from openpyxl import Workbook

from budgets.models import Allocation, BudgetLine, LineKind
from budgets.workbooks import strategy_workbook
from initiatives.models import Chapter, Initiative, Strategy


class Rollback(Exception):
    pass


def measure(function):
    """Seconds of one run, then the peak of traced memory in a second run (tracing slows the clock down)."""
    started = time.perf_counter()
    function()
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


class Command(BaseCommand):
    help = "Time the strategy workbook against openpyxl's write-only mode alone, on the same cells (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--initiatives", type=int, default=5000)
        parser.add_argument("--years", type=int, default=10)
        parser.add_argument("--rounds", type=int, default=1)

    def handle(self, *args, initiatives, years, rounds, **options):
        try:
            with transaction.atomic():
                strategy = self._synthetic_strategy(initiatives, years)
                ours = min(measure(lambda: strategy_workbook(strategy)) for _ in range(rounds))
                plain = min(measure(lambda: self._plain(initiatives, years)) for _ in range(rounds))
                raise Rollback
        except Rollback:
            pass
        self.stdout.write(
            f"export of {initiatives} lines x {years} years: {ours[0]:.2f} s, peak {ours[1] / 2**20:.0f} MiB; "
            f"openpyxl write-only alone: {plain[0]:.2f} s, peak {plain[1] / 2**20:.0f} MiB; "
            f"ratio {ours[0] / plain[0]:.2f} (must stay under 2)"
        )

    @staticmethod
    def _plain(initiatives, years):
        """The same cells, values and formulas, written with nothing but openpyxl's write-only mode."""
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Budget")
        for row in range(initiatives):
            sheet.append([row, str(row), f"Initiativ {row}", *[1.5] * years, f"=SUM(D{row + 1}:M{row + 1})"])
        data = workbook.create_sheet("Data")
        for row in range(initiatives * years):
            data.append(
                [
                    row,
                    "bench",
                    "Bench",
                    "",
                    1,
                    "Kapitel",
                    row,
                    "Initiativ",
                    "initiative",
                    "1",
                    "1",
                    "research",
                    2000,
                    "amount",
                    1.5,
                    "",
                    "mio. kr.",
                ]
            )
        workbook.save(io.BytesIO())

    @staticmethod
    def _synthetic_strategy(initiatives, years):
        strategy = Strategy.objects.create(
            slug="bench",
            title="Bench",
            short_title="Bench",
            published_year=2000,
            first_year=2000,
            last_year=2000 + years - 1,
            source="bench",
        )
        chapters = [
            Chapter.objects.create(strategy=strategy, number=number, title=f"Kapitel {number}", source="bench")
            for number in range(1, 11)
        ]
        made = Initiative.objects.bulk_create(
            Initiative(
                chapter=chapters[index % 10],
                number=str(index),
                position=index,
                title=f"Initiativ {index}",
                theme="research",
                source="bench",
            )
            for index in range(initiatives)
        )
        lines = BudgetLine.objects.bulk_create(
            BudgetLine(
                strategy=strategy,
                chapter=item.chapter,
                kind=LineKind.INITIATIVE,
                position=index,
                title=item.title,
                source="bench",
            )
            for index, item in enumerate(made)
        )
        BudgetLine.initiatives.through.objects.bulk_create(
            BudgetLine.initiatives.through(budgetline=line, initiative=item)
            for line, item in zip(lines, made, strict=True)
        )
        Allocation.objects.bulk_create(
            Allocation(line=line, year=2000 + year, amount=Decimal("1.5")) for line in lines for year in range(years)
        )
        return strategy
