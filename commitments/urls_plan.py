"""The plan's versions (issue 6): the published plan under /plan/, the Secretaría's work under
/gestion/plan/ (namespace "commitments")."""

from django.urls import path

from . import plan_views

urlpatterns = [
    path("plan/", plan_views.public_plan, name="plan"),
    path("plan/versiones/<int:number>/", plan_views.public_version, name="plan_version"),
    path("plan/versiones/<int:number>/<str:kind>.pdf", plan_views.download, name="plan_download"),
    path("gestion/plan/", plan_views.staff_home, name="plan_staff"),
    path("gestion/plan/nueva/", plan_views.create_draft, name="plan_create_draft"),
    path("gestion/plan/<int:number>/", plan_views.staff_version, name="plan_staff_version"),
    path("gestion/plan/<int:number>/vista-previa/", plan_views.preview, name="plan_preview"),
    path("gestion/plan/<int:number>/congelar/", plan_views.freeze, name="plan_freeze"),
    path("gestion/plan/<int:number>/aprobar/", plan_views.approve, name="plan_approve"),
    path("gestion/plan/documentos/<int:pk>/reintentar/", plan_views.rerun, name="plan_rerun"),
]
