"""Consultations' URLs: the Secretaría's side of the forum, under /gestion/consultas/ (consultations/urls.py).

Names start with "staff_" so they never meet the public pages' names in the shared namespace.
"""

from django.urls import path

from . import staff_views as views

urlpatterns = [
    path("", views.desk, name="staff_desk"),
    path("moderacion/", views.moderation_queue, name="staff_moderation"),
    path("moderacion/registro/", views.moderation_log, name="staff_moderation_log"),
    path("moderacion/bloqueos/", views.blocks, name="staff_blocks"),
    path("moderacion/bloqueos/<int:pk>/levantar/", views.unblock, name="staff_unblock"),
    path("moderacion/aportes/<int:pk>/", views.moderate_contribution, name="staff_contribution"),
    path("moderacion/aportes/<int:pk>/ocultar/", views.hide, name="staff_hide"),
    path("moderacion/aportes/<int:pk>/restaurar/", views.restore, name="staff_restore"),
    path("moderacion/aportes/<int:pk>/descartar/", views.dismiss, name="staff_dismiss"),
    path("moderacion/aportes/<int:pk>/bloquear/", views.block_author, name="staff_block"),
    path("plantillas/", views.templates_list, name="staff_templates"),
    path("plantillas/nueva/", views.template_edit, name="staff_template_create"),
    path("plantillas/<int:pk>/editar/", views.template_edit, name="staff_template_edit"),
    path("aportes/<int:pk>/adjunto/", views.attachment, name="staff_attachment"),
    path("aportes/<int:pk>/responder/", views.respond, name="staff_respond"),
    path("<slug:slug>/otros-canales/nuevo/", views.record_other_channel, name="staff_other_channel"),
    path("<slug:slug>/respuestas/", views.responses_list, name="staff_responses"),
    path("<slug:slug>/respuestas/publicar/", views.publish, name="staff_publish"),
]
