"""The ministries' technical review, under /revision/ (namespace "commitments")."""

from django.urls import path

from . import review_views

urlpatterns = [
    path("", review_views.review_queue, name="review_queue"),
    path("<int:pk>/", review_views.review, name="review"),
]
