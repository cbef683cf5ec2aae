"""Choice widgets that write their HTML in Python, in the markup of Det Fælles Designsystem.

Django renders each option through two templates. The filters of a ministry's data offer a thousand
chapters and a hundred strategies, which took a third of the search page's time. Checkboxes and radio buttons
are written as DKFDS draws them: each input followed by its label, in a group of its own.
"""

import html

from django import forms
from django.utils.safestring import mark_safe


def _escaped(value) -> str:
    """django.utils.html.conditional_escape without its wrapper for lazy texts, half the time of a thousand
    checkboxes: a value that is HTML already stays as it is, any other is escaped as Django escapes it."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {name}" if value is True else f' {name}="{_escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escaped(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escaped(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{_escaped(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{_escaped(option['label'])}</option>"
                )
            if group_name:
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
            + (f' id="{_escaped(identifier)}"' if identifier else "")
            + (f' class="{_escaped(css)}"' if css else "")
            + ">"
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{_escaped(group)}</label>")
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
    value = "" if option["value"] is None else f' value="{_escaped(option["value"])}"'
    attrs = _attrs({**option["attrs"], "class": css})
    field = f'<input type="{option["type"]}" name="{_escaped(option["name"])}"{value}{attrs}>'
    label_for = option["attrs"].get("id")
    target = f' for="{_escaped(label_for)}"' if label_for else ""
    return f'{field}<label class="form-label"{target}>{_escaped(option["label"])}</label>'
