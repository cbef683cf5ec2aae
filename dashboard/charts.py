"""Plotly figures built in Python; pages hand their JSON to static/dashboard/charts.js (no inline script)."""

import json

import plotly.colors
import plotly.graph_objects as go
from django.utils.formats import get_format
from django.utils.translation import gettext as _

from budgets.numbers import ZERO

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


def as_json(figure: go.Figure) -> dict:
    """Plain JSON types for json_script (Plotly's encoder turns Decimal into numbers)."""
    return json.loads(figure.to_json())


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def overview_chart(funding) -> dict:
    """Stacked bars of what each strategy allocates per year, its frame shown where amounts are unknown."""
    figure = go.Figure()
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
        if any(value is not None for value in known):
            figure.add_bar(
                x=years,
                y=known,
                name=strategy.short_title,
                marker_color=colour(index),
                hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + f"<extra>{strategy.short_title}</extra>",
            )
        if any(value is not None for value in unknown_frame):
            label = _("%(strategy)s: frame, distribution unknown") % {"strategy": strategy.short_title}
            figure.add_bar(
                x=years,
                y=unknown_frame,
                name=label,
                marker={"color": "white", "line": {"color": colour(index), "width": 2}, "pattern": {"shape": "/"}},
                hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + f"<extra>{label}</extra>",
            )
    figure.add_scatter(
        x=years,
        y=[funding.total_frame(year) for year in years],
        name=_("Frames in all"),
        mode="lines+markers",
        line={"color": "#222", "dash": "dot"},
        hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + "<extra>" + _("Frames in all") + "</extra>",
    )
    figure.update_layout(
        **_layout(barmode="stack", xaxis={"dtick": 1, "title": {"text": _("Year")}}),
    )
    return as_json(figure)


def chapter_chart(table) -> dict:
    """Grouped bars: each chapter's sum per year, reserves apart."""
    figure = go.Figure()
    years = list(table.years)
    sections = [section for section in table.sections if section.rows] + (
        [table.reserves] if table.reserves.rows else []
    )
    for index, section in enumerate(sections):
        name = f"{section.chapter.number}. {section.chapter.title}" if section.chapter else _("Reserves")
        figure.add_bar(
            x=years,
            y=[figure_.amount if figure_.is_complete else None for figure_ in section.subtotals],
            name=name,
            marker_color=colour(index + 1),
            hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + f"<extra>{name}</extra>",
        )
    figure.update_layout(**_layout(barmode="group", xaxis={"dtick": 1}, legend={"orientation": "v"}))
    return as_json(figure)


def sunburst_chart(table) -> dict:
    """Strategy → chapter → budget line, sized by what each line allocates over the period."""
    root = table.strategy.short_title
    ids, labels, parents, values = [root], [root], [""], [table.grand_total.amount]
    for section in [*table.sections, table.reserves]:
        section_total = section.total.amount
        if not section.rows or section_total <= ZERO:
            continue
        section_id = f"chapter-{section.chapter.pk}" if section.chapter else "reserves"
        ids.append(section_id)
        labels.append(section.chapter.title if section.chapter else _("Reserves"))
        parents.append(root)
        values.append(section_total)
        for row in section.rows:
            if row.total is not None and row.total.amount > ZERO:
                ids.append(f"line-{row.line.pk}")
                labels.append(f"{row.numbers} {row.line.title}".strip())
                parents.append(section_id)
                values.append(row.total.amount)
    figure = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=labels,
            parents=parents,
            values=values,
            branchvalues="total",
            maxdepth=2,
            insidetextorientation="radial",
            hovertemplate="%{label}<br>%{value:,.1f} " + _("mio. kr.") + "<extra></extra>",
        )
    )
    figure.update_layout(font=FONT, margin={"l": 0, "r": 0, "t": 10, "b": 10}, separators=separators())
    return as_json(figure)


def lineage_chart(chain) -> dict:
    """The same effort across strategies: each initiative's money per year, coloured by strategy."""
    figure = go.Figure()
    for entry in chain:
        years = list(entry.figures)
        figure.add_bar(
            x=years,
            y=[
                figure.amount if figure is not None and figure.is_complete else None
                for figure in entry.figures.values()
            ],
            name=f"{entry.initiative.strategy.short_title} {entry.initiative.number}".strip(),
            marker_color=colour(entry.strategy_index),
            hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + "<extra>%{fullData.name}</extra>",
        )
    figure.update_layout(**_layout(barmode="stack", xaxis={"dtick": 1}))
    return as_json(figure)


def comparison_chart(comparison) -> dict:
    """Grouped bars: each theme or chapter, one bar per selected year."""
    figure = go.Figure()
    labels = [row.label for row in comparison.rows]
    for index, year in enumerate(comparison.years):
        figure.add_bar(
            x=labels,
            y=[row.figures[year].amount if year in row.figures else 0 for row in comparison.rows],
            name=str(year),
            marker_color=colour(index + 1),
            hovertemplate="%{x}<br>%{y:,.1f} " + _("mio. kr.") + f"<extra>{year}</extra>",
        )
    figure.update_layout(**_layout(barmode="group", xaxis={"automargin": True}))
    return as_json(figure)
