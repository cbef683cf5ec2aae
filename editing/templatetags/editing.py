from django import template

from editing.permissions import can_edit as _can_edit

register = template.Library()


@register.filter
def can_edit(user, strategy) -> bool:
    return _can_edit(user, strategy)
