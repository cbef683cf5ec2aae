"""Choice widgets that write their HTML in Python, in the markup of Det Fælles Designsystem.

Django renders each option through two templates. The filters of a ministry's data offer a thousand
chapters and a hundred strategies, which took a third of the search page's time. Checkboxes and radio buttons
are written as DKFDS draws them: each input followed by its label, in a group of its own.
"""

import html

from django import forms
from django.utils.safestring import mark_safe


def _escape(value) -> str:
    """conditional_escape without its test of every argument for a lazy string, a third of the time of writing ten
    thousand options: the same text (Django escapes with html.escape)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Written from the choices themselves: Django's optgroups builds a dictionary for each option, and a thousand
    strategies offer ten thousand chapters."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen, found = self.format_value(value), False
        parts = [f'<select name="{_escape(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>']
        for group_value, group_label in self.choices:
            grouped = isinstance(group_label, (list, tuple))
            if grouped:
                parts.append(f'\n  <optgroup label="{_escape(group_value)}">')
            for option_value, option_label in group_label if grouped else [(group_value, group_label)]:
                option_value = "" if option_value is None else str(option_value)
                selected = not found and option_value in chosen  # a single choice: the first that matches
                found |= selected
                parts.append(
                    f'\n  <option value="{_escape(option_value)}"{" selected" if selected else ""}>'
                    f"{_escape(option_label)}</option>"
                )
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class _Options:
    """A group of checkboxes or radio buttons: ``option_class`` on each input, ``group_class`` around each."""

    option_class = group_class = ""

    def format_value(self, value):
        # A set, as each option is looked up in it: a thousand strategies looked up in a list of them took 60 ms.
        return set(super().format_value(value))

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        identifier, css = widget["attrs"].get("id"), widget["attrs"].get("class")
        parts = [
            "<div"
            + (f' id="{_escape(identifier)}"' if identifier else "")
            + (f' class="{_escape(css)}"' if css else "")
            + ">"
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{_escape(group)}</label>")
            for option in options:
                parts.append(f'<div class="{self.group_class}">\n    {_option(option, self.option_class)}</div>')
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))


class CheckboxSelectMultiple(_Options, forms.CheckboxSelectMultiple):
    option_class, group_class = "form-checkbox", "form-group-checkbox"


class RadioSelect(_Options, forms.RadioSelect):
    option_class, group_class = "form-radio", "form-group-radio"


def _option(option: dict, css: str) -> str:
    """An input and its label after it (DKFDS draws the box in the label)."""
    value = "" if option["value"] is None else f' value="{_escape(option["value"])}"'
    attrs = _attrs({**option["attrs"], "class": css})
    field = f'<input type="{option["type"]}" name="{_escape(option["name"])}"{value}{attrs}>'
    label_for = option["attrs"].get("id")
    target = f' for="{_escape(label_for)}"' if label_for else ""
    return f'{field}<label class="form-label"{target}>{_escape(option["label"])}</label>'
