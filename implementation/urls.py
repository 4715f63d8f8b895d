"""Implementation's URLs (namespace "implementation"): the public pages (/seguimiento/: urls_public.py);
the reviewers' and the Secretaría's pages each in their module."""

from django.urls import include, path

app_name = "implementation"

urlpatterns = [
    path("", include("implementation.urls_public")),
    path("revision/seguimiento/", include("implementation.urls_review")),
    path("gestion/seguimiento/", include("implementation.urls_staff")),
]
