"""The email outbox: a mail server that is down never blocks a change, and every mail goes out exactly once."""

import datetime
import smtplib
import threading
import time

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, connections, transaction

from proteacher.audit.models import AuditEntry
from proteacher.certification.workflow import State
from proteacher.notifications import outbox, services
from proteacher.notifications.models import OutgoingMail
from proteacher.testing import factories
from proteacher.testing.smtp import LOOPBACK, free_port, running_smtp_server, use_smtp_server

Status = OutgoingMail.Status

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections need PostgreSQL"
)


def mail_server_down(settings) -> None:
    use_smtp_server(settings, LOOPBACK, free_port())


@pytest.mark.django_db
def test_changes_go_through_while_the_mail_server_is_down_and_mail_goes_out_once_it_is_back(
    settings, walk, case_of, teacher, clock
):
    mail_server_down(settings)
    case = walk.to(case_of(), "formal_return")

    walk.take(case, "formal_return", reason="缺少認證檢核表")

    assert case.state == State.PREPARING
    # One try a pass while the server is down: the first mail, then the other one.
    assert outbox.send_due_mail() == (0, 1)
    assert outbox.send_due_mail() == (0, 1)
    queued = list(OutgoingMail.objects.order_by("pk"))
    assert [(mail.status, mail.attempts) for mail in queued] == [(Status.QUEUED, 1), (Status.QUEUED, 1)]
    assert all(mail.next_attempt_at == clock.now + datetime.timedelta(minutes=1) for mail in queued)
    assert all("Connection" in mail.last_error for mail in queued)
    assert outbox.send_due_mail() == (0, 0)  # not due again before its time

    with running_smtp_server() as server:
        use_smtp_server(settings, server.host, server.port)
        clock.advance(minutes=1, seconds=1)
        call_command("run_worker", "--once")
        call_command("run_worker", "--once")  # a second pass finds nothing left to send

        subjects = sorted(message.subject for message in server.messages)
        assert subjects == [
            "【教師專業發展支持作業平臺】申請進階專業回饋人才認證退件",
            "【教師專業發展支持作業平臺】進階專業回饋人才認證已收到送審文件",
        ]
        assert all(message.rcpt_tos == ["t-huang@school.example.tw"] for message in server.messages)
        returned = next(m for m in server.messages if "退件" in m.subject)
        assert "請依形式審查意見補齊後再重新申請認證。\n原因：缺少認證檢核表" in returned.text.replace("\r\n", "\n")
    sent = list(OutgoingMail.objects.order_by("pk"))
    assert [(mail.status, mail.attempts, mail.sent_at) for mail in sent] == [(Status.SENT, 2, clock.now)] * 2


@pytest.mark.django_db
def test_retries_back_off_then_give_up(settings, teacher, clock):
    settings.NOTIFICATION_MAIL_MAX_ATTEMPTS = 4
    mail_server_down(settings)
    services.notify(teacher, "進階專業回饋人才認證通過", "感謝您申請。")
    waits = []

    for _ in range(4):
        assert outbox.send_due_mail() == (0, 1)
        mail = OutgoingMail.objects.get()
        if mail.status == Status.QUEUED:
            waits.append(mail.next_attempt_at - clock.now)
            clock.advance(seconds=(mail.next_attempt_at - clock.now).total_seconds())

    assert waits == [datetime.timedelta(minutes=minutes) for minutes in (1, 2, 4)]
    assert (mail.status, mail.attempts) == (Status.FAILED, 4)
    assert "ConnectionRefusedError" in mail.last_error
    clock.advance(days=1)
    assert outbox.send_due_mail() == (0, 0)  # a failed mail stays failed


@pytest.mark.django_db
def test_a_sent_mail_is_never_sent_again(teacher, mailoutbox, clock):
    services.notify(teacher, "進階專業回饋人才認證通過", "感謝您申請。")

    assert outbox.send_due_mail() == (1, 0)
    clock.advance(days=30)
    assert outbox.send_due_mail() == (0, 0)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["t-huang@school.example.tw"]
    assert mailoutbox[0].subject == "【教師專業發展支持作業平臺】進階專業回饋人才認證通過"


@pytest.mark.django_db
def test_a_claim_left_by_a_worker_that_died_is_taken_over_after_the_lease(settings, teacher, mailoutbox, clock):
    settings.NOTIFICATION_MAIL_LEASE_SECONDS = 45
    services.notify(teacher, "第一則", "內容")
    assert [mail.subject for mail in outbox.claim_due_mail()] == ["【教師專業發展支持作業平臺】第一則"]
    # ... and the worker that claimed it died before sending.

    clock.advance(seconds=44)
    assert outbox.send_due_mail() == (0, 0)
    clock.advance(seconds=2)
    assert outbox.send_due_mail() == (1, 0)

    assert len(mailoutbox) == 1
    assert OutgoingMail.objects.get().attempts == 2


class RefusesOneAddress(BaseEmailBackend):
    """A mail server that refuses one recipient and takes the rest."""

    sent: list = []

    def send_messages(self, messages):
        for message in messages:
            if message.to == ["nobody@school.example.tw"]:
                raise smtplib.SMTPRecipientsRefused({"nobody@school.example.tw": (550, b"No such user")})
            self.sent.append(message)
        return len(messages)


def test_a_dead_workers_mail_is_taken_over_within_a_minute_and_a_live_one_never(settings):
    # The lease plus a worker's pass (WORKER_INTERVAL_SECONDS) is the longest a mail waits.
    assert settings.NOTIFICATION_MAIL_LEASE_SECONDS + settings.WORKER_INTERVAL_SECONDS <= 60
    # A send is bounded by the SMTP timeout, well inside the half lease a sender may start on.
    assert settings.EMAIL_TIMEOUT * 2 <= settings.NOTIFICATION_MAIL_LEASE_SECONDS


@pytest.mark.django_db
def test_a_refused_address_does_not_hold_back_the_others(settings, teacher, clock):
    settings.EMAIL_BACKEND = f"{__name__}.RefusesOneAddress"
    RefusesOneAddress.sent = []
    nobody = factories.teacher(name="無此人", account="nobody")
    services.notify(nobody, "給無此人", "內容")
    services.notify(teacher, "給黃老師", "內容")

    assert outbox.send_due_mail() == (1, 1)

    assert [message.to for message in RefusesOneAddress.sent] == [["t-huang@school.example.tw"]]
    refused = OutgoingMail.objects.get(to="nobody@school.example.tw")
    assert (refused.status, refused.attempts) == (Status.QUEUED, 1) and "SMTPRecipientsRefused" in refused.last_error


@pytest.mark.django_db
def test_a_server_that_is_down_is_tried_once_per_pass(settings, teacher, monkeypatch):
    mail_server_down(settings)
    for number in range(5):
        services.notify(teacher, f"訊息{number}", "內容")
    connections_tried = []
    real_open = smtplib.SMTP.connect

    def counting_connect(self, *args, **kwargs):
        connections_tried.append(args)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "connect", counting_connect)

    assert outbox.send_due_mail() == (0, 1)

    assert len(connections_tried) == 1
    # The one tried waits to be tried again; the others were not claimed and are due to any worker.
    rows = list(OutgoingMail.objects.order_by("pk").values_list("status", "attempts", "claimed_at"))
    assert rows == [(Status.QUEUED, 1, None)] + [(Status.QUEUED, 0, None)] * 4


# --- Several workers at once (PostgreSQL) ---------------------------------------------------------


def queue_mail(count: int) -> None:
    teacher = factories.teacher(name="黃測試", account="t-many")
    for number in range(count):
        services.notify(teacher, f"訊息{number:03d}", "內容")


def in_thread(function):
    """Run `function` on its own database connection, as another worker process would."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed back to the test
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_together_send_each_mail_exactly_once(settings):
    queue_mail(60)
    start = threading.Barrier(2)

    def worker():
        start.wait()
        total = 0
        while True:
            sent, failed = outbox.send_due_mail(limit=7)
            assert failed == 0
            if not sent:
                return total
            total += sent

    with running_smtp_server() as server:
        use_smtp_server(settings, server.host, server.port)
        threads = [in_thread(worker) for _ in range(2)]
        for thread, _ in threads:
            thread.join(timeout=120)
        outcomes = [outcome for _, outcome in threads]
        assert all("error" not in outcome for outcome in outcomes), outcomes
        subjects = [message.subject for message in server.messages]

    assert sorted(subjects) == sorted(f"【教師專業發展支持作業平臺】訊息{number:03d}" for number in range(60))
    assert sum(outcome["value"] for outcome in outcomes) == 60
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_second_claimer_skips_rows_being_claimed_without_waiting():
    queue_mail(6)
    first_three = list(OutgoingMail.objects.order_by("pk").values_list("pk", flat=True)[:3])
    locked, release = threading.Event(), threading.Event()

    def first_claimer_holds_its_rows():
        with transaction.atomic():
            list(OutgoingMail.objects.select_for_update().filter(pk__in=first_three))
            locked.set()
            release.wait(timeout=30)

    thread, outcome = in_thread(first_claimer_holds_its_rows)
    assert locked.wait(timeout=10)
    try:
        began = time.monotonic()
        claimed = outbox.claim_due_mail()
        waited = time.monotonic() - began
    finally:
        release.set()
        thread.join(timeout=30)

    assert "error" not in outcome
    assert waited < 5
    assert sorted(mail.pk for mail in claimed) == sorted(
        set(OutgoingMail.objects.values_list("pk", flat=True)) - set(first_three)
    )
    # What this claimer took is not due for anyone else; the rest is.
    assert sorted(mail.pk for mail in outbox.claim_due_mail()) == first_three
    assert outbox.claim_due_mail() == []


class SlowServer(BaseEmailBackend):
    """A mail server that takes twenty seconds per message (the test's clock moves on), and notes
    what the outbox looked like meanwhile."""

    clock = None
    sent: list = []
    seen: list = []

    def send_messages(self, messages):
        self.seen.append(list(OutgoingMail.objects.order_by("pk").values_list("status", "attempts")))
        self.clock.advance(seconds=20)
        self.sent.extend(messages)
        return len(messages)


@pytest.mark.django_db
def test_a_slow_send_holds_only_its_own_mail(settings, teacher, clock):
    settings.NOTIFICATION_MAIL_LEASE_SECONDS = 45
    settings.EMAIL_BACKEND = f"{__name__}.SlowServer"
    SlowServer.clock, SlowServer.sent, SlowServer.seen = clock, [], []
    for number in range(3):
        services.notify(teacher, f"訊息{number}", "內容")

    assert outbox.send_due_mail() == (3, 0)

    # While each one was being sent, the mails after it were still queued and claimed by nobody:
    # a worker dying mid-send leaves only that mail to its lease.
    assert SlowServer.seen == [
        [(Status.SENDING, 1), (Status.QUEUED, 0), (Status.QUEUED, 0)],
        [(Status.SENT, 1), (Status.SENDING, 1), (Status.QUEUED, 0)],
        [(Status.SENT, 1), (Status.SENT, 1), (Status.SENDING, 1)],
    ]


@pytest.mark.django_db
def test_every_try_of_a_mail_carries_the_same_message_id(settings, teacher, mailoutbox, clock):
    settings.DEFAULT_FROM_EMAIL = "教師專業發展支持作業平臺 <noreply@proteacher.example.edu.tw>"
    services.notify(teacher, "第一則", "內容")
    services.notify(teacher, "第二則", "內容")
    outbox.send_due_mail()
    # Sent again (a worker killed before it could record the first delivery).
    OutgoingMail.objects.filter(subject__endswith="第一則").update(status=Status.QUEUED, next_attempt_at=clock.now)
    outbox.send_due_mail()

    first, second, again = (message.extra_headers["Message-ID"] for message in mailoutbox)
    assert again == first != second
    assert first.startswith("<outbox-") and first.endswith("@proteacher.example.edu.tw>")


def fail_all() -> list[int]:
    OutgoingMail.objects.update(status=Status.FAILED, attempts=10, last_error="SMTPDataError: refused")
    return list(OutgoingMail.objects.order_by("pk").values_list("pk", flat=True))


@pytest.mark.django_db
def test_resend_puts_only_failed_mail_back_due_now_with_attempts_from_zero(teacher, clock):
    queue_mail(3)
    first, second, third = fail_all()
    OutgoingMail.objects.filter(pk=third).update(status=Status.SENT)

    moved = outbox.resend([first, third])

    assert [mail.pk for mail in moved] == [first]
    rows = dict(OutgoingMail.objects.values_list("pk", "status"))
    assert rows == {first: Status.QUEUED, second: Status.FAILED, third: Status.SENT}
    again = OutgoingMail.objects.get(pk=first)
    assert (again.attempts, again.next_attempt_at, again.claimed_at) == (0, clock.now, None)
    assert outbox.resend([first]) == []  # a double click moves nothing
    assert [mail.pk for mail in outbox.resend()] == [second]
    assert outbox.troubled().count() == 0


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_admins_resending_at_once_put_each_mail_back_once():
    queue_mail(40)
    fail_all()
    start = threading.Barrier(2)

    def admin():
        start.wait()
        return [mail.pk for mail in outbox.resend()]

    threads = [in_thread(admin) for _ in range(2)]
    for thread, _ in threads:
        thread.join(timeout=60)
    outcomes = [outcome for _, outcome in threads]

    assert all("error" not in outcome for outcome in outcomes), outcomes
    moved = [pk for outcome in outcomes for pk in outcome["value"]]
    assert sorted(moved) == sorted(OutgoingMail.objects.values_list("pk", flat=True))
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {(Status.QUEUED, 0)}
    # One audit entry per admin that moved anything, naming exactly the mail it moved.
    logged = [pk for entry in AuditEntry.objects.filter(action="mail.resend") for pk in entry.data["mails"]]
    assert sorted(logged) == sorted(moved)
