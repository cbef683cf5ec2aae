"""What a target's page shows: its indicators with their measured values, and the initiatives and money of the
chapter that serves it, as the reader's edition has them."""

from dataclasses import dataclass

from django.db.models import Prefetch

from publication.editions import Edition
from tracking.charts import indicator_chart
from tracking.models import Indicator, Measurement, Target
from tracking.progress import ChapterProgress, strategy_progress


def targets_of(strategy) -> list[Target]:
    return list(
        Target.objects.filter(strategy=strategy)
        .select_related("chapter")
        .prefetch_related("indicators")
        .order_by("number")
    )


@dataclass
class IndicatorSeries:
    indicator: Indicator
    measurements: list[Measurement]

    @property
    def chart(self) -> dict | None:
        return indicator_chart(self)

    @property
    def chart_id(self) -> str:
        return f"chart-indicator-{self.indicator.pk}"


@dataclass
class TargetPage:
    target: Target
    indicators: list[IndicatorSeries]
    chapter: ChapterProgress | None

    @property
    def has_charts(self) -> bool:
        return any(series.measurements and series.indicator.is_numeric for series in self.indicators)


def target_page(target: Target, edition: Edition) -> TargetPage:
    indicators = Indicator.objects.filter(target=target).prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.order_by("measured_on"))
    )
    chapter = None
    if target.chapter_id is not None:
        progress = strategy_progress(target.strategy, edition)
        chapter = next((item for item in progress.chapters if item.chapter.pk == target.chapter_id), None)
    return TargetPage(
        target,
        [IndicatorSeries(indicator, list(indicator.measurements.all())) for indicator in indicators],
        chapter,
    )
