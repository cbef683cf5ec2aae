"""Baselines: frozen copies of every cell, and what changed between two of them or since one."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.models import Allocation, Baseline, BaselineCell, BaselineKind, BudgetLine, CellKind
from budgets.text import has_control_characters

PUBLISHED_NAME = "Som offentliggjort"
NAME_LENGTH = Baseline._meta.get_field("name").max_length


class BaselineError(ValueError):
    pass


def freeze_baseline(name: str, *, kind=BaselineKind.FROZEN, created_by: str = "") -> Baseline:
    """Copy every cell as it is now under ``name``, in one transaction."""
    name = name.strip()
    if not name:
        raise BaselineError(_("Give the baseline a name, e.g. “Finanslov 2025”."))
    if len(name) > NAME_LENGTH:
        raise BaselineError(_("A baseline's name may be at most %(length)d characters.") % {"length": NAME_LENGTH})
    if has_control_characters(name):
        raise BaselineError(_("The name holds an invisible control character; type it again."))
    try:
        with transaction.atomic():
            baseline = Baseline.objects.create(name=name, kind=kind, created_by=created_by)
            BaselineCell.objects.bulk_create(
                BaselineCell(baseline=baseline, **cell)
                for cell in Allocation.objects.values("line_id", "year", "kind", "amount", "text", "remark").iterator(
                    chunk_size=5000
                )
            )
    except IntegrityError:
        raise BaselineError(_("A baseline named “%(name)s” exists already.") % {"name": name}) from None
    return baseline


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
