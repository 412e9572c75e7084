from django.db import models


class WorkerHeartbeat(models.Model):
    """A running worker process (`manage.py run_worker`), written at the end of each of its passes
    (portal.heartbeat). /healthz and /metrics read the newest; a worker starting removes the rows
    of workers silent for a day."""

    # host name:process id
    worker_id = models.CharField(max_length=200, unique=True)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    passes = models.PositiveBigIntegerField(default=0)
    # The process's latest failure (a job or the mail), with its time; empty while none.
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.worker_id
