"""The background worker: sends queued notification emails and runs the periodic jobs of proteacher.worker.

    manage.py run_worker          # loop until SIGTERM / SIGINT, a pass every WORKER_INTERVAL_SECONDS
    manage.py run_worker --once   # one pass (tests, or cron instead of a long-running process)

Run as many as you like, on as many machines: mail is claimed row by row (see outbox) and every
job is written to be safe to run twice (see proteacher.worker).
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from proteacher import worker
from proteacher.notifications.outbox import send_due_mail
from proteacher.portal import heartbeat
from proteacher.secret_key import refuse_development_key

logger = logging.getLogger("proteacher.worker")

MAIL_BATCH = 100
# Batches per pass, so that a long queue does not keep the periodic jobs waiting.
MAIL_BATCHES_PER_PASS = 10


class Command(BaseCommand):
    help = "Send queued notification emails and run the periodic jobs (--once: a single pass)."

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stopping = False
        # Each process keeps its own clock of when a job last ran (monotonic seconds).
        self.last_run: dict[str, float] = {}
        # What its heartbeat says (portal.heartbeat).
        self.worker_id = heartbeat.this_worker()
        self.started_at = timezone.now()
        self.passes = 0
        self.last_error = ""
        self.last_error_at = None

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one pass and exit")

    def handle(self, *args, once: bool = False, **options):
        refuse_development_key()
        self._forget_dead_workers()
        interval = settings.WORKER_INTERVAL_SECONDS
        if not once:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
            names = ", ".join(job.name for job in worker.JOBS) or "none"
            logger.info("Worker started: a pass every %d s; periodic jobs: %s", interval, names)
        while True:
            if not once:
                # A long-running process must drop connections that the database closed or that
                # outlived DATABASE_CONN_MAX_AGE (a single pass keeps the caller's connection).
                close_old_connections()
            self.run_pass()
            if once or self.stopping:
                break
            self._sleep(interval)
        if not once:
            logger.info("Worker stopped")

    def run_pass(self) -> None:
        try:
            for _ in range(MAIL_BATCHES_PER_PASS):
                sent, failed = send_due_mail(MAIL_BATCH)
                if sent + failed < MAIL_BATCH or self.stopping:
                    break
        except Exception as error:
            logger.exception("Sending mail failed")
            self._failed("Sending mail failed", error)
        for job in worker.JOBS:
            if self.stopping:
                break
            now = time.monotonic()
            last = self.last_run.get(job.name)
            if last is not None and now - last < job.every_seconds:
                continue
            self.last_run[job.name] = now
            try:
                result = job.function()
            except Exception as error:
                # One broken job must not stop the mail or the other jobs.
                logger.exception("Job %s failed", job.name)
                self._failed(f"Job {job.name} failed", error)
            else:
                logger.info("Job %s done: %s", job.name, result)
        self.passes += 1
        self._beat()

    def _failed(self, what: str, error: Exception) -> None:
        self.last_error = f"{what}: {type(error).__name__}: {error}"
        self.last_error_at = timezone.now()

    def _beat(self) -> None:
        # A database that is down fails the beat too; the next pass tries again.
        try:
            heartbeat.beat(
                self.worker_id,
                started_at=self.started_at,
                passes=self.passes,
                last_error=self.last_error,
                last_error_at=self.last_error_at,
            )
        except Exception:
            logger.exception("Recording the heartbeat failed")

    def _forget_dead_workers(self) -> None:
        try:
            heartbeat.forget_dead()
        except Exception:
            logger.exception("Removing the heartbeats of dead workers failed")

    def _stop(self, signum, frame) -> None:
        logger.info("Worker stopping after this pass (signal %d)", signum)
        self.stopping = True

    def _sleep(self, seconds: float) -> None:
        # In short steps, so that a stop signal is obeyed within a second.
        deadline = time.monotonic() + seconds
        while not self.stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            time.sleep(min(1.0, remaining))
