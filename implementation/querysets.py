"""Reusable filters of progress reports."""

from __future__ import annotations

from django.db import models


class ProgressReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProgressReportQuerySet:
        """Reports `user` may see; agrees with rules.py `implementation.view_report`."""
        from .rules import may

        if may(user, "implementation.view_all"):
            return self
        validated = self.filter(state="validado")
        if may(user, "implementation.report_queue") and (entity_id := getattr(user, "entity_id", None)):
            return validated | self.filter(entity_id=entity_id)
        return validated

    def in_plan(self, plan) -> ProgressReportQuerySet:
        return self.filter(milestone__commitment__plan=plan)
