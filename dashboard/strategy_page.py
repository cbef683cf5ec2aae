"""A strategy's page in parts: its head before any figure is read, then the budget table a few hundred rows at a time.

The page of a 5.000-line strategy is 4 MiB and took two thirds of a second to build; streamed, the reader's browser
has the head (styles, fonts, the navigation) at once and draws the table as it comes. A page of fewer lines is
joined and sent whole, from the same parts.
"""

from django.db.models import Count
from django.http import HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from budgets.figures import budget_table, initiative_count
from dashboard import charts, tables
from dashboard.templatetags.dashboard import linked_sources
from initiatives.english import translated_html

# A page of more lines than this is streamed; below it the parts are joined, so the answer has a Content-Length.
STREAMED_FROM_LINES = 1000
ROWS_PER_PART = 500
CONTENT_MARK = mark_safe("\x00content\x00")
SOURCES_MARK = mark_safe("\x00sources\x00")


def response(request, strategy, edition, order_by) -> HttpResponse | StreamingHttpResponse:
    """The page, streamed if the strategy is large. The shell around the content (head, navigation, messages,
    footer) is made here, in the view, so that what it does to the request (a message shown, a CSRF token) is done
    before the middleware sees the answer."""
    shell = render_to_string(
        "dashboard/strategy_detail.html", {"strategy": strategy, "content_mark": CONTENT_MARK}, request
    )
    head, tail = shell.split(CONTENT_MARK)
    parts = _parts(request, strategy, edition, order_by, head, tail, translation.get_language())
    if strategy.line_count > STREAMED_FROM_LINES:
        return StreamingHttpResponse(parts)
    return HttpResponse("".join(parts))


def with_line_count(strategies):
    """The strategies with their number of budget lines, which decides whether the page is streamed; read with the
    strategy, in the query the page makes anyway."""
    return strategies.annotate(line_count=Count("budget_lines"))


def _parts(request, strategy, edition, order_by, head, tail, language):
    yield head
    # The rest may be made after the view has returned: in the language the request asked for.
    with translation.override(language):
        budget = budget_table(strategy, edition)
        table = tables.budget_table(budget, order_by=order_by)
        context = {
            "strategy": strategy,
            "budget": budget,
            "initiatives": initiative_count(strategy, sum(len(section.initiatives) for section in budget.sections)),
            "table": table,
            "chapter_chart": charts.chapter_chart(budget),
            "lines_chart": charts.lines_chart(budget),
            "sources_mark": SOURCES_MARK,
        }
        content = render_to_string("dashboard/_strategy_content.html", context, request)
        above, rest = content.split(tables.BudgetTable.rows_mark)
        between, below = rest.split(SOURCES_MARK)
        yield above
        yield from table.row_parts(ROWS_PER_PART)
        yield between
        yield from _source_parts(budget, ROWS_PER_PART)
        yield below
    yield tail


def _source_parts(budget, rows_per_part: int):
    """The rows of the table of initiatives and their sources, by chapter, as the template wrote them."""
    initiative_url = tables.url_maker("initiative_detail")
    sources = {}  # each source's links made once: a generated strategy's thousands of initiatives share a few
    parts = []
    for section in budget.sections:
        parts.append(
            format_html(
                '\n    <tbody>\n      <tr class="chapter-heading"><th scope="rowgroup" colspan="3">{}. {}</th></tr>'
                "\n      ",
                section.chapter.number,
                translated_html(section.chapter, "title"),
            )
        )
        for initiative in section.initiatives:
            source = sources.get(initiative.source)
            if source is None:
                source = sources[initiative.source] = linked_sources(initiative.source)
            parts.append(
                format_html(
                    '<tr><td class="number-col">{}</td><th scope="row"><a href="{}">{}</a></th><td>{}</td></tr>',
                    initiative.number,
                    initiative_url(initiative.pk),
                    translated_html(initiative, "title"),
                    source,
                )
            )
            if len(parts) >= rows_per_part:
                yield "".join(parts)
                parts = []
        parts.append("\n    </tbody>\n    ")
    yield "".join(parts)
