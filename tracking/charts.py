"""The tracking's charts, built as dashboard.charts builds its own (Plotly's JSON, handed to the page's script)."""

from datetime import date

from django.utils.translation import gettext as _

from dashboard.charts import _layout, _numbers, bar, figure, plain
from tracking.models import Status
from tracking.progress import NO_STATUS, ORDER, status_label

# One colour per status, the same on every chart (Okabe and Ito's colour-blind-safe palette).
COLOURS = {
    Status.LATE: "#D55E00",
    Status.NOT_STARTED: "#999999",
    Status.STARTED: "#0072B2",
    Status.DONE: "#009E73",
    Status.ABANDONED: "#000000",
    NO_STATUS: "#E0E0E0",
}


def chapters_by_status(progress) -> dict:
    """Stacked bars: each chapter's initiatives counted by the status the pages show, late first."""
    labels = [plain(f"{chapter.chapter.number}. {chapter.chapter.title}") for chapter in progress.chapters]
    traces = [
        bar(
            y=labels,
            x=[chapter.count(status) for chapter in progress.chapters],
            name=plain(status_label(status)),
            orientation="h",
            marker={"color": COLOURS[status]},
            hovertemplate="%{y}: %{x}<extra>" + plain(status_label(status)) + "</extra>",
        )
        for status in ORDER
    ]
    return figure(
        traces,
        _layout(
            barmode="stack",
            xaxis={"title": {"text": _("Initiatives")}, "dtick": 1},
            yaxis={"automargin": True, "autorange": "reversed"},
        ),
    )


def money_by_status(progress) -> dict:
    """Bars: mio. kr. allocated to the initiatives of each status; a status whose money is partly unknown shows
    what is known, and its label says so."""
    groups = [group for group in progress.groups if group.money is not None]
    labels = [
        plain(group.label if group.money.is_complete else _("%(status)s (at least)") % {"status": group.label})
        for group in groups
    ]
    trace = bar(
        x=labels,
        y=_numbers(group.money.amount for group in groups),
        marker={"color": [COLOURS[group.status] for group in groups]},
        hovertemplate="%{x}: %{y:,.1f} " + _("mio. kr.") + "<extra></extra>",
    )
    return figure([trace], _layout(yaxis={"title": {"text": _("mio. kr.")}, "rangemode": "tozero"}))


def _when(day: date) -> str:
    return day.isoformat()


def indicator_chart(series) -> dict | None:
    """Measured values over time against the baseline and the target, with the path from one to the other where
    both are numbers; None for an indicator measured in words."""
    indicator = series.indicator
    if not indicator.is_numeric:
        return None
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": [_when(item.measured_on) for item in series.measurements],
            "y": _numbers(item.value for item in series.measurements),
            "name": _("Measured"),
            "line": {"color": "#0072B2"},
            "hovertemplate": "%{x}: %{y:,} " + plain(indicator.unit) + "<extra></extra>",
        }
    ]
    baseline = (
        (date(indicator.baseline_year, 1, 1), indicator.baseline_value)
        if indicator.baseline_value is not None and indicator.baseline_year
        else None
    )
    target = (
        (date(indicator.target_year, 1, 1), indicator.target_value)
        if indicator.target_value is not None and indicator.target_year
        else None
    )
    for point, name, colour in ((baseline, _("Baseline"), "#999999"), (target, _("Target"), "#D55E00")):
        if point is not None:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "x": [_when(point[0])],
                    "y": _numbers([point[1]]),
                    "name": name,
                    "marker": {"color": colour, "size": 12, "symbol": "diamond"},
                    "hovertemplate": "%{x}: %{y:,} " + plain(indicator.unit) + f"<extra>{name}</extra>",
                }
            )
    if baseline and target:
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "x": [_when(baseline[0]), _when(target[0])],
                "y": _numbers([baseline[1], target[1]]),
                "name": _("Path to the target"),
                "line": {"color": "#D55E00", "dash": "dot"},
                "hoverinfo": "skip",
            }
        )
    return figure(
        traces,
        _layout(
            xaxis={"type": "date", "title": {"text": _("Year")}},
            yaxis={"title": {"text": plain(indicator.unit)}, "rangemode": "tozero"},
        ),
    )
