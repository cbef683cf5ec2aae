"""The staff's pages of the tracking: a strategy's initiatives with their draft status, authority and milestones,
the form of one initiative, the quarterly status report's import, and the measured values of an indicator. Only
the strategy's editors see them, and they never go into a cache (editing.middleware)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from dashboard.views import xlsx_response
from editing.permissions import can_edit
from initiatives.models import Initiative, Strategy
from publication.editions import Edition
from tracking import imports, workbooks
from tracking.forms import InitiativeForm, MeasurementForm, MilestoneFormSet, initiative_edit
from tracking.history import recorded_changes
from tracking.models import Measurement, Target
from tracking.progress import progress_of, strategy_progress
from tracking.services import TrackingError, delete_measurement, save_measurement, save_tracking


def _editable_strategy(request, slug) -> Strategy:
    strategy = get_object_or_404(Strategy, slug=slug)
    if not can_edit(request.user, strategy):
        raise PermissionDenied(_("You may not edit %(strategy)s.") % {"strategy": strategy})
    return strategy


@require_safe
@login_required
def overview(request, slug):
    """Every initiative of the strategy with its draft status, authority and milestones, and what to edit."""
    strategy = _editable_strategy(request, slug)
    return render(
        request,
        "tracking/staff_overview.html",
        {
            "strategy": strategy,
            "progress": strategy_progress(strategy, Edition.draft()),
            "targets": Target.objects.filter(strategy=strategy).prefetch_related("indicators"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_initiative(request, slug, pk):
    strategy = _editable_strategy(request, slug)
    # Another strategy's initiative is not found here: an editor of this one may not edit it.
    initiative = get_object_or_404(Initiative.objects.for_strategy(strategy).with_chapter(), pk=pk)
    draft = progress_of(Edition.draft(), [initiative])[initiative.pk]
    data = request.POST if request.method == "POST" else None
    form = InitiativeForm(
        data,
        updates=draft.updates,
        initial={"authority": draft.authority.pk if draft.authority else None},
    )
    milestones = MilestoneFormSet(
        data,
        prefix="milestones",
        initial=[
            {"milestone": step.pk, "title": step.title, "planned": step.planned, "reached": step.reached}
            for step in draft.milestones
        ],
    )
    status, errors = 200, []
    if data is not None:
        if form.is_valid() and milestones.is_valid():
            try:
                changed = save_tracking(
                    strategy, request.user, [initiative_edit(initiative, form, milestones)], form.cleaned_data["reason"]
                )
            except TrackingError as error:
                errors, status = error.messages, 400
            else:
                if changed:
                    messages.success(
                        request,
                        ngettext("Saved %(count)d change.", "Saved %(count)d changes.", changed) % {"count": changed},
                    )
                else:
                    messages.info(request, _("Nothing was changed, so nothing was saved."))
                return redirect("tracking", slug=strategy.slug)
        else:
            status = 400
    return render(
        request,
        "tracking/edit_initiative.html",
        {
            "strategy": strategy,
            "initiative": initiative,
            "draft": draft,
            "form": form,
            "milestones": milestones,
            "page_errors": errors,
            "recorded": recorded_changes(initiative),
        },
        status=status,
    )


@require_safe
@login_required
def status_template(request, slug):
    """The quarterly status report to fill in: one row per initiative, with its status in the draft."""
    strategy = _editable_strategy(request, slug)
    return xlsx_response(workbooks.status_workbook(strategy, Edition.draft()), f"status-{strategy.slug}")


IMPORT_SESSION_KEY = "status-import"


@login_required
@require_http_methods(["GET", "POST"])
def import_status(request, slug):
    """Upload: a preview of every new status; confirm: one recorded save. Nothing is written before confirming."""
    strategy = _editable_strategy(request, slug)
    context = {"strategy": strategy}
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(IMPORT_SESSION_KEY)
        try:
            edits = None
            if stored and stored["strategy"] == strategy.slug:
                edits = imports.edits_from_session(stored["edits"])
        except (ValueError, TypeError, KeyError):
            edits = None
        if edits is None:
            messages.error(request, _("Upload the workbook again; the preview has expired."))
            return redirect("import_status", slug=strategy.slug)
        try:
            changed = save_tracking(strategy, request.user, edits, request.POST.get("reason", ""))
        except TrackingError as error:
            return render(request, "tracking/import.html", {**context, "page_errors": error.messages}, status=400)
        del request.session[IMPORT_SESSION_KEY]
        messages.success(
            request,
            ngettext("Imported %(count)d status.", "Imported %(count)d statuses.", changed) % {"count": changed},
        )
        return redirect("tracking", slug=strategy.slug)
    if request.method != "POST":
        return render(request, "tracking/import.html", context)
    upload = request.FILES.get("workbook")
    if upload is None:
        return render(request, "tracking/import.html", {**context, "page_errors": [_("Choose a file.")]}, status=400)
    try:
        if upload.size > imports.MAX_BYTES:
            raise imports.WorkbookError(_("The file is larger than 10 MB."))
        preview = imports.read_status_report(strategy, upload.read())
    except imports.WorkbookError as error:
        return render(request, "tracking/import.html", {**context, "page_errors": [str(error)]}, status=400)
    if not preview.errors:
        request.session[IMPORT_SESSION_KEY] = {"strategy": strategy.slug, "edits": imports.edits_to_session(preview)}
    status = 400 if preview.errors else 200
    return render(request, "tracking/import.html", {**context, "preview": preview}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def measurements(request, slug, number):
    """The measured values of one target's indicators, and a form per indicator to enter or correct one."""
    strategy = _editable_strategy(request, slug)
    target = get_object_or_404(Target, strategy=strategy, number=number)
    indicators = list(target.indicators.all())
    forms = {indicator.pk: MeasurementForm(prefix=f"indicator-{indicator.pk}") for indicator in indicators}
    status, errors = 200, []
    if request.method == "POST":
        chosen = next((item for item in indicators if str(item.pk) == request.POST.get("indicator")), None)
        if chosen is None:
            errors, status = [_("Choose an indicator of this target.")], 400
        elif "delete" in request.POST:
            measurement = get_object_or_404(Measurement, indicator=chosen, pk=request.POST.get("delete"))
            try:
                delete_measurement(request.user, measurement, request.POST.get("reason", ""))
            except TrackingError as error:
                errors, status = error.messages, 400
            else:
                messages.success(request, _("The measured value is deleted."))
                return redirect("measurements", slug=strategy.slug, number=target.number)
        else:
            form = forms[chosen.pk] = MeasurementForm(request.POST, prefix=f"indicator-{chosen.pk}")
            if form.is_valid():
                try:
                    save_measurement(request.user, chosen, form.typed(), form.cleaned_data["reason"])
                except TrackingError as error:
                    errors, status = error.messages, 400
                else:
                    messages.success(request, _("The measured value is saved; the public sees it now."))
                    return redirect("measurements", slug=strategy.slug, number=target.number)
            else:
                status = 400
    return render(
        request,
        "tracking/measurements.html",
        {
            "strategy": strategy,
            "target": target,
            "indicators": [
                {
                    "indicator": indicator,
                    "measurements": list(indicator.measurements.order_by("measured_on")),
                    "form": forms[indicator.pk],
                }
                for indicator in indicators
            ],
            "page_errors": errors,
        },
        status=status,
    )
