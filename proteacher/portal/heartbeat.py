"""The worker's heartbeat: each `run_worker` process upserts its WorkerHeartbeat row at the end of
every pass (one statement: INSERT … ON CONFLICT DO UPDATE), and reads nothing. A worker that stops
beating is dead or stuck; /healthz fails once the newest beat is older than
HEALTH_WORKER_MAX_AGE_SECONDS, and /metrics reports the age.

Heartbeats are operational records about processes, not about anyone: no audit entry.
"""

import datetime
import os
import socket

from django.db.models import Max
from django.utils import timezone

from proteacher.portal.models import WorkerHeartbeat

# A worker silent this long is gone; a worker starting removes its row.
FORGET_AFTER = datetime.timedelta(days=1)
ERROR_LENGTH = 2000


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def beat(
    worker_id: str,
    *,
    started_at: datetime.datetime,
    passes: int,
    last_error: str = "",
    last_error_at: datetime.datetime | None = None,
) -> None:
    fields = ["started_at", "beat_at", "passes", "last_error", "last_error_at"]
    WorkerHeartbeat.objects.bulk_create(
        [
            WorkerHeartbeat(
                worker_id=worker_id,
                started_at=started_at,
                beat_at=timezone.now(),
                passes=passes,
                last_error=last_error[:ERROR_LENGTH],
                last_error_at=last_error_at,
            )
        ],
        update_conflicts=True,
        unique_fields=["worker_id"],
        update_fields=fields,
    )


def forget_dead(now: datetime.datetime | None = None) -> int:
    """Remove the rows of workers that have not beaten for FORGET_AFTER; returns how many."""
    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(beat_at__lt=now - FORGET_AFTER).delete()[0]


def newest_beat() -> datetime.datetime | None:
    return WorkerHeartbeat.objects.aggregate(newest=Max("beat_at"))["newest"]
