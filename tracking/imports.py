"""Reading a quarterly status report back: the "Status" sheet, one row per initiative (number, status, date, text),
as tracking.workbooks writes it. A preview of every new status, then one recorded save (tracking.services).

The file is read with the budget import's protections (editing.imports): its archive checked before anything is
unpacked, only the status sheet and its strings streamed, and refused at the first row or column past what the
strategy's initiatives need.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from editing.imports import MAX_BYTES, ROW_MARGIN, Limits, Listing, WorkbookError, read_sheet
from initiatives.models import Initiative
from publication.editions import Edition
from tracking.models import Status
from tracking.progress import progress_of
from tracking.services import InitiativeEdit, NewStatus, status_problems
from tracking.workbooks import HEADER_ROW, STATUS_SHEET, header

__all__ = ["MAX_BYTES", "WorkbookError", "read_status_report", "edits_to_session", "edits_from_session"]
# Number, title, status, date, text: the columns read.
NUMBER, STATUS, DATE, TEXT = 1, 3, 4, 5
COLUMNS = 7
COLUMN_MARGIN = 10
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


@dataclass(frozen=True)
class StatusChange:
    initiative: Initiative
    old: str
    new: NewStatus

    @property
    def new_label(self) -> str:
        return str(Status(self.new.status).label)


@dataclass
class Preview:
    changes: list[StatusChange] = field(default_factory=list)
    unchanged: int = 0
    unmatched: Listing = field(default_factory=Listing)
    errors: Listing = field(default_factory=Listing)


def _statuses() -> dict[str, str]:
    """Each way a status may be written (its code, its Danish and English label, any case) → its code."""
    names = {value: value for value in Status.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names |= {str(label).lower(): value for value, label in Status.choices}
    return names


def _day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(_("“%(text)s” is not a date; write it as 2026-03-01 or 01-03-2026.") % {"text": text[:40]})


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_status_report(strategy, content: bytes) -> Preview:
    """Every row of the uploaded status sheet that gives an initiative a new status, and every problem, by row."""
    initiatives = {
        initiative.number: initiative
        for initiative in Initiative.objects.for_strategy(strategy).with_chapter().exclude(number="")
    }
    rows_needed = HEADER_ROW + len(initiatives)
    limits = Limits(rows=rows_needed + max(ROW_MARGIN, rows_needed // 10), columns=COLUMNS + COLUMN_MARGIN)
    rows = read_sheet(content, limits, STATUS_SHEET)
    heading = [_text(getattr(rows.get(HEADER_ROW, {}).get(column), "value", None)) for column in range(1, 6)]
    accepted = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            accepted.append(header()[:5])
    if heading not in accepted:
        raise WorkbookError(
            _("Row %(row)d of “%(sheet)s” must read %(expected)s, but reads %(found)s.")
            % {
                "row": HEADER_ROW,
                "sheet": STATUS_SHEET,
                "expected": " | ".join(header()[:5]),
                "found": " | ".join(text[:40] for text in heading),
            }
        )
    statuses, preview, seen = _statuses(), Preview(), {}
    current = progress_of(Edition.draft(), initiatives.values())
    for row in sorted(number for number in rows if number > HEADER_ROW):
        cells = {column: cell.value for column, cell in rows[row].items()}
        number, written = _text(cells.get(NUMBER)), _text(cells.get(STATUS))
        if not written:
            continue  # an initiative the report says nothing new of
        initiative = initiatives.get(number)
        if initiative is None:
            preview.unmatched.add(
                _("Row %(row)d: no initiative numbered “%(number)s” in %(strategy)s")
                % {"row": row, "number": number[:20], "strategy": strategy}
            )
            continue
        if number in seen:
            preview.errors.add(
                _("Row %(row)d: initiative %(number)s is already in row %(first)d; each may come once.")
                % {"row": row, "number": number, "first": seen[number]}
            )
            continue
        seen[number] = row
        status = statuses.get(written.lower())
        try:
            as_of = _day(cells.get(DATE)) if cells.get(DATE) not in (None, "") else None
        except ValueError as error:
            preview.errors.add(_("Row %(row)d: %(error)s") % {"row": row, "error": error})
            continue
        if as_of is None:
            preview.errors.add(_("Row %(row)d: give the date the status refers to.") % {"row": row})
            continue
        new = NewStatus(status or written, as_of, _text(cells.get(TEXT)))
        problems = status_problems(strategy, new)
        if problems:
            for problem in problems:
                preview.errors.add(_("Row %(row)d: %(error)s") % {"row": row, "error": problem})
            continue
        existing = current[initiative.pk].current
        if existing is not None and NewStatus(existing.status, existing.as_of, existing.text) == new:
            preview.unchanged += 1
            continue
        old = f"{existing.get_status_display()}, {existing.as_of}" if existing else ""
        preview.changes.append(StatusChange(initiative, old, new))
    return preview


def edits_to_session(preview: Preview) -> list[dict]:
    return [
        {
            "initiative": change.initiative.pk,
            "status": change.new.status,
            "as_of": change.new.as_of.isoformat(),
            "text": change.new.text,
        }
        for change in preview.changes
    ]


def edits_from_session(stored: list[dict]) -> list[InitiativeEdit]:
    return [
        InitiativeEdit(
            item["initiative"], new_status=NewStatus(item["status"], date.fromisoformat(item["as_of"]), item["text"])
        )
        for item in stored
    ]
