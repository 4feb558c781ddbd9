"""The Celery app of the benchmark's worker processes (``celery -A bench.worker worker``): the project's,
looking for the jobs of a dead worker every second instead of every 100 (kombu's interval times its
throttle), so that a job comes back soon after its short visibility timeout. tests/killable_worker.py
starts its workers from it too.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voorsprong.settings")
django.setup()

from voorsprong.celery import app  # noqa: E402

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

__all__ = ["app"]
