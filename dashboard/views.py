import re

from csp.decorators import csp_replace
from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe
from django_tables2 import RequestConfig

from budgets import csvfiles, workbooks
from budgets.comparison import compare as compare_figures
from budgets.comparison import yearly_funding
from budgets.figures import budget_table, initiative_lineage, strategy_summaries
from dashboard import charts, strategy_page, tables
from dashboard.cache import public_page
from dashboard.downloads import built_once
from dashboard.filters import CompareForm, InitiativeFilter
from initiatives.english import translated
from initiatives.models import Initiative, Strategy
from publication.editions import for_request

SOURCE_NAME = re.compile(r"^[\w-]+\.(txt|md)$")


COMPARISON_ROWS_PER_PAGE = 100
OVERVIEW_STRATEGIES_PER_PAGE = 20
# The compare page opens on the latest two years, which fit a phone's screen; every year is a click away.
COMPARED_YEARS_AT_FIRST = 2
INITIATIVES_PER_PAGE, MOST_INITIATIVES_PER_PAGE = 50, 100

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def shown_strategy(request, slug, strategies=Strategy.objects) -> Strategy:
    """The strategy, if the reader may see it: the public only once a version of it is published."""
    strategy = get_object_or_404(strategies, slug=slug)
    if not for_request(request).shows(strategy):
        raise Http404(_("No published strategy of that name."))
    return strategy


@require_safe
@built_once(dated=True)  # its Status sheet shows what is late
def strategy_export(request, slug):
    strategy = shown_strategy(request, slug)
    return xlsx_response(workbooks.strategy_workbook(strategy, for_request(request)), f"strategi-{strategy.slug}")


@require_safe
@built_once
def all_export(request):
    edition = for_request(request)
    return xlsx_response(workbooks.all_strategies_workbook(yearly_funding(edition), edition), "strategier")


def _compare_form(request, edition) -> CompareForm:
    """The comparison the address asks for; without years, the latest ones, which fit a phone's screen."""
    return CompareForm(request.GET, strategies=edition.strategies(), latest_years=COMPARED_YEARS_AT_FIRST)


def _compared(edition, form):
    data = form.cleaned_data
    return compare_figures(edition, data["strategy"], data["year"], data["by"])


@require_safe
@built_once
def compare_export(request):
    edition = for_request(request)
    form = _compare_form(request, edition)
    if not form.is_valid():
        return render(request, "dashboard/compare.html", {"form": form}, status=400)
    comparison = _compared(edition, form)
    return xlsx_response(workbooks.comparison_workbook(comparison, edition), "sammenligning")


def _rows_per_page(request, form, default: int, most: int) -> int:
    """The rows a page of a table shows: ?per_page= from 1 to ``most``, else ``default``.

    Any other number asked for is an error on ``form`` (so the page answers 400), and the table is paginated as if
    it had not been asked: an unbounded page of a large ministry's search took 26 s and 32 MB.
    """
    asked = request.GET.get("per_page")
    if asked is None:
        return default
    if len(asked) <= len(str(most)) and asked.isdecimal() and 1 <= int(asked) <= most:
        return int(asked)
    form.add_error(None, _("Rows per page must be a whole number from 1 to %(most)d.") % {"most": most})
    request.GET = request.GET.copy()
    request.GET.pop("per_page")
    return default


def table_csv(request, table, filename):
    """The table as a CSV file in the dialect the request names (?dialect=), or a 400 naming the dialects."""
    try:
        dialect = csvfiles.dialect_of(request.GET)
    except csvfiles.UnknownDialect as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return tables.csv_response(table, filename, dialect)


def _csv_or_page(request, table, filename, template, context, status=200):
    # A request with errors gets the page that names them, CSV asked for or not.
    if request.GET.get("export") == "csv" and status == 200:
        return table_csv(request, table, filename)
    return render(request, template, context, status=status)


def _strategies_page(request, edition):
    """The page of strategies the overview shows one by one; the others are drawn and tabled together, and every
    total is of all of them. A ministry's thousand strategies made a chart of a thousand colours and a table of a
    thousand columns, which no reader can use, and took seconds to count their initiatives."""
    return Paginator(edition.strategies(), OVERVIEW_STRATEGIES_PER_PAGE).get_page(request.GET.get("page"))


@require_safe
@public_page
def overview(request):
    edition = for_request(request)
    if request.GET.get("export") == "csv":  # the file holds every strategy
        return table_csv(request, tables.yearly_funding_table(yearly_funding(edition)), "funding-per-year")
    page = _strategies_page(request, edition)
    funding = yearly_funding(edition, shown=page.object_list)
    context = {
        "funding": funding,
        "page": page,
        "table": tables.yearly_funding_table(funding),
        "summaries": strategy_summaries(funding),
        "chart": charts.overview_chart(funding),
        "notes": funding.overlaps(),
    }
    return render(request, "dashboard/overview.html", context)


@require_safe
@public_page
def strategy_detail(request, slug):
    strategy = shown_strategy(request, slug, strategy_page.with_line_count(Strategy.objects))
    edition, order_by = for_request(request), request.GET.get("sort")
    if request.GET.get("export") == "csv":
        table = tables.budget_table(budget_table(strategy, edition), order_by=order_by)
        return table_csv(request, table, f"strategy-{strategy.slug}")
    return strategy_page.response(request, strategy, edition, order_by)


@require_safe
@public_page
def initiative_detail(request, pk):
    initiative = get_object_or_404(Initiative.objects.with_chapter(), pk=pk)
    edition = for_request(request)
    if not edition.shows(initiative.chapter.strategy):
        raise Http404(_("No published initiative of that number."))
    chain = initiative_lineage(initiative, edition)
    return render(
        request,
        "dashboard/initiative_detail.html",
        {
            "initiative": initiative,
            "chain": chain,
            "own": next(entry for entry in chain if entry.initiative.pk == initiative.pk),
            "lines": list(initiative.budget_lines.prefetch_related("footnotes")),
            # The words of its cells (a text, or a remark beside an amount) as this reader's edition has them: the
            # public never reads a draft's words.
            "cell_texts": edition.cells_of(initiative.chapter.strategy)
            .filter(line__initiatives=initiative)
            .exclude(text="", remark="")
            .order_by("year")
            .values_list("year", "text", "remark"),
            "chart": charts.lineage_chart(chain),
        },
    )


def _initiatives_shown(edition):
    """The initiatives of the strategies the reader may see. Where that is every strategy, all of them unasked: the
    database counts a million initiatives on one index in 72 ms, and took 194 joining each to its chapter and
    strategy to ask."""
    if edition.is_draft or len(edition.shown) == Strategy.objects.count():
        return Initiative.objects.all()
    return Initiative.objects.filter(chapter__strategy__in=edition.strategies())


@require_safe
@public_page
def initiative_list(request):
    edition = for_request(request)
    filterset = InitiativeFilter(request.GET, queryset=_initiatives_shown(edition), edition=edition)
    valid = filterset.is_valid()
    per_page = _rows_per_page(request, filterset.form, INITIATIVES_PER_PAGE, MOST_INITIATIVES_PER_PAGE)
    valid = valid and filterset.form.is_valid()
    queryset = filterset.qs if valid else Initiative.objects.none()
    table = tables.InitiativeTable(queryset, sums=filterset.sums if valid else None)
    orderable = {column.name for column in table.columns if column.orderable}
    if not all(value.removeprefix("-") in orderable for value in request.GET.getlist("sort")):
        # ?sort= names no column (a typo, or a probe): django-tables2 would warn about it, then ignore it.
        request.GET = request.GET.copy()
        request.GET.pop("sort", None)
    if valid and request.GET.get("export") == "csv":
        # Every row, in the order asked for: neither counted nor cut into pages first.
        RequestConfig(request, paginate=False).configure(table)
        return table_csv(request, table, "initiatives")
    RequestConfig(request, paginate={"per_page": per_page}).configure(table)
    # The paginator has counted the rows already; counting 100.000 initiatives again cost as much as the page's rows.
    context = {"filter": filterset, "table": table, "count": table.paginator.count if valid else 0}
    return _csv_or_page(
        request, table, "initiatives", "dashboard/initiative_list.html", context, status=200 if valid else 400
    )


@require_safe
@public_page
def compare(request):
    edition = for_request(request)
    form = _compare_form(request, edition)
    form.is_valid()
    per_page = _rows_per_page(request, form, COMPARISON_ROWS_PER_PAGE, COMPARISON_ROWS_PER_PAGE)
    if not form.is_valid():
        return render(request, "dashboard/compare.html", {"form": form}, status=400)
    comparison = _compared(edition, form)
    table = tables.comparison_table(comparison)
    # A hundred strategies compared by chapter are a thousand rows: the page shows them a hundred at a time and
    # charts those; the CSV file and the workbook hold them all.
    RequestConfig(request, paginate={"per_page": per_page, "paginator_class": tables.RowsPaginator}).configure(table)
    shown = [record["row"] for record in table.shown_records()]
    context = {
        "form": form,
        "comparison": comparison,
        "table": table,
        "chart": charts.comparison_chart(comparison, shown),
        "strategies": comparison.strategies,
    }
    return _csv_or_page(request, table, "comparison", "dashboard/compare.html", context)


@require_safe
def source_document(request, name):
    """The published documents the figures come from, as plain text."""
    path = settings.SOURCES_DIR / name
    if not SOURCE_NAME.match(name) or not path.is_file():
        raise Http404(_("No source document of that name."))
    return FileResponse(path.open("rb"), content_type="text/plain; charset=utf-8")


def embeddable(view):
    """A page any site may show in a frame: CSP frame-ancestors * and no X-Frame-Options. Every other page keeps
    the settings' frame-ancestors 'none' and DENY."""
    return xframe_options_exempt(csp_replace({"frame-ancestors": ["*"]})(view))


def _embed(request, context: dict):
    return render(request, "dashboard/embed.html", context)


@embeddable
@require_safe
@public_page
def embed_overview(request):
    edition = for_request(request)
    funding = yearly_funding(edition, shown=_strategies_page(request, edition).object_list)
    return _embed(
        request,
        {
            "title": _("Funding per year by strategy, with the frames in all"),
            "chart": charts.overview_chart(funding),
            "page_url": reverse("overview"),
        },
    )


@embeddable
@require_safe
@public_page
def embed_strategy(request, slug):
    strategy = shown_strategy(request, slug)
    budget = budget_table(strategy, for_request(request))
    return _embed(
        request,
        {
            "title": _("Funding per chapter and year, %(title)s") % {"title": translated(strategy, "short_title")},
            "chart": charts.chapter_chart(budget),
            "page_url": strategy.get_absolute_url(),
            "strategy": strategy,
        },
    )


@embeddable
@require_safe
@public_page
def embed_compare(request):
    edition = for_request(request)
    form = _compare_form(request, edition)
    if not form.is_valid():
        return render(request, "dashboard/compare.html", {"form": form}, status=400)
    comparison = _compared(edition, form)
    query = request.GET.urlencode()
    return _embed(
        request,
        {
            "title": _("Funding side by side"),
            "chart": charts.comparison_chart(comparison, comparison.rows[:COMPARISON_ROWS_PER_PAGE]),
            "page_url": reverse("compare") + (f"?{query}" if query else ""),
        },
    )


@embeddable
@require_safe
@public_page
def embed_initiative(request, pk):
    initiative = get_object_or_404(Initiative.objects.with_chapter(), pk=pk)
    edition = for_request(request)
    if not edition.shows(initiative.chapter.strategy):
        raise Http404(_("No published initiative of that number."))
    return _embed(
        request,
        {
            "title": _("Funding of the same effort across strategies"),
            "chart": charts.lineage_chart(initiative_lineage(initiative, edition)),
            "page_url": initiative.get_absolute_url(),
            "strategy": initiative.chapter.strategy,
        },
    )
