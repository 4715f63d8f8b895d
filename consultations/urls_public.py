"""Consultations' URLs: public pages (see consultations/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("consultas/", views.consultation_list, name="list"),
    # Contributions first: "aportes" and "apoyar" are not consultation slugs.
    path("consultas/aportes/<int:pk>/", views.contribution_redirect, name="contribution"),
    path("consultas/aportes/<int:pk>/responder/", views.reply, name="reply"),
    path("consultas/aportes/<int:pk>/editar/", views.edit, name="edit"),
    path("consultas/aportes/<int:pk>/apoyar/", views.support_contribution, name="support"),
    path("consultas/aportes/<int:pk>/reportar/", views.flag, name="flag"),
    path("consultas/apoyar/<int:pk>/", views.support_commitment, name="support_item"),
    path("consultas/<slug:slug>/", views.consultation_detail, name="detail"),
    path("consultas/<slug:slug>/comentar/", views.comment_on_document, name="comment_document"),
    path("consultas/<slug:slug>/propuestas/<int:pk>/comentar/", views.comment_on_item, name="comment"),
    path("consultas/<slug:slug>/parrafos/<slug:key>/", views.paragraph_detail, name="paragraph"),
    path(
        "consultas/<slug:slug>/parrafos/<slug:key>/comentar/",
        views.comment_on_paragraph,
        name="comment_paragraph",
    ),
]
