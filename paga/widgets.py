"""Form widgets shared by the apps."""

from __future__ import annotations

from django import forms

from .templatetags.portal import CONTENT_LANGUAGE, other_language


class StoredChoicesSelect(forms.Select):
    """A select whose options are names as stored (themes, regions, entities, events): each option but the
    empty one ("All regions", in the interface's language) says it is Spanish when the interface is not
    (paga/templatetags/portal.py: text people wrote keeps its language)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value not in (None, "") and other_language():
            option["attrs"]["lang"] = CONTENT_LANGUAGE
        return option
