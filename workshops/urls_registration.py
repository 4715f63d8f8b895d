"""Workshops URLs: registration pages (see workshops/urls.py). Included before the public pages, so
`talleres/inscripcion/…` is never taken for an event's slug."""

from django.urls import path

from . import registration_views as views

urlpatterns = [
    path("talleres/inscripcion/<uuid:key>/confirmar/", views.confirm, name="registration_confirm"),
    path("talleres/inscripcion/<uuid:key>/cancelar/", views.cancel, name="registration_cancel"),
    path("talleres/<slug:slug>/inscripcion/", views.register, name="register"),
]
