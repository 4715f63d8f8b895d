"""Workshops URLs: the Secretaría's pages under /gestion/talleres/ (see workshops/urls.py).

Names start with "staff_" so they never meet the public pages' names in the shared namespace. The fixed
addresses ("nuevo", "documentos") come before an event's slug; services.RESERVED_SLUGS keeps events off them.
"""

from django.urls import include, path

from . import staff_views as views

urlpatterns = [
    path("", views.events, name="staff_events"),
    path("nuevo/", views.event_create, name="staff_event_create"),
    path("documentos/", views.documents, name="staff_documents"),
    path("documentos/nuevo/", views.document_upload, name="staff_document_upload"),
    path("<slug:slug>/", views.event, name="staff_event"),
    path("<slug:slug>/editar/", views.event_edit, name="staff_event_edit"),
    path("<slug:slug>/realizado/", views.mark_held, name="staff_event_held"),
    path("<slug:slug>/cancelar/", views.cancel, name="staff_event_cancel"),
    path("<slug:slug>/reprogramar/", views.reschedule, name="staff_event_reschedule"),
    path("<slug:slug>/inscripciones.csv", views.registrations_csv, name="staff_registrations_csv"),
    path("<slug:slug>/asistencia/", views.attendance, name="staff_attendance"),
    path("<slug:slug>/asistencia/registrar/", views.check_in, name="staff_check_in"),
    path("<slug:slug>/asistencia/sin-inscripcion/", views.walk_in, name="staff_walk_in"),
    path("<slug:slug>/asistencia/<int:pk>/quitar/", views.undo_check_in, name="staff_undo_check_in"),
    path("", include("workshops.urls_outcomes")),
]
