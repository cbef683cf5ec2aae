from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from budgets.models import Allocation, CellKind
from budgets.numbers import Figure, format_amount

register = template.Library()


@register.filter
def mio(value) -> str:
    """An amount, a sum or a cell of a budget table, in the reader's notation."""
    if value is None or value == "":
        return ""
    if isinstance(value, Figure):
        if value.unknown and not value.amount:
            return format_html('<span class="unknown">{}</span>', _("unknown"))
        if value.unknown:
            return format_html('{} <span class="unknown">{}</span>', format_amount(value.amount), _("+ unknown"))
        return format_amount(value.amount)
    if isinstance(value, Allocation):
        if value.kind == CellKind.UNKNOWN:
            return format_html('<span class="unknown">{}</span>', _("unknown"))
        if value.kind == CellKind.FINANCED_ELSEWHERE:
            return format_html('<span class="cell-text">{}</span>', value.text)
        if value.text:
            return format_html('{} <span class="cell-text">{}</span>', format_amount(value.amount), value.text)
        return format_amount(value.amount)
    return format_amount(Decimal(value))
