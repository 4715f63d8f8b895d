"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

from .templatetags.portal import CONTENT_LANGUAGE, other_language


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html, in Python: ` name="value"` each, True alone, False left out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A select rendered in Python, to the very bytes of Django's select.html and select_option.html
    templates (a test compares them): a list's filters render nine of them, with hundreds of options,
    on every request, and the templates' include per option cost a quarter of the commitment list's
    time (issue 15)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                parts.append(
                    f'\n  <option value="{escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 every value above is escaped


class StoredChoicesSelect(FastSelect):
    """A select whose options are names as stored (themes, regions, entities, events): each option but the
    empty one ("All regions", in the interface's language) says it is Spanish when the interface is not
    (paga/templatetags/portal.py: text people wrote keeps its language)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, "") and other_language():
            option["attrs"]["lang"] = CONTENT_LANGUAGE
        return option
