"""Loading the strategies' visions, targets and indicators from fixtures/targets-<slug>.toml with the strategies."""

import tomllib
from decimal import Decimal
from pathlib import Path

from initiatives.models import Chapter, Strategy
from tracking.models import Indicator, Target, Vision

INDICATOR_FIELDS = ("kind", "unit", "baseline_text", "baseline_year", "target_text", "target_year")


def load_targets(directory: Path) -> int:
    """Every targets-<slug>.toml beside the strategies' files, into the strategies already loaded; the number of
    targets loaded. Called by budgets.services.seed_strategies inside its transaction, before the first versions
    are published."""
    loaded = 0
    for path in sorted(directory.glob("targets-*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        strategy = Strategy.objects.get(slug=data["strategy"])
        if "vision" in data:
            Vision.objects.create(strategy=strategy, **data["vision"])
        for entry in data["target"]:
            chapter = Chapter.objects.get(strategy=strategy, number=entry["chapter"]) if "chapter" in entry else None
            target = Target.objects.create(
                strategy=strategy,
                number=entry["number"],
                text=entry["text"],
                indicator_text=entry["indicators"],
                chapter=chapter,
                source=entry["source"],
                indicator_source=entry["indicators_source"],
            )
            Indicator.objects.bulk_create(
                Indicator(
                    target=target,
                    position=position,
                    name=indicator["name"],
                    source=entry["indicators_source"],
                    baseline_value=_number(indicator.get("baseline_value")),
                    target_value=_number(indicator.get("target_value")),
                    **{name: indicator[name] for name in INDICATOR_FIELDS if name in indicator},
                )
                for position, indicator in enumerate(entry.get("indicator", []), start=1)
            )
            loaded += 1
    return loaded


def _number(text: str | None) -> Decimal | None:
    # Written as strings in the fixture: a TOML float would come back as a binary fraction.
    return None if text is None else Decimal(text)
