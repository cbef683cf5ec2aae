from datetime import date
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from budgets.baselines import BaselineError, differences, freeze_baseline, published_baseline, visible_baselines
from budgets.cells import format_cell
from budgets.figures import budget_table
from budgets.models import Baseline, BudgetLine
from budgets.text import has_control_characters
from budgets.workbooks import change_log_workbook
from dashboard.views import xlsx_response
from editing import history
from editing.forms import cell_name, grid_edits
from editing.imports import MAX_BYTES, WorkbookError, edits_from_session, edits_to_session, read_workbook
from editing.permissions import can_edit
from editing.services import GridError, revert_change, revert_save, save_grid
from initiatives.models import Strategy


def _editable_strategy(request, slug) -> Strategy:
    strategy = get_object_or_404(Strategy, slug=slug)
    if not can_edit(request.user, strategy):
        raise PermissionDenied(_("You may not edit %(strategy)s.") % {"strategy": strategy})
    return strategy


def _grid_line(row, years, typed: dict, errors: dict) -> dict:
    """One line of the grid: per year the cell as typed, what it showed and its version, and the line as HTML.

    The HTML is written here: the template engine would spend most of a second on the inputs of 1.000 lines.
    """
    line_id = row.line.pk
    cells = []
    for year, cell in zip(years, row.cells, strict=True):
        name, shown = cell_name(line_id, year), format_cell(cell)
        cells.append(
            {
                "year": year,
                "name": name,
                "shown": shown,
                "value": typed.get(name, shown),
                "version": cell.version if cell else "",
                "error": errors.get((line_id, year), ""),
            }
        )
    html = format_html(
        '<tr class="line"><td class="number-col">{}</td><th scope="row" id="line-{}">{}</th>{}</tr>',
        row.numbers,
        line_id,
        row.line.title,
        mark_safe("".join(_grid_cell(line_id, column, cell) for column, cell in enumerate(cells))),
    )
    return {"row": row, "cells": cells, "html": html}


def _grid_cell(line_id, column: int, cell: dict) -> str:
    # html.escape gives what Django's escape gives, without its per-call overhead, which on 10.000 cells counts.
    name, error = cell["name"], cell["error"]
    key, shown = name[2:], escape(cell["shown"])
    invalid = f' aria-invalid="true" aria-describedby="error-{name}"' if error else ""
    note = f'<span class="errors" id="error-{name}">{escape(str(error))}</span>' if error else ""
    return (
        f'<td class="number{" has-error" if error else ""}"><input type="text" name="{name}" '
        f'value="{escape(cell["value"])}" data-column="{column}" data-shown="{shown}" aria-labelledby="line-{line_id}" '
        f'aria-label="{cell["year"]}" inputmode="decimal" size="9"{invalid}>'
        f'<input type="hidden" name="o-{key}" value="{shown}"><input type="hidden" name="v-{key}" '
        f'value="{cell["version"]}">{note}</td>'
    )


def _grid(request, strategy, *, status=200, errors=None, conflicts=(), typed=None):
    table = budget_table(strategy)
    typed = typed or {}
    cell_errors = errors.cells if errors else {}
    rows = [
        {"section": section, "lines": [_grid_line(row, table.years, typed, cell_errors) for row in section.rows]}
        for section in [*table.sections, table.reserves]
    ]
    return render(
        request,
        "editing/grid.html",
        {
            "strategy": strategy,
            "table": table,
            "sections": rows,
            "page_errors": errors.page if errors else [],
            "conflicts": [
                {
                    "line": next(row.line for row in table.rows if row.line.pk == conflict.edit.line_id),
                    "year": conflict.edit.year,
                    "yours": format_cell(conflict.edit.cell),
                    "theirs": format_cell(conflict.current),
                }
                for conflict in conflicts
            ],
            "reason": (typed or {}).get("reason", ""),
            "grid_texts": {
                "over": _("Allocations exceed the frame in %(year)s by %(amount)s mio. kr."),
                "unknown": _("unknown"),
                "invalid": _("Not an amount"),
            },
        },
        status=status,
    )


@login_required
def grid(request, slug):
    strategy = _editable_strategy(request, slug)
    if request.method != "POST":
        return _grid(request, strategy)
    typed = request.POST.dict()
    try:
        edits = grid_edits(request.POST, strategy)
        if not edits:
            raise GridError(page=[_("Nothing was changed, so nothing was saved.")])
        result = save_grid(strategy, request.user, edits, request.POST.get("reason", ""))
    except GridError as error:
        return _grid(request, strategy, status=400, errors=error, typed=typed)
    if result.conflicts:
        messages.warning(
            request,
            _("%(saved)d cells saved; %(conflicts)d were changed by someone else meanwhile and were not saved.")
            % {"saved": len(result.saved), "conflicts": len(result.conflicts)},
        )
        return _grid(request, strategy, status=409, conflicts=result.conflicts)
    messages.success(request, _("Saved %(count)d cells.") % {"count": len(result.saved)})
    return redirect("grid", slug=strategy.slug)


def _date(text):
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return "invalid"


@require_safe
@login_required
def change_log(request, slug):
    strategy = _editable_strategy(request, slug)
    since, until = _date(request.GET.get("since", "")), _date(request.GET.get("until", ""))
    if "invalid" in (since, until):
        messages.error(request, _("Write dates as YYYY-MM-DD."))
        return render(request, "editing/changes.html", {"strategy": strategy, "changes": []}, status=400)
    username = request.GET.get("user", "")
    if has_control_characters(username):
        messages.error(request, _("Choose a user from the list."))
        return render(request, "editing/changes.html", {"strategy": strategy, "changes": []}, status=400)
    line_ids = None
    # isdecimal, not isdigit: "²" is a digit that int() cannot read.
    if request.GET.get("initiative", "").isdecimal():
        line_ids = list(
            BudgetLine.objects.filter(strategy=strategy, initiatives=request.GET["initiative"]).values_list(
                "pk", flat=True
            )
        )
    return render(
        request,
        "editing/changes.html",
        {
            "strategy": strategy,
            "changes": list(
                history.changes(strategy, username=username or None, since=since, until=until, line_ids=line_ids)
            ),
            "editors": history.editors(strategy),
            "chosen_user": username,
            "since": request.GET.get("since", ""),
            "until": request.GET.get("until", ""),
        },
    )


@require_safe
@login_required
def change_log_export(request, slug):
    strategy = _editable_strategy(request, slug)
    since, until = _date(request.GET.get("since", "")), _date(request.GET.get("until", ""))
    if "invalid" in (since, until):
        return HttpResponseBadRequest(_("Write dates as YYYY-MM-DD."))
    recorded = history.changes(strategy, since=since, until=until)
    return xlsx_response(change_log_workbook(strategy, recorded), f"aendringer-{strategy.slug}")


@login_required
@require_POST
def revert(request, slug, save_id):
    strategy = _editable_strategy(request, slug)
    reason = request.POST.get("reason", "").strip() or _("Reverting save %(save)s") % {"save": save_id[:8]}
    return _reverted(request, strategy, lambda: revert_save(strategy, request.user, save_id, reason))


@login_required
@require_POST
def revert_one(request, slug, event_id):
    strategy = _editable_strategy(request, slug)
    reason = request.POST.get("reason", "").strip() or _("Reverting change %(change)s") % {"change": event_id}
    return _reverted(request, strategy, lambda: revert_change(strategy, request.user, event_id, reason))


def _reverted(request, strategy, revert):
    try:
        result = revert()
    except GridError as error:
        messages.error(request, str(error))
        return redirect("change_log", slug=strategy.slug)
    if result.conflicts:
        messages.warning(
            request,
            _("%(conflicts)d cells have changed again since and were left as they are.")
            % {"conflicts": len(result.conflicts)},
        )
    messages.success(request, _("Reverted %(count)d cells.") % {"count": len(result.saved)})
    return redirect("change_log", slug=strategy.slug)


def _baseline(strategy, value):
    """A baseline of the strategy's page by id from the query string; "current" or nothing means the current
    figures."""
    if value in ("", "current", None):
        return None
    if not str(value).isdigit():
        raise ValueError(value)
    return visible_baselines(strategy).get(pk=value)


@login_required
def baselines(request, slug):
    strategy = _editable_strategy(request, slug)
    status = 200
    if request.method == "POST":
        try:
            baseline = freeze_baseline(
                request.POST.get("name", ""), created_by=request.user.get_username(), strategy=strategy
            )
        except BaselineError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("Froze the current figures as “%(name)s”.") % {"name": baseline})
            return redirect("baselines", slug=strategy.slug)
    published = published_baseline()
    try:
        old = _baseline(strategy, request.GET.get("from", published.pk if published else ""))
        new = _baseline(strategy, request.GET.get("to", "current"))
    except (ValueError, Baseline.DoesNotExist):
        messages.error(request, _("No such baseline."))
        old, new, status = published, None, 400
    return render(
        request,
        "editing/baselines.html",
        {
            "strategy": strategy,
            "baselines": visible_baselines(strategy),
            "old": old,
            "new": new,
            "differences": differences(strategy, old, new),
        },
        status=status,
    )


IMPORT_SESSION_KEY = "workbook-import"


@login_required
def import_workbook(request, slug):
    """Upload: a preview of every change; confirm: one recorded save. Nothing is written before confirming."""
    strategy = _editable_strategy(request, slug)
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(IMPORT_SESSION_KEY)
        if not stored or stored["strategy"] != strategy.slug:
            messages.error(request, _("Upload the workbook again; the preview has expired."))
            return redirect("import_workbook", slug=strategy.slug)
        try:
            result = save_grid(
                strategy, request.user, edits_from_session(stored["edits"]), request.POST.get("reason", "")
            )
        except GridError as error:
            return render(request, "editing/import.html", {"strategy": strategy, "page_errors": error.page}, status=400)
        del request.session[IMPORT_SESSION_KEY]
        messages.success(request, _("Imported %(count)d cells.") % {"count": len(result.saved)})
        if result.conflicts:
            messages.warning(
                request,
                _("%(conflicts)d cells were changed by someone else meanwhile and were not imported.")
                % {"conflicts": len(result.conflicts)},
            )
        return redirect("change_log", slug=strategy.slug)
    if request.method != "POST":
        return render(request, "editing/import.html", {"strategy": strategy})
    upload = request.FILES.get("workbook")
    if upload is None:
        return render(
            request, "editing/import.html", {"strategy": strategy, "page_errors": [_("Choose a file.")]}, status=400
        )
    if upload.size > MAX_BYTES:
        errors = [_("The file is larger than 10 MB.")]
        return render(request, "editing/import.html", {"strategy": strategy, "page_errors": errors}, status=400)
    try:
        preview = read_workbook(strategy, upload.read())
    except WorkbookError as error:
        return render(request, "editing/import.html", {"strategy": strategy, "page_errors": [str(error)]}, status=400)
    status = 400 if preview.errors else 200
    if not preview.errors:
        request.session[IMPORT_SESSION_KEY] = {"strategy": strategy.slug, "edits": edits_to_session(preview.edits)}
    return render(request, "editing/import.html", {"strategy": strategy, "preview": preview}, status=status)
