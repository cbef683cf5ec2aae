"""Saving the budget grid and reverting a save: one transaction each, recorded with who, when and why."""

import uuid
from dataclasses import dataclass, field

import pghistory
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from budgets.cells import ParsedCell, checked_cell
from budgets.changes import figures_changed, one_change
from budgets.models import Allocation, BudgetLine
from budgets.text import has_control_characters
from editing.permissions import can_edit
from initiatives.models import Strategy

REASON_LENGTH = 500


@dataclass(frozen=True)
class CellEdit:
    """What an editor asks one cell to become, and the version of the cell they saw (None: it was blank)."""

    line_id: int
    year: int
    cell: ParsedCell | None
    version: int | None


@dataclass(frozen=True)
class Conflict:
    edit: CellEdit
    current: Allocation | None


@dataclass
class SaveResult:
    save_id: str
    saved: list[CellEdit] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


class GridError(Exception):
    """Input that cannot be saved: messages per cell ((line id, year) → text) and for the whole page."""

    def __init__(self, cells: dict | None = None, page: list | None = None):
        self.cells, self.page = cells or {}, page or []
        super().__init__("; ".join([*self.page, *self.cells.values()]))


def reason_problems(reason: str) -> list[str]:
    """What is wrong with the reason of a save, which every save records: the grid's, an import's, the tracking's."""
    if not reason.strip():
        return [_("Say briefly why you make this change.")]
    if len(reason) > REASON_LENGTH:
        return [_("The reason may be at most %(length)d characters.") % {"length": REASON_LENGTH}]
    if has_control_characters(reason):
        return [_("The reason holds an invisible control character; type it again.")]
    return []


def validate(strategy, edits: list[CellEdit], reason: str) -> None:
    """The rules of a save, whichever way its cells came (typed, pasted, imported, put back from the history or
    edited in the admin): a reason, cells of the strategy's own lines inside its period, and cells that keep the
    rules of budgets.cells.checked_cell. GridError names every problem; nothing is saved."""
    cells, page = {}, reason_problems(reason)
    lines = set(BudgetLine.objects.for_strategy(strategy).values_list("pk", flat=True))
    for edit in edits:
        key = (edit.line_id, edit.year)
        if edit.line_id not in lines:
            page.append(_("A row that does not belong to %(strategy)s was sent.") % {"strategy": strategy})
        elif edit.year not in strategy.years:
            cells[key] = _("%(year)s is outside the strategy's period %(first)s–%(last)s.") % {
                "year": edit.year,
                "first": strategy.first_year,
                "last": strategy.last_year,
            }
        else:
            try:
                checked_cell(edit.cell)
            except ValueError as error:
                cells[key] = str(error)
    if cells or page:
        raise GridError(cells, page)


def save_grid(strategy, user, edits: list[CellEdit], reason: str) -> SaveResult:
    """Save the edited cells of a strategy's grid in one transaction, as one recorded save.

    A cell that someone else saved since the editor opened the grid is not overwritten: it comes back as a
    conflict with both values, while the editor's other cells are saved.
    """
    if not can_edit(user, strategy):
        raise PermissionDenied(_("You may not edit %(strategy)s.") % {"strategy": strategy})
    validate(strategy, edits, reason)
    result = SaveResult(save_id=str(uuid.uuid4()))
    with (
        transaction.atomic(),
        pghistory.context(user=user.pk, username=user.get_username(), reason=reason.strip(), save=result.save_id),
        one_change(),
    ):
        # Saves of one strategy take turns. A blank cell has no row to lock, so two saves filling the same blank
        # cells would otherwise wait on each other's inserts while holding the figures' generation (deadlock).
        Strategy.objects.select_for_update(no_key=True).get(pk=strategy.pk)
        # Only the cells are locked, in one fixed order: locking their lines too (as a join would) blocks other
        # writers' inserts on those lines.
        current = {
            (cell.line_id, cell.year): cell
            for cell in Allocation.objects.select_for_update(of=("self",))
            .filter(line_id__in={edit.line_id for edit in edits}, year__in={edit.year for edit in edits})
            .order_by("line_id", "year")
        }
        changed, emptied, filled = [], [], []
        for edit in edits:
            existing = current.get((edit.line_id, edit.year))
            if (existing.version if existing else None) != edit.version:
                result.conflicts.append(Conflict(edit, existing))
            elif existing is None and edit.cell is not None:
                filled.append(edit)
            else:
                if existing is not None and edit.cell is None:
                    emptied.append(existing.pk)
                elif existing is not None:
                    existing.kind, existing.amount, existing.text = edit.cell.kind, edit.cell.amount, edit.cell.text
                    existing.remark, existing.is_correction = edit.cell.remark, edit.cell.correction
                    existing.version += 1
                    changed.append(existing)
                result.saved.append(edit)
        # One statement each for the changed and the emptied cells: the triggers still record every cell.
        if changed:
            Allocation.objects.bulk_update(changed, ["kind", "amount", "text", "remark", "is_correction", "version"])
            figures_changed()
        if emptied:
            Allocation.objects.filter(pk__in=emptied).delete()
        _fill(filled, result)
    return result


def _new_cell(edit: CellEdit) -> Allocation:
    return Allocation(
        line_id=edit.line_id,
        year=edit.year,
        kind=edit.cell.kind,
        amount=edit.cell.amount,
        text=edit.cell.text,
        remark=edit.cell.remark,
        is_correction=edit.cell.correction,
    )


def _fill(edits: list[CellEdit], result: SaveResult) -> None:
    """Write the cells that were blank; one someone else filled meanwhile is a conflict, and theirs stands."""
    if not edits:
        return
    try:
        with transaction.atomic():
            Allocation.objects.bulk_create(_new_cell(edit) for edit in edits)
        figures_changed()
        result.saved.extend(edits)
        return
    except IntegrityError:
        pass
    # Someone filled one of these cells after they were read: find which, one cell at a time.
    for edit in edits:
        try:
            with transaction.atomic():
                _new_cell(edit).save()
        except IntegrityError:
            result.conflicts.append(
                Conflict(edit, Allocation.objects.filter(line_id=edit.line_id, year=edit.year).first())
            )
            continue
        result.saved.append(edit)


def revert_save(strategy, user, save_id: str, reason: str) -> SaveResult:
    """Put back every cell of one earlier save as it was before it, as a new save of its own.

    A cell changed again since that save is not touched: it comes back as a conflict.
    """
    from editing.history import changes

    recorded = list(changes(strategy, save_id=save_id))
    if not recorded:
        raise GridError(page=[_("No save with that id in %(strategy)s.") % {"strategy": strategy}])
    return _revert(strategy, user, recorded, reason)


def revert_change(strategy, user, event_id: int, reason: str) -> SaveResult:
    """Put back one cell as it was before one recorded change, as a new save."""
    from editing.history import changes

    recorded = list(changes(strategy, event_id=event_id))
    if not recorded:
        raise GridError(page=[_("No such change in %(strategy)s.") % {"strategy": strategy}])
    return _revert(strategy, user, recorded, reason)


def _revert(strategy, user, recorded, reason: str) -> SaveResult:
    current = {
        (cell.line_id, cell.year): cell
        for cell in Allocation.objects.filter(
            line_id__in={change.line_id for change in recorded}, year__in={change.year for change in recorded}
        )
    }
    edits = []
    for change in sorted(recorded, key=lambda item: item.event_id):
        existing = current.get((change.line_id, change.year))
        still_as_saved = ParsedCell.of(existing) == change.after
        version = existing.version if existing else None
        edits.append(CellEdit(change.line_id, change.year, change.before, version if still_as_saved else -1))
    return save_grid(strategy, user, edits, reason)


def grant_editor(user, strategies=None) -> list:
    """Make ``user`` an editor of the given strategies, or of every strategy when none are given."""
    from django.apps import apps

    from editing.models import StrategyEditor
    from editing.roles import EDITOR_GROUP, ensure_roles

    with transaction.atomic():
        # Editors rename, renumber and retire initiatives in the admin, which only lets staff in.
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(ensure_roles(apps)[EDITOR_GROUP])
        if not strategies:
            return [StrategyEditor.objects.get_or_create(user=user, strategy=None)[0]]
        return [StrategyEditor.objects.get_or_create(user=user, strategy=strategy)[0] for strategy in strategies]


def grant_approver(user) -> None:
    """Make ``user`` an approver, who publishes drafts; approvers are staff, who see the draft."""
    from django.apps import apps

    from editing.roles import APPROVER_GROUP, ensure_roles

    with transaction.atomic():
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(ensure_roles(apps)[APPROVER_GROUP])


def add_budget_line(initiative) -> BudgetLine:
    """A row of its own in its strategy's budget table for a newly added initiative, after the others."""
    from django.db.models import Max

    strategy = initiative.chapter.strategy
    with transaction.atomic():
        # Lock the strategy so two initiatives added at once cannot take the same position.
        Strategy.objects.select_for_update().get(pk=strategy.pk)
        last = BudgetLine.objects.for_strategy(strategy).aggregate(last=Max("position"))["last"]
        line = BudgetLine.objects.create(
            strategy=strategy,
            chapter=initiative.chapter,
            position=(last or 0) + 1,
            title=initiative.title,
            source=_("Added in Strategy Tracker"),
        )
        line.initiatives.add(initiative)
    return line
