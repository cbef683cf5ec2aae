"""Choice widgets that write their HTML in Python, in the markup of Det Fælles Designsystem.

Django renders each option through two templates. The filters of a ministry's data offer a thousand
chapters and a hundred strategies, which took a third of the search page's time. Checkboxes and radio buttons
are written as DKFDS draws them: each input followed by its label, in a group of its own.
"""

from django import forms
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class _Options:
    """A group of checkboxes or radio buttons: ``option_class`` on each input, ``group_class`` around each."""

    option_class = group_class = ""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        identifier, css = widget["attrs"].get("id"), widget["attrs"].get("class")
        parts = [
            "<div"
            + (f' id="{conditional_escape(identifier)}"' if identifier else "")
            + (f' class="{conditional_escape(css)}"' if css else "")
            + ">"
        ]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{conditional_escape(group)}</label>")
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
    value = "" if option["value"] is None else f' value="{conditional_escape(str(option["value"]))}"'
    attrs = _attrs({**option["attrs"], "class": css})
    field = f'<input type="{option["type"]}" name="{conditional_escape(option["name"])}"{value}{attrs}>'
    label_for = option["attrs"].get("id")
    target = f' for="{conditional_escape(label_for)}"' if label_for else ""
    return f'{field}<label class="form-label"{target}>{conditional_escape(option["label"])}</label>'
