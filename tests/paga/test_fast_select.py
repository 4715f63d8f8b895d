"""paga/widgets.py FastSelect renders the very bytes Django's select templates render (issue 15: the
commitment list's filters without the per-option template machinery)."""

from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import override

from paga.widgets import FastSelect, StoredChoicesSelect

CHOICES = [
    ("", "Todas <las> regiones"),
    ("a&b", 'Áncash "norte"'),
    ("lima", mark_safe("<b>Lima</b>")),  # noqa: S308 a safe label stays as it is, as in the template
    (3, "Tres"),
    ("Grupo <1>", [("x", "Equis"), ("y", "Ye")]),
]


def django_render(widget_class, value, attrs):
    """The same widget rendered through Django's own templates (the method FastSelect replaces)."""
    widget = widget_class(choices=CHOICES, attrs={"class": "wide", "data-x": 'a"b'})
    return forms.Widget.render(widget, "region", value, attrs)


def test_fast_select_renders_what_the_django_templates_render():
    for widget_class in (FastSelect, StoredChoicesSelect):
        for value in ("", "a&b", 3, "y", None, "missing"):
            for attrs in (None, {"id": "id_region", "required": True, "disabled": False}):
                ours = widget_class(choices=CHOICES, attrs={"class": "wide", "data-x": 'a"b'})
                rendered = ours.render("region", value, attrs)
                assert rendered == django_render(widget_class, value, attrs)
                assert "<option" in rendered


def test_stored_choices_say_their_language_in_english_as_the_template_would():
    with override("en"):
        rendered = StoredChoicesSelect(choices=CHOICES).render("region", "lima")
        plain = django_render(StoredChoicesSelect, "lima", None).replace(
            ' class="wide" data-x="a&quot;b"', ""
        )
        assert rendered == plain
        assert 'value="lima" selected lang="es">' in rendered
