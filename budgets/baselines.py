"""Baselines: frozen copies of a strategy's cells (or every strategy's), and what changed between two of them or
since one."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from budgets.models import Allocation, Baseline, BaselineKind, BudgetLine, CellKind
from budgets.text import has_control_characters
from initiatives.models import Strategy

PUBLISHED_NAME = "Som offentliggjort"
NAME_LENGTH = Baseline._meta.get_field("name").max_length
# Each a copy of the strategy's every cell: a thousand lines over ten years is 10.000 rows a baseline.
MOST_BASELINES = 100


class BaselineError(ValueError):
    pass


def freeze_baseline(name: str, *, kind=BaselineKind.FROZEN, created_by: str = "", strategy=None) -> Baseline:
    """Copy the strategy's cells (every strategy's without one) as they are now under ``name``, in one transaction.

    A strategy holds at most MOST_BASELINES, each named once among the baselines its page shows (its own and
    those of every strategy). The cells are copied by the database in one statement, never through Python.
    """
    name = name.strip()
    if not name:
        raise BaselineError(_("Give the baseline a name, e.g. “Finanslov 2025”."))
    if len(name) > NAME_LENGTH:
        raise BaselineError(_("A baseline's name may be at most %(length)d characters.") % {"length": NAME_LENGTH})
    if has_control_characters(name):
        raise BaselineError(_("The name holds an invisible control character; type it again."))
    taken = BaselineError(_("A baseline named “%(name)s” exists already.") % {"name": name})
    try:
        with transaction.atomic():
            if strategy is not None:
                # Freezes of one strategy take turns, so two at once cannot both pass the count below.
                Strategy.objects.select_for_update().get(pk=strategy.pk)
                if visible_baselines(strategy).filter(name=name).exists():
                    raise taken
                if Baseline.objects.filter(strategy=strategy).count() >= MOST_BASELINES:
                    raise BaselineError(
                        _("%(strategy)s has %(count)d baselines, the most a strategy may have.")
                        % {"strategy": strategy, "count": MOST_BASELINES}
                    )
            baseline = Baseline.objects.create(name=name, kind=kind, created_by=created_by, strategy=strategy)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO budgets_baselinecell (baseline_id, line_id, year, kind, amount, text, remark) "
                    "SELECT %s, cell.line_id, cell.year, cell.kind, cell.amount, cell.text, cell.remark "
                    "FROM budgets_allocation cell JOIN budgets_budgetline line ON line.id = cell.line_id "
                    "WHERE %s::bigint IS NULL OR line.strategy_id = %s",
                    [baseline.pk, getattr(strategy, "pk", None), getattr(strategy, "pk", None)],
                )
    except IntegrityError:
        raise taken from None
    return baseline


def visible_baselines(strategy):
    """The baselines a strategy's page compares: its own and those of every strategy."""
    return Baseline.objects.filter(Q(strategy=strategy) | Q(strategy__isnull=True))


def published_baseline() -> Baseline | None:
    return Baseline.objects.filter(kind=BaselineKind.PUBLISHED).first()


@dataclass(frozen=True)
class Difference:
    line: BudgetLine
    year: int
    old: object  # a cell (Allocation or BaselineCell) or None
    new: object

    @staticmethod
    def _amount(cell) -> Decimal:
        return cell.amount if cell is not None and cell.kind == CellKind.AMOUNT else Decimal("0.0")

    @property
    def change(self) -> Decimal:
        return self._amount(self.new) - self._amount(self.old)


def _cells(strategy, baseline: Baseline | None) -> dict:
    if baseline is None:
        queryset = Allocation.objects.filter(line__strategy=strategy)
    else:
        queryset = baseline.cells.filter(line__strategy=strategy)
    return {(cell.line_id, cell.year): cell for cell in queryset}


def differences(strategy, old: Baseline | None, new: Baseline | None) -> list[Difference]:
    """Every cell of the strategy that differs between two baselines; None stands for the current figures."""
    before, after = _cells(strategy, old), _cells(strategy, new)
    lines = {line.pk: line for line in BudgetLine.objects.for_strategy(strategy).prefetch_related("initiatives")}

    def state(cell):
        return None if cell is None else (cell.kind, cell.amount, cell.text, cell.remark)

    changed = [key for key in sorted(set(before) | set(after)) if state(before.get(key)) != state(after.get(key))]
    return sorted(
        (
            Difference(lines[line_id], year, before.get((line_id, year)), after.get((line_id, year)))
            for line_id, year in changed
        ),
        key=lambda difference: (difference.line.position, difference.year),
    )
