"""The public pages of the tracking: a strategy's progress, its targets, and one target with its indicators."""

import django_tables2 as tables
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from dashboard.cache import public_page
from dashboard.tables import csv_value
from dashboard.views import shown_strategy, table_csv
from publication.editions import for_request
from tracking import charts
from tracking.models import Target
from tracking.progress import strategy_progress
from tracking.targets import target_page, targets_of


class ProgressTable(tables.Table):
    """The progress page's rows as one flat table, for its CSV file."""

    chapter = tables.Column(verbose_name=gettext_lazy("Chapter"))
    number = tables.Column(verbose_name=gettext_lazy("No."))
    initiative = tables.Column(verbose_name=gettext_lazy("Initiative"))
    status = tables.Column(verbose_name=gettext_lazy("Status"))
    as_of = tables.Column(verbose_name=gettext_lazy("Date"))
    text = tables.Column(verbose_name=gettext_lazy("Public text"))
    authority = tables.Column(verbose_name=gettext_lazy("Responsible authority"))
    late_because = tables.Column(verbose_name=gettext_lazy("Shown as late because"))
    money = tables.Column(verbose_name=gettext_lazy("Allocated in all (mio. kr.)"))


def _csv_rows(progress) -> list[dict]:
    return [
        {
            "chapter": f"{chapter.chapter.number}. {chapter.chapter.title}",
            "number": item.initiative.number,
            "initiative": item.initiative.title,
            "status": item.label,
            "as_of": item.current.as_of.isoformat() if item.current else "",
            "text": item.current.text if item.current else "",
            "authority": str(item.authority or ""),
            "late_because": "; ".join(item.reasons),
            "money": csv_value(item.money),
        }
        for chapter in progress.chapters
        for item in chapter.items
    ]


@require_safe
@public_page
def progress(request, slug):
    strategy = shown_strategy(request, slug)
    found = strategy_progress(strategy, for_request(request))
    if request.GET.get("export") == "csv":
        return table_csv(request, ProgressTable(_csv_rows(found)), f"progress-{strategy.slug}")
    return render(
        request,
        "tracking/progress.html",
        {
            "strategy": strategy,
            "progress": found,
            "chapter_chart": charts.chapters_by_status(found),
            "money_chart": charts.money_by_status(found),
        },
    )


@require_safe
@public_page
def targets(request, slug):
    strategy = shown_strategy(request, slug)
    found = targets_of(strategy)
    if not found:
        raise Http404(_("%(strategy)s sets no targets.") % {"strategy": strategy})
    return render(
        request,
        "tracking/targets.html",
        {"strategy": strategy, "vision": getattr(strategy, "vision", None), "targets": found},
    )


@require_safe
@public_page
def target_detail(request, slug, number):
    strategy = shown_strategy(request, slug)
    target = get_object_or_404(Target.objects.select_related("strategy"), strategy=strategy, number=number)
    page = target_page(target, for_request(request))
    return render(
        request,
        "tracking/target_detail.html",
        {"strategy": strategy, "target": target, "page": page},
    )
