"""manage.py run_worker: mail and the periodic jobs declared in proteacher.worker."""

import signal

import pytest
from django.core.management import call_command

from proteacher import worker
from proteacher.notifications import services
from proteacher.notifications.models import OutgoingMail
from proteacher.portal.management.commands import run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(monkeypatch):
    """Only the jobs a test declares (the platform's own jobs are tested where they live)."""
    declared: list[worker.Job] = []
    monkeypatch.setattr(worker, "JOBS", declared)
    return declared


def test_once_sends_the_queued_mail_and_runs_every_job(jobs, teacher, mailoutbox):
    services.notify(teacher, "進階專業回饋人才認證通過", "感謝您申請。")
    runs = []
    jobs.append(worker.Job("close_expired_appeal_windows", lambda: runs.append("closed") or 0, every_seconds=600))

    call_command("run_worker", "--once")

    assert runs == ["closed"]
    assert [message.subject for message in mailoutbox] == ["【教師專業發展支持作業平臺】進階專業回饋人才認證通過"]
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.SENT


def test_a_job_runs_again_only_when_its_time_has_come(jobs, monkeypatch):
    runs = []
    jobs.append(worker.Job("count", lambda: runs.append(1), every_seconds=60))
    clock = [1000.0]
    monkeypatch.setattr(run_worker.time, "monotonic", lambda: clock[0])
    command = run_worker.Command()
    command.stopping, command.last_run = False, {}

    command.run_pass()
    clock[0] += 59
    command.run_pass()
    assert len(runs) == 1
    clock[0] += 1
    command.run_pass()
    assert len(runs) == 2


def test_a_failing_job_does_not_stop_the_others(jobs, caplog):
    runs = []

    def broken():
        raise RuntimeError("boom")

    jobs.append(worker.Job("broken", broken, every_seconds=60))
    jobs.append(worker.Job("fine", lambda: runs.append(1), every_seconds=60))

    call_command("run_worker", "--once")

    assert runs == [1]
    assert "Job broken failed" in caplog.text


def test_the_declared_jobs_have_names_of_their_own_and_intervals():
    names = [job.name for job in worker.JOBS]

    assert len(set(names)) == len(names)
    assert all(job.every_seconds > 0 for job in worker.JOBS)
    assert "close_expired_appeal_windows" in names


def test_the_loop_passes_until_told_to_stop(jobs, monkeypatch, settings):
    settings.WORKER_INTERVAL_SECONDS = 7
    runs = []
    jobs.append(worker.Job("count", lambda: runs.append(1), every_seconds=1))
    sleeps = []

    def sleep(command, seconds):
        # Stands in for the pause between passes; SIGTERM arriving in the third pause.
        sleeps.append(seconds)
        if len(sleeps) == 3:
            command._stop(signal.SIGTERM, None)
        clock[0] += seconds

    clock = [0.0]
    monkeypatch.setattr(run_worker.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(run_worker.Command, "_sleep", sleep)
    handlers = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}
    try:
        call_command("run_worker")
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)

    assert sleeps == [7, 7, 7]
    assert len(runs) == 3
