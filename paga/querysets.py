from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q


class TimelineStageQuerySet(models.QuerySet):
    def for_display(self) -> TimelineStageQuerySet:
        return self.select_related("pillar", "region")

    def current_on(self, day: datetime.date) -> TimelineStageQuerySet:
        """Stages under way on `day` (a stage without an end lasts its start day)."""
        return self.filter(starts_on__lte=day).filter(
            Q(ends_on__gte=day) | Q(ends_on__isnull=True, starts_on=day)
        )

    def upcoming_after(self, day: datetime.date) -> TimelineStageQuerySet:
        return self.filter(starts_on__gt=day).order_by("starts_on", "order")
