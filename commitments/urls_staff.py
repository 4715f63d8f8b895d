"""The Secretaría's work on commitments, under /gestion/compromisos/ (namespace "commitments")."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.staff_home, name="staff_home"),
    path("nuevo/", staff_views.create, name="create"),
    path("consolidar/fusionar/", staff_views.merge, name="merge"),
    path("<int:pk>/editar/", staff_views.edit, name="edit"),
    path("<int:pk>/estado/", staff_views.transition, name="transition"),
    path("<int:pk>/asignar/", staff_views.assign, name="assign"),
    path("<int:pk>/dividir/", staff_views.split, name="split"),
    path("<int:pk>/puntuar/", staff_views.score, name="score"),
]
