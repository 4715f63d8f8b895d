"""The Celery app shared by every part of the portal.

Configuration comes from Django settings (`CELERY_*`). Without REDIS_URL tasks run inline (eager),
so a bare machine needs no broker; with it, a `celery -A paga worker` process runs them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "paga.settings")

app = Celery("paga")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
