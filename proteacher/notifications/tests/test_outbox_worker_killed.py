"""A mail worker killed with SIGKILL the moment the mail server took a mail, before the worker could
record it: the next worker sends the others at once and that one again after the lease, with the
same Message-ID, so the recipient's mail system can tell the second copy for what it is.

Real processes (`manage.py run_worker`) against the test database and a real SMTP server
(aiosmtpd); a killed connection's transaction is rolled back by PostgreSQL.
"""

import signal
import time

import pytest
from django.db import connection

from proteacher.notifications import services
from proteacher.notifications.models import OutgoingMail
from proteacher.testing import factories
from proteacher.testing.processes import start_worker, wait_for
from proteacher.testing.smtp import running_smtp_server

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a killed worker's rollback needs PostgreSQL"),
]

MAILS = 6
LEASE_SECONDS = 5


def mail_server(server) -> dict[str, str]:
    return {
        "EMAIL_HOST": server.host,
        "EMAIL_PORT": str(server.port),
        "EMAIL_TIMEOUT": "2",
        "NOTIFICATION_MAIL_LEASE_SECONDS": str(LEASE_SECONDS),
    }


def test_a_worker_killed_after_the_server_took_a_mail_leaves_the_rest_to_the_next_at_once(tmp_path):
    teacher = factories.teacher(name="黃測試", account="t-killed")
    for number in range(MAILS):
        services.notify(teacher, f"訊息{number}", "內容")
    workers = []
    with running_smtp_server() as server:
        try:
            first = start_worker(tmp_path, "first", **mail_server(server))
            workers.append(first)

            def kill_the_sender(received) -> None:
                # The server has the mail; its sender dies before it hears so or records it.
                server.handler.on_accept = None
                first.send_signal(signal.SIGKILL)

            server.handler.on_accept = kill_the_sender
            first.wait(timeout=60)
            assert len(server.messages) == 1
            taken = server.messages[0]
            assert OutgoingMail.objects.filter(status="sending").count() == 1
            assert OutgoingMail.objects.filter(status="queued", attempts=0).count() == MAILS - 1

            killed_at = time.monotonic()
            second = start_worker(tmp_path, "second", **mail_server(server))
            workers.append(second)
            wait_for(lambda: len(server.messages) >= MAILS, 60, "the other mails")
            others_after = time.monotonic() - killed_at
            wait_for(lambda: OutgoingMail.objects.filter(status="sent").count() == MAILS, 60, "every mail sent")
            all_after = time.monotonic() - killed_at
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.terminate()
                    worker.wait(timeout=30)

    # The others went at once (well within the lease); the one in flight after its lease.
    assert others_after < LEASE_SECONDS
    assert all_after < 60
    received = server.messages
    subjects = sorted(message.subject for message in received)
    assert len(received) == MAILS + 1
    assert len(set(subjects)) == MAILS
    again = [message for message in received[1:] if message.subject == taken.subject]
    assert len(again) == 1
    assert again[0].message["Message-ID"] == taken.message["Message-ID"]
    ids = {message.message["Message-ID"] for message in received}
    assert len(ids) == MAILS
    assert OutgoingMail.objects.get(subject=taken.subject).attempts == 2
