"""Saving the tracking: an initiative's status, authority and milestones (the draft), and indicators' measured
values. Each save is one transaction, recorded in the audit trail with who, when and why, and refused whole, with
every problem named, when any part of it breaks a rule. Called alike by the pages, the import and tests.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from budgets.text import has_control_characters
from editing.permissions import can_edit
from editing.services import reason_problems
from initiatives.models import Initiative, Strategy
from publication.models import DatePrecision
from tracking.models import (
    EARLIEST,
    LATEST,
    SOURCE_LENGTH,
    TEXT_LENGTH,
    TITLE_LENGTH,
    VALUE,
    Measurement,
    Milestone,
    Responsibility,
    Status,
    StatusUpdate,
)

UNCHANGED = object()  # an edit that leaves the initiative's authority as it is


class TrackingError(Exception):
    """Input that cannot be saved; ``messages`` name every problem, in the user's language. Nothing was written."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__(" ".join(self.messages))


@dataclass(frozen=True)
class NewStatus:
    status: str
    as_of: date
    text: str


@dataclass(frozen=True)
class MilestoneEdit:
    """A milestone as the editor leaves it: ``milestone_id`` None for a new one, ``delete`` to remove it."""

    milestone_id: int | None
    title: str = ""
    planned: date | None = None
    reached: date | None = None
    delete: bool = False


@dataclass
class InitiativeEdit:
    initiative_id: int
    authority: object = UNCHANGED  # an Authority, None to clear it, or UNCHANGED
    new_status: NewStatus | None = None
    removed_statuses: set = field(default_factory=set)
    milestones: list = field(default_factory=list)


def _text_problems(text: str, length: int, what: str) -> list[str]:
    if len(text) > length:
        return [_("%(what)s may be at most %(length)d characters.") % {"what": what, "length": length}]
    if has_control_characters(text) or "\n" in text or "\r" in text or "\t" in text:
        return [_("%(what)s holds an invisible control character; type it again.") % {"what": what}]
    return []


def status_problems(strategy, new: NewStatus, today: date | None = None) -> list[str]:
    """What is wrong with a new status of an initiative of ``strategy``."""
    today = today or timezone.localdate()
    problems = []
    if new.status not in Status.values:
        problems.append(
            _("“%(status)s” is not a status; choose one of %(statuses)s.")
            % {"status": new.status[:40], "statuses": ", ".join(str(label) for label in Status.labels)}
        )
    start = date(strategy.first_year, 1, 1)
    if new.as_of > today:
        problems.append(_("A status cannot be dated after today: %(date)s.") % {"date": formats.date_format(new.as_of)})
    elif new.as_of < start:
        problems.append(
            _("A status cannot be dated before the strategy starts (%(start)s): %(date)s.")
            % {"start": formats.date_format(start), "date": formats.date_format(new.as_of)}
        )
    if not new.text.strip():
        problems.append(_("Write a short public text saying what the status means."))
    problems += _text_problems(new.text, TEXT_LENGTH, _("The status text"))
    return problems


def milestone_problems(strategy, edit: MilestoneEdit, today: date | None = None) -> list[str]:
    """What is wrong with a milestone of an initiative of ``strategy`` as the editor leaves it."""
    if edit.delete:
        return []
    today = today or timezone.localdate()
    problems = []
    if not edit.title.strip():
        problems.append(_("Give the milestone a title."))
    problems += _text_problems(edit.title, TITLE_LENGTH, _("The milestone's title"))
    if edit.planned is None:
        problems.append(_("Give the day the milestone is planned for."))
    for day in (edit.planned, edit.reached):
        if day is not None and not EARLIEST <= day <= LATEST:
            problems.append(_("%(date)s is not a plausible date.") % {"date": formats.date_format(day)})
    if edit.reached is not None and edit.reached > today:
        problems.append(
            _("A milestone cannot be reached after today: %(date)s.") % {"date": formats.date_format(edit.reached)}
        )
    period = strategy.last_year - strategy.first_year + 1
    if (
        edit.planned
        and edit.reached
        and (edit.reached.year + period, edit.reached.month, edit.reached.day)
        < (edit.planned.year, edit.planned.month, edit.planned.day)
    ):
        problems.append(
            _(
                "“%(title)s” would be reached %(reached)s, more than a strategy period (%(years)d years) before it "
                "was planned (%(planned)s); check the dates."
            )
            % {
                "title": edit.title[:80],
                "reached": formats.date_format(edit.reached),
                "planned": formats.date_format(edit.planned),
                "years": period,
            }
        )
    return problems


def validate(strategy, edits: list[InitiativeEdit], reason: str) -> dict[int, Initiative]:
    """The initiatives edited, if every edit keeps the rules; a TrackingError naming every problem otherwise."""
    problems = reason_problems(reason)
    initiatives = Initiative.objects.for_strategy(strategy).in_bulk({edit.initiative_id for edit in edits})
    owned_statuses = set(StatusUpdate.objects.filter(initiative__in=initiatives).values_list("pk", "initiative_id"))
    owned_milestones = set(Milestone.objects.filter(initiative__in=initiatives).values_list("pk", "initiative_id"))
    for edit in edits:
        initiative = initiatives.get(edit.initiative_id)
        if initiative is None:
            problems.append(_("An initiative that does not belong to %(strategy)s was sent.") % {"strategy": strategy})
            continue
        name = f"{initiative.number} {initiative.title[:60]}".strip()
        found = []
        if edit.new_status is not None:
            found += status_problems(strategy, edit.new_status)
        if any((pk, initiative.pk) not in owned_statuses for pk in edit.removed_statuses):
            found.append(_("A status that is not this initiative's was sent; reload the page."))
        for milestone in edit.milestones:
            if milestone.milestone_id is not None and (milestone.milestone_id, initiative.pk) not in owned_milestones:
                found.append(_("A milestone that is not this initiative's was sent; reload the page."))
            found += milestone_problems(strategy, milestone)
        problems += [f"{name}: {problem}" for problem in found]
    if problems:
        raise TrackingError(problems)
    return initiatives


def _recorded(user, reason: str):
    """The audit trail's context of one save: who, why, and an id that groups its rows."""
    return pghistory.context(user=user.pk, username=user.get_username(), reason=reason.strip(), save=str(uuid.uuid4()))


def save_tracking(strategy, user, edits: list[InitiativeEdit], reason: str) -> int:
    """Save edits of initiatives of one strategy as one recorded save; the number of rows changed."""
    if not can_edit(user, strategy):
        raise PermissionDenied(_("You may not edit %(strategy)s.") % {"strategy": strategy})
    validate(strategy, edits, reason)
    changed = 0
    with transaction.atomic(), _recorded(user, reason):
        # The same lock as the grid's saves and publishing: a version copies the tracking as it stood at one instant.
        Strategy.objects.select_for_update(no_key=True).get(pk=strategy.pk)
        for edit in edits:
            changed += _save(edit)
    return changed


def _save(edit: InitiativeEdit) -> int:
    changed = 0
    if edit.authority is not UNCHANGED:
        current = Responsibility.objects.filter(initiative_id=edit.initiative_id).first()
        if edit.authority is None and current is not None:
            current.delete()
            changed += 1
        elif edit.authority is not None and (current is None or current.authority_id != edit.authority.pk):
            Responsibility.objects.update_or_create(
                initiative_id=edit.initiative_id, defaults={"authority": edit.authority}
            )
            changed += 1
    if edit.removed_statuses:
        changed += StatusUpdate.objects.filter(initiative_id=edit.initiative_id, pk__in=edit.removed_statuses).delete()[
            0
        ]
    if edit.new_status is not None:
        StatusUpdate.objects.create(
            initiative_id=edit.initiative_id,
            status=edit.new_status.status,
            as_of=edit.new_status.as_of,
            text=edit.new_status.text.strip(),
        )
        changed += 1
    for milestone in edit.milestones:
        values = {"title": milestone.title.strip(), "planned": milestone.planned, "reached": milestone.reached}
        if milestone.milestone_id is None:
            if not milestone.delete:
                Milestone.objects.create(initiative_id=edit.initiative_id, **values)
                changed += 1
        elif milestone.delete:
            changed += Milestone.objects.filter(pk=milestone.milestone_id).delete()[0]
        else:
            changed += Milestone.objects.filter(pk=milestone.milestone_id).exclude(**values).update(**values)
    return changed


# Measured values.

MOST_DIGITS = VALUE["max_digits"] - VALUE["decimal_places"]


def parse_value(text: str) -> Decimal:
    """A measured number as the reader writes numbers (1.234,5 in Danish, 1,234.5 in English); ValueError with a
    message otherwise."""
    cleaned = formats.sanitize_separators(text.strip())
    try:
        value = Decimal(cleaned)
    except (InvalidOperation, TypeError):
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text[:40]}) from None
    if not value.is_finite() or value.adjusted() >= MOST_DIGITS:
        raise ValueError(_("“%(text)s” is not a number.") % {"text": text[:40]})
    if value != value.quantize(Decimal(1).scaleb(-VALUE["decimal_places"])):
        raise ValueError(
            _("“%(text)s” has more than %(places)d decimals.") % {"text": text[:40], "places": VALUE["decimal_places"]}
        )
    return value


def parse_period(text: str) -> tuple[date, str]:
    """``2025``, ``2025-06`` or ``2025-06-30``: the first day of the period, and how much of the date is known."""
    parts = text.strip().split("-")
    try:
        if not all(part.isdecimal() and part.isascii() for part in parts) or len(parts) > 3 or len(parts[0]) != 4:
            raise ValueError
        day = date(*[int(part) for part in parts], *[1] * (3 - len(parts)))
    except (ValueError, TypeError):
        raise ValueError(
            _("Write the year, month or day it is for as 2025, 2025-06 or 2025-06-30; “%(text)s” is none of these.")
            % {"text": text[:40]}
        ) from None
    if not EARLIEST <= day <= LATEST:
        raise ValueError(_("%(date)s is not a plausible date.") % {"date": text[:40]})
    return day, [DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY][len(parts) - 1]


@dataclass(frozen=True)
class MeasurementInput:
    """A measured value as the editor typed it."""

    period: str
    value: str
    source: str
    link: str = ""


def measurement_values(indicator, typed: MeasurementInput) -> dict:
    """The fields of a Measurement read from what was typed; a TrackingError naming every problem otherwise."""
    problems, values = [], {"source": typed.source.strip(), "link": typed.link.strip()}
    try:
        values["measured_on"], values["precision"] = parse_period(typed.period)
    except ValueError as error:
        problems.append(str(error))
    if indicator.is_numeric:
        try:
            values["value"], values["text"] = parse_value(typed.value), ""
        except ValueError as error:
            problems.append(
                _("%(indicator)s is measured as a number: %(error)s") % {"indicator": indicator.name, "error": error}
            )
    else:
        values["value"], values["text"] = None, typed.value.strip()
        if not values["text"]:
            problems.append(_("Write the measured value."))
        problems += _text_problems(typed.value, SOURCE_LENGTH, _("The value"))
    if not values["source"]:
        problems.append(_("Name the source of the value: its publisher and table, or a citation."))
    problems += _text_problems(typed.source, SOURCE_LENGTH, _("The source"))
    if values["link"]:
        try:
            URLValidator(schemes=["http", "https"])(values["link"])
        except ValidationError:
            problems.append(_("The link must be a web address starting with https:// or http://."))
        problems += _text_problems(typed.link, SOURCE_LENGTH, _("The link"))
    if problems:
        raise TrackingError(problems)
    return values


def save_measurement(user, indicator, typed: MeasurementInput, reason: str) -> Measurement:
    """Record a measured value of an indicator, or correct the one recorded for the same period."""
    strategy = indicator.target.strategy
    if not can_edit(user, strategy):
        raise PermissionDenied(_("You may not edit %(strategy)s.") % {"strategy": strategy})
    problems = reason_problems(reason)
    try:
        values = measurement_values(indicator, typed)
    except TrackingError as error:
        problems += error.messages
    if problems:
        raise TrackingError(problems)
    with transaction.atomic(), _recorded(user, reason):
        measured_on = values.pop("measured_on")
        measurement, _created = Measurement.objects.update_or_create(
            indicator=indicator, measured_on=measured_on, defaults=values
        )
    return measurement


def delete_measurement(user, measurement: Measurement, reason: str) -> None:
    strategy = measurement.indicator.target.strategy
    if not can_edit(user, strategy):
        raise PermissionDenied(_("You may not edit %(strategy)s.") % {"strategy": strategy})
    problems = reason_problems(reason)
    if problems:
        raise TrackingError(problems)
    with transaction.atomic(), _recorded(user, reason):
        measurement.delete()
