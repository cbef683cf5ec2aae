"""Plotly figures built in Python; pages hand their JSON to static/dashboard/charts.js (no inline script).

The figures are written as the plain dictionaries Plotly's JSON is made of: plotly.graph_objects validates
every property of every trace, which on the overview of a hundred strategies costs more than the page's
queries. They draw only bar and scatter traces, the two the site's Plotly bundle holds (assets/plotly.js).

Colours: each strategy keeps its colour on every page; within a strategy each chapter keeps its colour in every
chart of that strategy (chapter_colours). Legends sit below the plot, where they take room from nothing.
Unknown money is drawn as unknown: a hatched bar of the frame whose distribution nobody knows, never as zero.
"""

from decimal import Decimal
from html import escape

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from budgets.display import figure_text as amount_text_of
from budgets.numbers import ZERO, format_amount
from initiatives.english import translated

# Okabe and Ito's colour-blind-safe palette (without its yellow, too pale on white), then Plotly's "Safe" palette.
PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#E69F00",
    "#332288",
    "#117733",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
]
RESERVE_COLOUR = "#6F6F6F"
# The strategies not on the overview's page, stacked together: a grey that is no strategy's colour.
OTHERS_COLOUR = RESERVE_COLOUR
FONT = {"family": "IBM Plex Sans, system-ui, sans-serif", "size": 13, "color": "#1a1a1a"}
# The look of every chart: white, light grid lines, DKFDS's type; written out rather than Plotly's grey default.
TEMPLATE = {
    "layout": {
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "colorway": PALETTE,
        "font": FONT,
        "hoverlabel": {"font": {"family": FONT["family"]}},
        "xaxis": {"gridcolor": "#e6e6e6", "linecolor": "#6f6f6f", "ticks": "outside", "zerolinecolor": "#6f6f6f"},
        "yaxis": {"gridcolor": "#e6e6e6", "linecolor": "#6f6f6f", "zerolinecolor": "#6f6f6f", "automargin": True},
    }
}
LEGEND_BELOW = {
    "orientation": "h",
    "x": 0,
    "xanchor": "left",
    "yref": "container",
    "y": 0,
    "yanchor": "bottom",
    "traceorder": "normal",
}
UNKNOWN_PATTERN = {"shape": "/", "fgcolor": "#6f6f6f", "bgcolor": "#ffffff", "size": 8}
# A bar of a sorted or side-by-side chart: pixels per bar and around the plot, for charts as tall as their rows.
BAR_HEIGHT, CHART_FRAME = 22, 120
LONGEST_LABEL = 34


def separators() -> str:
    """Plotly's decimal and thousands separators in the reader's notation: ",." in Danish, ".," in English."""
    return get_format("DECIMAL_SEPARATOR") + get_format("THOUSAND_SEPARATOR")


def _layout(**extra) -> dict:
    return {
        "font": FONT,
        "margin": {"l": 56, "r": 12, "t": 16, "b": 40},
        "legend": LEGEND_BELOW,
        "separators": separators(),
        "yaxis": {"title": {"text": _("mio. kr.")}, "rangemode": "tozero"},
        **extra,
    }


def plain(text) -> str:
    """A name as Plotly should show it, written out. Plotly reads tags in every text it draws (legends, axes, hover,
    sunburst labels) as markup: a chapter titled '<a href=…>' became a live link, '<span style=…>' restyled the
    chart. Escaped, the tags show as typed (Plotly turns &lt; back into <)."""
    return escape(str(text), quote=False)


def _number(value):
    return float(value) if isinstance(value, Decimal) else value


def _numbers(values) -> list:
    return [_number(value) for value in values]


def figure(traces: list[dict], layout: dict) -> dict:
    """A figure as Plotly's JSON, with the site's look."""
    return {"data": traces, "layout": {**layout, "template": TEMPLATE}}


def bar(**properties) -> dict:
    return {"type": "bar", **properties}


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def short(text: str) -> str:
    """A label short enough for an axis on a phone; the hover label keeps the whole name."""
    return text if len(text) <= LONGEST_LABEL else text[: LONGEST_LABEL - 1].rstrip() + "…"


def chapter_colours(table) -> dict:
    """Each section of a strategy's table (a chapter, or the reserves as None) → its colour in every chart."""
    colours = {section.chapter.pk: colour(index) for index, section in enumerate(table.sections)}
    colours[None] = RESERVE_COLOUR
    return colours


def _section_key(section):
    return section.chapter.pk if section.chapter else None


def _section_name(section) -> str:
    return plain(
        f"{section.chapter.number}. {translated(section.chapter, 'title')}" if section.chapter else _("Reserves")
    )


def _known_part(figure_) -> Decimal | None:
    """The amount to draw of a sum: all of it when every cell is known, the known cells' part when some are unknown
    (the sum is "at least" that), nothing when none is known (a bar of zero would claim the money is nil)."""
    if figure_ is None or (not figure_.is_complete and figure_.amount == ZERO):
        return None
    return figure_.amount


def _rest_of_frame(frame, figure_) -> Decimal | None:
    """The part of a year's frame no known amount accounts for, where some amounts are unknown: money whose
    distribution nobody knows yet, drawn hatched. None where every amount is known, no frame is given, or the known
    amounts already fill it."""
    if figure_ is None or figure_.is_complete or frame is None or frame <= figure_.amount:
        return None
    return frame - figure_.amount


def _whole(figure_) -> float | None:
    """A sum to draw only when all of it is known."""
    return _number(figure_.amount) if figure_ is not None and figure_.is_complete else None


def _hover_text(figure_) -> str:
    """A sum as the tables write it, for a bar's hover label: "mindst 70,0 + ukendt" where cells are unknown."""
    if figure_ is None:
        return f"{format_amount(ZERO)} {_('mio. kr.')}"
    return f"{amount_text_of(figure_)} {_('mio. kr.')}"


def overview_chart(funding) -> dict:
    """Stacked bars of what each strategy allocates per year, its frame shown where amounts are unknown: of each
    strategy the funding holds (the page of them shown), the others stacked together in grey, so each bar is still
    the whole year."""
    traces = []
    years = funding.years
    for index, strategy in enumerate(funding.strategies):
        allocated = [funding.figure(strategy, year) for year in years]
        known = [_known_part(figure_) for figure_ in allocated]
        unknown_frame = [
            _rest_of_frame(funding.frame(strategy, year), figure_)
            for year, figure_ in zip(years, allocated, strict=True)
        ]
        name = plain(translated(strategy, "short_title"))
        if any(value is not None for value in known):
            traces.append(
                bar(
                    x=years,
                    y=_numbers(known),
                    # A year with some cells unknown draws its known part, and says "mindst … + ukendt" on hover.
                    customdata=[_hover_text(figure_) for figure_ in allocated],
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
                    marker={
                        "color": "white",
                        "line": {"color": colour(index), "width": 2},
                        "pattern": {**UNKNOWN_PATTERN, "fgcolor": colour(index)},
                    },
                    hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + f"<extra>{label}</extra>",
                )
            )
    if funding.has_others:
        others = [funding.others(year) for year in years]
        label = _("Other strategies")
        traces.append(
            bar(
                x=years,
                y=_numbers(_known_part(figure_) for figure_ in others),
                customdata=[_hover_text(figure_) for figure_ in others],
                name=label,
                marker={"color": OTHERS_COLOUR},
                hovertemplate="%{x}: %{customdata}" + f"<extra>{label}</extra>",
            )
        )
    traces.append(
        {
            "type": "scatter",
            "x": years,
            "y": _numbers(funding.total_frame(year) for year in years),
            "name": _("Frames in all"),
            "mode": "lines+markers",
            "line": {"color": "#1a1a1a", "dash": "dot"},
            "hovertemplate": "%{x}: %{y:,.1f} " + _("mio. kr.") + "<extra>" + _("Frames in all") + "</extra>",
        }
    )
    return figure(traces, _layout(barmode="stack", xaxis={"dtick": 1, "type": "category"}))


def chapter_chart(table) -> dict:
    """Grouped bars: each chapter's sum per year, reserves apart, the known part where some cells are unknown; beside
    them, hatched, the part of the frame that the known amounts do not account for."""
    years = list(table.years)
    colours = chapter_colours(table)
    sections = [section for section in table.sections if section.rows] + (
        [table.reserves] if table.reserves.rows else []
    )
    traces = []
    for section in sections:
        name = _section_name(section)
        amounts = _numbers(_known_part(figure_) for figure_ in section.subtotals)
        if any(amount is not None for amount in amounts):
            traces.append(
                bar(
                    x=years,
                    y=amounts,
                    customdata=[_hover_text(figure_) for figure_ in section.subtotals],
                    name=name,
                    marker={"color": colours[_section_key(section)]},
                    hovertemplate="%{x}: %{customdata}" + f"<extra>{name}</extra>",
                )
            )
    unknown = _numbers(_rest_of_frame(frame, total_) for frame, total_ in zip(table.frames, table.totals, strict=True))
    if any(amount is not None for amount in unknown):
        label = _("Frame, distribution unknown")
        traces.append(
            bar(
                x=years,
                y=unknown,
                name=label,
                marker={"color": "white", "line": {"color": "#6f6f6f", "width": 2}, "pattern": UNKNOWN_PATTERN},
                hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + f"<extra>{label}</extra>",
            )
        )
    return figure(traces, _layout(barmode="group", xaxis={"dtick": 1, "type": "category"}))


def lines_chart(table) -> dict | None:
    """Every budget line with money over the period, sorted by it, coloured by its chapter; None if none has any.

    A sorted bar of lines reads at a phone's width, where the sunburst it replaces drew microscopic labels.
    """
    colours = chapter_colours(table)
    traces = []
    rows = [
        (row.total.amount, row, section)
        for section in [*table.sections, table.reserves]
        for row in section.rows
        # A line with unknown cells is left out: its known part alone would pass for the whole and sort wrongly.
        if row.total is not None and row.total.is_complete and row.total.amount > ZERO
    ]
    if not rows:
        return None
    rows.sort(key=lambda item: item[0])
    for section in [*table.sections, table.reserves]:
        mine = [(amount, row) for amount, row, of in rows if of is section]
        if not mine:
            continue
        name = _section_name(section)
        labels = [plain(f"{row.numbers} {translated(row.line, 'title')}".strip()) for _amount, row in mine]
        traces.append(
            bar(
                orientation="h",
                x=_numbers(amount for amount, _row in mine),
                y=[short(label) for label in labels],
                customdata=labels,
                name=name,
                marker={"color": colours[_section_key(section)]},
                hovertemplate="%{customdata}<br>%{x:,.1f} " + _("mio. kr.") + f"<extra>{name}</extra>",
            )
        )
    order = [short(plain(f"{row.numbers} {translated(row.line, 'title')}".strip())) for _amount, row, _section in rows]
    return figure(
        traces,
        _layout(
            height=CHART_FRAME + BAR_HEIGHT * len(rows),
            barmode="overlay",
            xaxis={"title": {"text": _("mio. kr. over the whole period")}, "rangemode": "tozero"},
            yaxis={"categoryorder": "array", "categoryarray": order, "automargin": True, "tickfont": {"size": 11}},
        ),
    )


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
                name=plain(f"{translated(entry.initiative.strategy, 'short_title')} {entry.initiative.number}".strip()),
                marker={"color": colour(entry.strategy_index)},
                hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + "<extra>%{fullData.name}</extra>",
            )
        )
    return figure(traces, _layout(barmode="stack", xaxis={"dtick": 1}))


def comparison_chart(comparison, rows=None) -> dict:
    """Bars side by side, one row per theme or chapter (of ``rows``, by default all), a bar per selected year.

    The rows run down the page, so a phone shows each label in full width; a year a row has no figure for is
    left out, not drawn as zero.
    """
    rows = list(comparison.rows if rows is None else rows)
    labels = [plain(row.label) for row in rows]
    traces = [
        bar(
            orientation="h",
            y=[short(label) for label in labels],
            # A sum with unknown cells draws no bar: its known part alone would pass for the whole.
            x=[_whole(row.figures.get(year)) for row in rows],
            customdata=[[label, _hover_text(row.figures.get(year))] for label, row in zip(labels, rows, strict=True)],
            name=str(year),
            marker={"color": colour(index)},
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}" + f"<extra>{year}</extra>",
        )
        for index, year in enumerate(comparison.years)
    ]
    bars = len(rows) * max(len(comparison.years), 1)
    return figure(
        traces,
        _layout(
            height=CHART_FRAME + BAR_HEIGHT * bars + 8 * len(rows),
            barmode="group",
            xaxis={"title": {"text": _("mio. kr.")}, "rangemode": "tozero"},
            yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 11}},
        ),
    )
