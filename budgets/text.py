"""Text that people type, checked before it is stored: PostgreSQL cannot store NUL, and Excel refuses the other
control characters, so text holding one would break every export it appears in."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def has_control_characters(text: str) -> bool:
    return bool(ILLEGAL_CHARACTERS_RE.search(text))
