from datetime import date
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from budgets.baselines import BaselineError, differences, freeze_baseline, published_baseline, visible_baselines
from budgets.cells import format_cell, format_value, value_formatter
from budgets.display import amount_html_formatter
from budgets.figures import budget_table
from budgets.models import Baseline, BudgetLine
from budgets.text import has_control_characters
from budgets.workbooks import change_log_workbook
from dashboard.views import xlsx_response
from editing import history
from editing.forms import cell_name, grid_edits, shown_field
from editing.imports import MAX_BYTES, WorkbookError, edits_from_session, edits_to_session, read_workbook
from editing.permissions import can_edit
from editing.services import Conflict, GridError, revert_change, revert_save, save_grid
from initiatives.models import Strategy
from publication.editions import Edition


def _editable_strategy(request, slug) -> Strategy:
    strategy = get_object_or_404(Strategy, slug=slug)
    if not can_edit(request.user, strategy):
        raise PermissionDenied(_("You may not edit %(strategy)s.") % {"strategy": strategy})
    return strategy


def _grid_line(row, years, typed: dict, errors: dict, conflicts: dict, as_html, as_value) -> dict:
    """One line of the grid: per year the cell as typed, what it showed and its version, and the line as HTML.

    The HTML is written here: the template engine would spend most of a second on the inputs of 1.000 lines.
    """
    line_id = row.line.pk
    label = f"{row.numbers} {row.line.title}".strip()
    cells = []
    for year, cell in zip(years, row.cells, strict=True):
        name = cell_name(line_id, year)
        value = as_value(cell)
        remark = cell.remark if cell else ""
        correction = "1" if cell and cell.is_correction else ""
        shown = shown_field(cell, value)
        if typed:  # a refused save shows what was typed; a fresh grid has nothing typed to look up
            value = typed.get(name, value)
            remark = typed.get(cell_name(line_id, year, "r"), remark)
            correction = typed.get(cell_name(line_id, year, "k"), correction)
        cells.append(
            {
                "year": year,
                "name": name,
                "shown": shown,
                "value": value,
                "remark": remark,
                "correction": correction,
                "version": cell.version if cell else "",
                "error": errors.get((line_id, year), ""),
                "conflict": conflicts.get((line_id, year)),
            }
        )
    # Written with html.escape and an f-string, as the cells are: format_html's per-call work counts on 5.000 lines.
    html = mark_safe(
        f'<tr class="line"><td class="number-col">{escape(row.numbers)}</td><th scope="row" id="line-{line_id}">'
        f'{escape(row.line.title)}<span hidden id="label-{line_id}">{escape(label)},</span></th>'
        + "".join(_grid_cell(line_id, cell) for cell in cells)
        + f'<td class="number row-total">{as_html(row.total)}</td></tr>'
    )
    return {"row": row, "cells": cells, "html": html, "label": label}


def _grid_cell(line_id, cell: dict) -> str:
    # html.escape gives what Django's escape gives, without its per-call overhead, which on 10.000 cells counts.
    name, error, conflict, remark = cell["name"], cell["error"], cell["conflict"], cell["remark"]
    key = name[2:]
    described = [f"error-{key}"] if error else []
    extra = []
    if remark:
        # Only cells with a remark carry its field, so the grid of 1.000 lines stays as small as it was.
        extra.append(
            f'<input type="hidden" name="r-{key}" value="{escape(remark)}">'
            f'<span class="remark" id="remark-{key}">{escape(remark)}</span>'
        )
        described.append(f"remark-{key}")
    if cell["correction"]:
        extra.append(f'<input type="hidden" name="k-{key}" value="1">')
    if error:
        extra.append(f'<span class="errors" id="error-{key}">{escape(str(error))}</span>')
    if conflict:
        extra.append(_conflict_note(key, conflict))
        described.append(f"conflict-{key}")
    classes = "".join([" has-error" if error else "", " has-remark" if remark else "", " conflict" if conflict else ""])
    aria = ' aria-invalid="true"' if error else ""
    if described:
        aria += f' aria-describedby="{" ".join(described)}"'
    value = escape(cell["value"])
    # Most cells show what they hold: their two fields carry the same text, escaped once.
    shown = value if cell["shown"] == cell["value"] else escape(cell["shown"])
    return (
        f'<td class="number cell{classes}"><input type="text" name="{name}" id="{name}" '
        f'value="{value}" aria-labelledby="label-{line_id} year-{cell["year"]}" '
        f'inputmode="decimal" size="9"{aria}>'
        f'<input type="hidden" name="o-{key}" value="{shown}">'
        f'<input type="hidden" name="v-{key}" value="{cell["version"]}">{"".join(extra)}</td>'
    )


def _conflict_note(key: str, conflict: Conflict) -> str:
    """Both values of a cell someone else saved meanwhile; the grid's script makes the buttons work."""
    mine = conflict.edit.cell
    return format_html(
        '<span class="conflict-note" id="conflict-{}">{} <strong>{}</strong>, {} <strong>{}</strong> '
        '<button type="button" class="take-theirs" hidden>{}</button> '
        '<button type="button" class="keep-mine" data-value="{}" data-remark="{}" data-correction="{}" hidden>{}'
        "</button></span>",
        key,
        _("now"),
        format_cell(conflict.current) or _("empty"),
        _("yours"),
        format_cell(mine) or _("empty"),
        _("Take theirs"),
        format_value(mine),
        mine.remark if mine else "",
        "1" if mine and mine.correction else "",
        _("Keep mine"),
    )


def _grid(request, strategy, *, status=200, errors=None, conflicts=(), typed=None):
    table = budget_table(strategy, Edition.draft())
    typed = typed or {}
    cell_errors = errors.cells if errors else {}
    conflicting = {(conflict.edit.line_id, conflict.edit.year): conflict for conflict in conflicts}
    as_html, as_value = amount_html_formatter(), value_formatter()
    rows = [
        {
            "section": section,
            "lines": [
                _grid_line(row, table.years, typed, cell_errors, conflicting, as_html, as_value) for row in section.rows
            ],
        }
        for section in [*table.sections, table.reserves]
    ]
    labels = {line["row"].line.pk: line["label"] for section in rows for line in section["lines"]}
    return render(
        request,
        "editing/grid.html",
        {
            "strategy": strategy,
            "table": table,
            "sections": rows,
            "page_errors": errors.page if errors else [],
            "cell_errors": [
                {"label": f"{labels[line_id]}, {year}", "message": message, "field": cell_name(line_id, year)}
                for (line_id, year), message in cell_errors.items()
                if line_id in labels
            ],
            "conflicts": [
                {
                    "label": f"{labels[line_id]}, {year}",
                    "field": cell_name(line_id, year),
                    "yours": format_cell(conflict.edit.cell),
                    "theirs": format_cell(conflict.current),
                }
                for (line_id, year), conflict in conflicting.items()
            ],
            "reason": (typed or {}).get("reason", ""),
            "frame_total": None if None in table.frames else sum(table.frames),
            "left_total": table.left_in_all,
            # What the published totals hold beyond the rows (2030's bridge financing) is no part of what is left.
            "left_cells": list(zip(table.left_of_frame, table.explained, strict=True)),
            "grid_texts": _grid_texts(),
        },
        status=status,
    )


def _grid_texts() -> dict:
    """The grid script's words, in the reader's language; plural forms as the language makes them."""

    def plural(message) -> dict:
        # Both forms, for the script to choose with Intl.PluralRules: Danish and English each have two.
        return {"one": message(1), "other": message(2)}

    return {
        "over": _("Allocations exceed the frame in %(year)s by %(amount)s mio. kr."),
        "unknown": _("unknown"),
        "plus_unknown": _("+ unknown"),
        "at_least": _("at least %(amount)s"),
        "financed": _("financed elsewhere"),
        "invalid": _("Not an amount"),
        "unsaved": plural(lambda n: ngettext("%(count)s unsaved change", "%(count)s unsaved changes", n)),
        "pasted": plural(lambda n: ngettext("Pasted %(count)s cell.", "Pasted %(count)s cells.", n)),
        "copied": plural(lambda n: ngettext("Copied %(count)s cell.", "Copied %(count)s cells.", n)),
        "undone": plural(
            lambda n: ngettext("Undid the change of %(count)s cell.", "Undid the change of %(count)s cells.", n)
        ),
        "redone": plural(
            lambda n: ngettext("Redid the change of %(count)s cell.", "Redid the change of %(count)s cells.", n)
        ),
        "too_large": _(
            "The block of %(rows)s × %(columns)s cells does not fit from this cell: it would reach past the grid. "
            "Nothing was pasted."
        ),
        "crosses": _(
            "The block would cross the heading of the chapter “%(chapter)s”, whose sums are not typed. Paste each "
            "chapter's rows apart. Nothing was pasted."
        ),
        "onto_label": _("A block is pasted into the year cells, not onto a row's title. Nothing was pasted."),
        "unreadable": _("Row %(row)s, column %(column)s of the block, “%(text)s”: %(message)s Nothing was pasted."),
        "not_amount": _("it is neither an amount, “ukendt” nor a text saying the money is financed elsewhere."),
        "several": _("it holds several numbers."),
        "negative": _("only a correction may be negative."),
        "too_much": _("more than any budget line holds (at most 10.000)."),
        "remark_title": _("Note for %(cell)s"),
        "took_theirs": _("Kept the value someone else saved."),
        "kept_mine": _("Put your value back; save to store it."),
    }


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
    saved = ngettext("Saved %(count)d cell.", "Saved %(count)d cells.", len(result.saved)) % {
        "count": len(result.saved)
    }
    if result.conflicts:
        conflicts = ngettext(
            "%(count)d cell was changed by someone else meanwhile and was not saved; it is marked below.",
            "%(count)d cells were changed by someone else meanwhile and were not saved; they are marked below.",
            len(result.conflicts),
        ) % {"count": len(result.conflicts)}
        messages.warning(request, f"{saved} {conflicts}")
        return _grid(request, strategy, status=409, conflicts=result.conflicts)
    messages.success(request, saved)
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
@require_http_methods(["GET", "POST"])
def revert(request, slug, save_id):
    """A whole earlier save put back, once the editor has seen its cells and said why."""
    strategy = _editable_strategy(request, slug)
    recorded = list(history.changes(strategy, save_id=save_id))
    return _revert_page(
        request,
        strategy,
        recorded,
        _("Revert this save"),
        lambda reason: revert_save(strategy, request.user, save_id, reason),
    )


@login_required
@require_http_methods(["GET", "POST"])
def revert_one(request, slug, event_id):
    """One recorded change of one cell put back, once the editor has seen it and said why."""
    strategy = _editable_strategy(request, slug)
    recorded = list(history.changes(strategy, event_id=event_id))
    return _revert_page(
        request,
        strategy,
        recorded,
        _("Revert this change"),
        lambda reason: revert_change(strategy, request.user, event_id, reason),
    )


def _revert_page(request, strategy, recorded, title, revert):
    if not recorded:
        raise Http404(_("No such change in %(strategy)s.") % {"strategy": strategy})
    context = {"strategy": strategy, "changes": recorded, "title": title, "reason": request.POST.get("reason", "")}
    if request.method == "GET":
        return render(request, "editing/revert.html", context)
    try:
        result = revert(request.POST.get("reason", ""))
    except GridError as error:
        context["page_errors"] = [*error.page, *error.cells.values()]
        return render(request, "editing/revert.html", context, status=400)
    if result.conflicts:
        messages.warning(
            request,
            ngettext(
                "%(count)d cell has changed again since and was left as it is.",
                "%(count)d cells have changed again since and were left as they are.",
                len(result.conflicts),
            )
            % {"count": len(result.conflicts)},
        )
    messages.success(
        request,
        ngettext("Reverted %(count)d cell.", "Reverted %(count)d cells.", len(result.saved))
        % {"count": len(result.saved)},
    )
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
        try:
            # A preview kept by an earlier release may hold its cells in another shape: it has expired too.
            edits = edits_from_session(stored["edits"]) if stored and stored["strategy"] == strategy.slug else None
        except (ValueError, TypeError, KeyError):
            edits = None
        if edits is None:
            messages.error(request, _("Upload the workbook again; the preview has expired."))
            return redirect("import_workbook", slug=strategy.slug)
        try:
            result = save_grid(strategy, request.user, edits, request.POST.get("reason", ""))
        except GridError as error:
            return render(request, "editing/import.html", {"strategy": strategy, "page_errors": error.page}, status=400)
        del request.session[IMPORT_SESSION_KEY]
        messages.success(
            request,
            ngettext("Imported %(count)d cell.", "Imported %(count)d cells.", len(result.saved))
            % {"count": len(result.saved)},
        )
        if result.conflicts:
            messages.warning(
                request,
                ngettext(
                    "%(count)d cell was changed by someone else meanwhile and was not imported.",
                    "%(count)d cells were changed by someone else meanwhile and were not imported.",
                    len(result.conflicts),
                )
                % {"count": len(result.conflicts)},
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
