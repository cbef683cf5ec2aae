"""The "Status" sheet: one row per initiative with its status, the day it refers to, its text, its authority and
why it is late. It is a sheet of the strategy's workbook (the version the reader sees) and, with the draft's
statuses, the quarterly status report's template that tracking.imports reads back."""

from django.utils.translation import gettext as _
from openpyxl import Workbook

from budgets.workbooks import _finish, _Sheet
from publication.editions import Edition
from tracking.progress import strategy_progress

STATUS_SHEET = "Status"
HEADER_ROW = 1


def header() -> list[str]:
    """The columns the import reads (the first five), then those it leaves alone."""
    return [
        _("No."),
        _("Initiative"),
        _("Status"),
        _("Date"),
        _("Public text"),
        _("Responsible authority"),
        _("Shown as late because"),
    ]


def write_status_sheet(workbook, strategy, edition: Edition) -> None:
    worksheet = workbook.create_sheet(STATUS_SHEET)
    for column, width in zip("ABCDEFG", (8, 60, 16, 12, 60, 30, 60), strict=True):
        worksheet.column_dimensions[column].width = width
    worksheet.freeze_panes = "C2"
    sheet = _Sheet(worksheet)
    sheet.append([sheet.text(title, bold=True) for title in header()])
    for chapter in strategy_progress(strategy, edition).chapters:
        for item in sorted(chapter.items, key=lambda item: item.initiative.position):
            current = item.current
            sheet.append(
                [
                    sheet.text(item.initiative.number),
                    sheet.text(item.initiative.title),
                    sheet.text(str(current.get_status_display()) if current else ""),
                    current.as_of if current else None,
                    sheet.text(current.text if current else ""),
                    sheet.text(str(item.authority) if item.authority else ""),
                    sheet.text("; ".join(item.reasons)),
                ]
            )


def status_workbook(strategy, edition: Edition) -> bytes:
    """The quarterly status report to fill in and import: the Status sheet alone."""
    workbook = Workbook(write_only=True)
    write_status_sheet(workbook, strategy, edition)
    return _finish(workbook, f"{strategy.title} – {_('status report')}", strategy.slug, edition)
