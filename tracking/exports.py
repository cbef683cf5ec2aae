"""The tracking as open data: one class per resource, each with its fields (described once, for the API's schema
and the CSV header alike) and its rows from an edition, so the JSON and the CSV file agree."""

from budgets.exports import Field
from initiatives.models import Initiative
from publication.editions import Edition
from tracking.models import Indicator, Measurement, Target
from tracking.progress import milestones, progress_of, status_updates, today


class Export:
    identifier = ""
    fields: list[Field] = []

    def __init__(self, edition: Edition, strategies):
        """``strategies``: those asked for, among the ones the edition shows."""
        self.edition, self.strategies = edition, list(strategies)

    @property
    def field_names(self) -> list[str]:
        return [field.name for field in self.fields]

    def initiatives(self):
        return (
            Initiative.objects.filter(chapter__strategy__in=self.strategies)
            .select_related("chapter__strategy")
            .order_by("chapter__strategy__first_year", "position")
        )


class ProgressExport(Export):
    identifier = "progress"
    fields = [
        Field("initiative_id", "integer", "Id of the initiative"),
        Field("strategy", "string", "Strategy slug"),
        Field("chapter_number", "integer", "Chapter number"),
        Field("initiative_number", "string", "The initiative's published number"),
        Field("initiative_title", "string", "The initiative's title"),
        Field(
            "status", "string", "Latest reported status: not-started, started, late, done or abandoned; empty if none"
        ),
        Field("status_date", "string", "Day the latest status refers to (YYYY-MM-DD); empty if none"),
        Field("status_text", "string", "Public text of the latest status"),
        Field(
            "shown_status",
            "string",
            "The status the pages show: late where a milestone is past its day and not reached, whatever the status",
        ),
        Field("late_because", "string", "The overdue milestones, each with the day it was planned for"),
        Field("authority", "string", "Responsible authority; empty if none is stated"),
    ]

    def rows(self) -> list[dict]:
        initiatives = list(self.initiatives())
        found = progress_of(self.edition, initiatives)
        rows = []
        for initiative in initiatives:
            item = found[initiative.pk]
            current = item.current
            rows.append(
                {
                    "initiative_id": initiative.pk,
                    "strategy": initiative.chapter.strategy.slug,
                    "chapter_number": initiative.chapter.number,
                    "initiative_number": initiative.number,
                    "initiative_title": initiative.title,
                    "status": item.status,
                    "status_date": current.as_of.isoformat() if current else "",
                    "status_text": current.text if current else "",
                    "shown_status": item.shown_status,
                    "late_because": "; ".join(f"{step.title} ({step.planned.isoformat()})" for step in item.overdue),
                    "authority": str(item.authority or ""),
                }
            )
        return rows


class StatusUpdateExport(Export):
    identifier = "status-updates"
    fields = [
        Field("update_id", "integer", "Stable id of the status update"),
        Field("strategy", "string", "Strategy slug"),
        Field("initiative_id", "integer", "Id of the initiative"),
        Field("initiative_number", "string", "The initiative's published number"),
        Field("status", "string", "not-started, started, late, done or abandoned"),
        Field("date", "string", "Day the status refers to (YYYY-MM-DD)"),
        Field("text", "string", "Public text"),
    ]

    def rows(self) -> list[dict]:
        updates = (
            status_updates(self.edition)
            .filter(initiative__chapter__strategy__in=self.strategies)
            .select_related("initiative__chapter__strategy")
            .order_by(
                "initiative__chapter__strategy__first_year",
                "initiative__position",
                "as_of",
                "update_id" if not self.edition.is_draft else "id",
            )
        )
        return [
            {
                "update_id": update.update_id,
                "strategy": update.initiative.chapter.strategy.slug,
                "initiative_id": update.initiative_id,
                "initiative_number": update.initiative.number,
                "status": update.status,
                "date": update.as_of.isoformat(),
                "text": update.text,
            }
            for update in updates
        ]


class MilestoneExport(Export):
    identifier = "milestones"
    fields = [
        Field("milestone_id", "integer", "Stable id of the milestone"),
        Field("strategy", "string", "Strategy slug"),
        Field("initiative_id", "integer", "Id of the initiative"),
        Field("initiative_number", "string", "The initiative's published number"),
        Field("title", "string", "The milestone"),
        Field("planned", "string", "Day it is planned for (YYYY-MM-DD)"),
        Field("reached", "string", "Day it was reached (YYYY-MM-DD); empty until reached"),
        Field("overdue", "boolean", "Past its day and not reached"),
    ]

    def rows(self) -> list[dict]:
        day = today(self.edition)
        steps = (
            milestones(self.edition)
            .filter(initiative__chapter__strategy__in=self.strategies)
            .select_related("initiative__chapter__strategy")
            .order_by("initiative__chapter__strategy__first_year", "initiative__position", "planned", "title")
        )
        return [
            {
                "milestone_id": step.milestone_id,
                "strategy": step.initiative.chapter.strategy.slug,
                "initiative_id": step.initiative_id,
                "initiative_number": step.initiative.number,
                "title": step.title,
                "planned": step.planned.isoformat(),
                "reached": step.reached.isoformat() if step.reached else "",
                "overdue": step.reached is None and step.planned < day,
            }
            for step in steps
        ]


class TargetExport(Export):
    identifier = "targets"
    fields = [
        Field("strategy", "string", "Strategy slug"),
        Field("number", "integer", "The target's number"),
        Field("text", "string", "The target (pejlemærke), word for word as the strategy states it"),
        Field("indicators", "string", "Its indicators, word for word as the strategy states them"),
        Field("chapter_number", "integer", "The chapter whose initiatives serve the target"),
        Field("vision", "string", "The strategy's vision"),
        Field("source", "string", "Document and lines the words come from"),
    ]

    def rows(self) -> list[dict]:
        targets = (
            Target.objects.filter(strategy__in=self.strategies)
            .select_related("strategy__vision", "chapter")
            .order_by("strategy__first_year", "number")
        )
        return [
            {
                "strategy": target.strategy.slug,
                "number": target.number,
                "text": target.text,
                "indicators": target.indicator_text,
                "chapter_number": target.chapter.number if target.chapter else None,
                "vision": getattr(getattr(target.strategy, "vision", None), "text", ""),
                "source": f"{target.source}; {target.indicator_source}",
            }
            for target in targets
        ]


class IndicatorExport(Export):
    identifier = "indicators"
    fields = [
        Field("indicator_id", "integer", "Id of the indicator"),
        Field("strategy", "string", "Strategy slug"),
        Field("target_number", "integer", "Number of the target it follows"),
        Field("name", "string", "What is measured, in the strategy's words"),
        Field("kind", "string", "number or text: how its values are measured"),
        Field("unit", "string", "Unit of its values"),
        Field("baseline_value", "number", "Baseline, where the strategy gives it as a number"),
        Field("baseline_text", "string", "Baseline in the strategy's words, where it gives no number"),
        Field("baseline_year", "integer", "Year of the baseline"),
        Field("target_value", "number", "Target, where the strategy gives it as a number"),
        Field("target_text", "string", "Target in the strategy's words"),
        Field("target_year", "integer", "Year of the target"),
        Field("source", "string", "Document and lines"),
    ]

    def rows(self) -> list[dict]:
        indicators = (
            Indicator.objects.filter(target__strategy__in=self.strategies)
            .select_related("target__strategy")
            .order_by("target__strategy__first_year", "target__number", "position")
        )
        return [
            {
                "indicator_id": indicator.pk,
                "strategy": indicator.target.strategy.slug,
                "target_number": indicator.target.number,
                "name": indicator.name,
                "kind": indicator.kind,
                "unit": indicator.unit,
                "baseline_value": indicator.baseline_value,
                "baseline_text": indicator.baseline_text,
                "baseline_year": indicator.baseline_year,
                "target_value": indicator.target_value,
                "target_text": indicator.target_text,
                "target_year": indicator.target_year,
                "source": indicator.source,
            }
            for indicator in indicators
        ]


class MeasurementExport(Export):
    identifier = "measurements"
    fields = [
        Field("measurement_id", "integer", "Id of the measured value"),
        Field("indicator_id", "integer", "Id of its indicator"),
        Field("strategy", "string", "Strategy slug"),
        Field("target_number", "integer", "Number of the target"),
        Field("indicator_name", "string", "What is measured"),
        Field("measured_on", "string", "First day of the year, month or day it is for (YYYY-MM-DD)"),
        Field("precision", "string", "year, month or day: how much of measured_on is meant"),
        Field("value", "number", "The value, for an indicator measured as a number"),
        Field("text", "string", "The value in words, for an indicator measured as a text"),
        Field("unit", "string", "Unit of the value"),
        Field("source", "string", "Publisher and table, or citation"),
        Field("link", "string", "Link to the source"),
    ]

    def rows(self) -> list[dict]:
        measured = (
            Measurement.objects.filter(indicator__target__strategy__in=self.strategies)
            .select_related("indicator__target__strategy")
            .order_by(
                "indicator__target__strategy__first_year",
                "indicator__target__number",
                "indicator__position",
                "measured_on",
            )
        )
        return [
            {
                "measurement_id": item.pk,
                "indicator_id": item.indicator_id,
                "strategy": item.indicator.target.strategy.slug,
                "target_number": item.indicator.target.number,
                "indicator_name": item.indicator.name,
                "measured_on": item.measured_on.isoformat(),
                "precision": item.precision,
                "value": item.value,
                "text": item.text,
                "unit": item.indicator.unit,
                "source": item.source,
                "link": item.link,
            }
            for item in measured
        ]


EXPORTS = [ProgressExport, StatusUpdateExport, MilestoneExport, TargetExport, IndicatorExport, MeasurementExport]
