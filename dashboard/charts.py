"""Plotly figures built in Python; pages hand their JSON to static/dashboard/charts.js (no inline script).

The figures are written as the plain dictionaries Plotly's JSON is made of: plotly.graph_objects validates
every property of every trace, which on the overview of a hundred strategies costs more than the page's
queries. The look is Plotly's own: its default template is added to each figure, as plotly.py does.
"""

import functools
import html
import json
from decimal import Decimal

import plotly.colors
import plotly.graph_objects as go
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from budgets.display import figure_text as amount_text_of
from budgets.numbers import ZERO, format_amount

# Plotly's colour-blind-safe qualitative palette, in a fixed order so a strategy keeps its colour on every page.
PALETTE = plotly.colors.qualitative.Safe
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13}


def separators() -> str:
    """Plotly's decimal and thousands separators in the reader's notation: ",." in Danish, ".," in English."""
    return get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR")


def _layout(**extra) -> dict:
    return {
        "font": FONT,
        "margin": {"l": 60, "r": 20, "t": 30, "b": 60},
        "legend": {"orientation": "h", "y": -0.2},
        "separators": separators(),
        "yaxis": {"title": {"text": _("mio. kr.")}, "rangemode": "tozero"},
        **extra,
    }


@functools.cache
def _template() -> dict:
    return json.loads(go.Figure().to_json())["layout"]["template"]


def plain(text) -> str:
    """A name as Plotly should show it, written out. Plotly reads tags in every text it draws (legends, axes, hover,
    sunburst labels) as markup: a chapter titled '<a href=…>' became a live link, '<span style=…>' restyled the
    chart. Escaped, the tags show as typed (Plotly turns &lt; back into <)."""
    return html.escape(str(text), quote=False)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _numbers(values) -> list:
    return [_number(value) for value in values]


def figure(traces: list[dict], layout: dict) -> dict:
    """A figure as Plotly's JSON, with the template plotly.py would add."""
    return {"data": traces, "layout": {**layout, "template": _template()}}


def bar(**properties) -> dict:
    return {"type": "bar", **properties}


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _known(figure) -> float | None:
    if figure is None:
        return 0.0
    return _number(figure.amount) if figure.is_complete else None


def _hover_text(figure) -> str:
    """A sum as the tables write it, for a bar's hover label: "mindst 70,0 + ukendt" where cells are unknown."""
    if figure is None:
        return f"{format_amount(ZERO)} {_('mio. kr.')}"
    return f"{amount_text_of(figure)} {_('mio. kr.')}"


def overview_chart(funding) -> dict:
    """Stacked bars of what each strategy allocates per year, its frame shown where amounts are unknown."""
    traces = []
    years = funding.years
    for index, strategy in enumerate(funding.strategies):
        known, unknown_frame = [], []
        for year in years:
            allocated = funding.figure(strategy, year)
            if allocated is None:
                known.append(None)
                unknown_frame.append(None)
            elif not allocated.is_complete and allocated.amount == ZERO:
                known.append(None)
                unknown_frame.append(funding.frame(strategy, year))
            else:
                known.append(allocated.amount)
                unknown_frame.append(None)
        name = plain(strategy.short_title)
        if any(value is not None for value in known):
            traces.append(
                bar(
                    x=years,
                    y=_numbers(known),
                    # A year with some cells unknown draws its known part, and says "mindst … + ukendt" on hover.
                    customdata=[_hover_text(funding.figure(strategy, year)) for year in years],
                    name=name,
                    marker={"color": colour(index)},
                    hovertemplate="%{x}: %{customdata}" + f"<extra>{name}</extra>",
                )
            )
        if any(value is not None for value in unknown_frame):
            label = _("%(strategy)s: frame, distribution unknown") % {"strategy": name}
            traces.append(
                bar(
                    x=years,
                    y=_numbers(unknown_frame),
                    name=label,
                    marker={"color": "white", "line": {"color": colour(index), "width": 2}, "pattern": {"shape": "/"}},
                    hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + f"<extra>{label}</extra>",
                )
            )
    traces.append(
        {
            "type": "scatter",
            "x": years,
            "y": _numbers(funding.total_frame(year) for year in years),
            "name": _("Frames in all"),
            "mode": "lines+markers",
            "line": {"color": "#222", "dash": "dot"},
            "hovertemplate": "%{x}: %{y:,.1f} " + _("mio. kr.") + "<extra>" + _("Frames in all") + "</extra>",
        }
    )
    return figure(traces, _layout(barmode="stack", xaxis={"dtick": 1, "title": {"text": _("Year")}}))


def chapter_chart(table) -> dict:
    """Grouped bars: each chapter's sum per year, reserves apart."""
    years = list(table.years)
    sections = [section for section in table.sections if section.rows] + (
        [table.reserves] if table.reserves.rows else []
    )
    traces = []
    for index, section in enumerate(sections):
        name = plain(f"{section.chapter.number}. {section.chapter.title}" if section.chapter else _("Reserves"))
        traces.append(
            bar(
                x=years,
                y=[_number(figure_.amount) if figure_.is_complete else None for figure_ in section.subtotals],
                name=name,
                marker={"color": colour(index + 1)},
                hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + f"<extra>{name}</extra>",
            )
        )
    return figure(traces, _layout(barmode="group", xaxis={"dtick": 1}, legend={"orientation": "v"}))


def sunburst_chart(table) -> dict:
    """Strategy → chapter → budget line, sized by what each line allocates over the period."""
    root = "strategy"
    ids, labels, parents, values = [root], [plain(table.strategy.short_title)], [""], [table.grand_total.amount]
    for section in [*table.sections, table.reserves]:
        section_total = section.total.amount
        if not section.rows or section_total <= ZERO:
            continue
        section_id = f"chapter-{section.chapter.pk}" if section.chapter else "reserves"
        ids.append(section_id)
        labels.append(plain(section.chapter.title if section.chapter else _("Reserves")))
        parents.append(root)
        values.append(section_total)
        for row in section.rows:
            if row.total is not None and row.total.amount > ZERO:
                ids.append(f"line-{row.line.pk}")
                labels.append(plain(f"{row.numbers} {row.line.title}".strip()))
                parents.append(section_id)
                values.append(row.total.amount)
    trace = {
        "type": "sunburst",
        "ids": ids,
        "labels": labels,
        "parents": parents,
        "values": _numbers(values),
        "branchvalues": "total",
        "maxdepth": 2,
        "insidetextorientation": "radial",
        "hovertemplate": "%{label}<br>%{value:,.1f} " + _("mio. kr.") + "<extra></extra>",
    }
    return figure([trace], {"font": FONT, "margin": {"l": 0, "r": 0, "t": 10, "b": 10}, "separators": separators()})


def lineage_chart(chain) -> dict:
    """The same effort across strategies: each initiative's money per year, coloured by strategy."""
    traces = []
    for entry in chain:
        traces.append(
            bar(
                x=list(entry.figures),
                y=[
                    _number(figure_.amount) if figure_ is not None and figure_.is_complete else None
                    for figure_ in entry.figures.values()
                ],
                name=plain(f"{entry.initiative.strategy.short_title} {entry.initiative.number}".strip()),
                marker={"color": colour(entry.strategy_index)},
                hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + "<extra>%{fullData.name}</extra>",
            )
        )
    return figure(traces, _layout(barmode="stack", xaxis={"dtick": 1}))


def comparison_chart(comparison, rows=None) -> dict:
    """Grouped bars: each theme or chapter (of ``rows``, by default all), one bar per selected year."""
    rows = comparison.rows if rows is None else rows
    labels = [plain(row.label) for row in rows]
    traces = [
        bar(
            x=labels,
            # A sum with unknown cells draws no bar: its known part alone would pass for the whole.
            y=[_known(row.figures.get(year)) for row in rows],
            customdata=[_hover_text(row.figures.get(year)) for row in rows],
            name=str(year),
            marker={"color": colour(index + 1)},
            hovertemplate="%{x}<br>%{customdata}" + f"<extra>{year}</extra>",
        )
        for index, year in enumerate(comparison.years)
    ]
    return figure(traces, _layout(barmode="group", xaxis={"automargin": True}))
