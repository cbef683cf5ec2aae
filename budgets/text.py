"""Text that people type, checked before it is stored: PostgreSQL cannot store NUL, and Excel refuses the other
control characters, so text holding one would break every export it appears in."""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def has_control_characters(text: str) -> bool:
    return bool(ILLEGAL_CHARACTERS_RE.search(text))


def without_control_characters(value):
    """Text without those characters (the admin lets a title keep one), anything else as it is."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
