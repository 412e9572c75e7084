"""Two web servers and two workers on one PostgreSQL database and one S3-protocol object store, as
two machines would run the platform: a PDF the teacher uploads through one server is downloaded
byte-identical by the 委員 through the other; every mail queued is received exactly once though
both workers send from the same outbox; a 發證 batch worked by both workers leaves serials 1 … n
of each county, type and year, no gap and no duplicate.

Real OS processes (gunicorn with DEBUG off, `manage.py run_worker`), each with a VAR_DIR of its
own, so nothing but the database, the bucket and the mail server is shared; moto's server and
aiosmtpd listen on loopback ports. Committed data: a transactional test, PostgreSQL only (the
workers' row locks and SKIP LOCKED are what is tested).
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from contextlib import ExitStack

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings
from django.urls import reverse

from proteacher.certification.models import Case, CaseEvent, Certificate, SlotAnswer
from proteacher.certification.tests.test_slot_upload import edit_url
from proteacher.certification.workflow import State
from proteacher.notifications.models import OutgoingMail
from proteacher.notifications.outbox import stable_message_id
from proteacher.review import issuing
from proteacher.review.assignment import assign_reviewers
from proteacher.review.models import IssuingBatch, IssuingBatchItem
from proteacher.review.tests.test_assignment import make_reviewer
from proteacher.review.tests.test_issuing_restart import approved_cases
from proteacher.testing import factories, pdfs
from proteacher.testing.processes import database_url
from proteacher.testing.s3 import running_s3_server, use_s3_server
from proteacher.testing.smtp import LOOPBACK, free_port, running_smtp_server, use_smtp_server
from proteacher.testing.workflow import advance

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="two workers' row locks need PostgreSQL"),
]

CASES = 200
# Generous waits: CI runs this beside another suite on two cores; it takes about 40 s alone.
# Each pass of a worker's 發證 job moves one chunk and hands the batch back, so that the two workers
# take turns at it, whichever pass comes first; each logs what it moved.
BUDGET_SECONDS = 0
HANDLED = re.compile(r"Issuing batch \d+: [1-9]\d* items handled by this worker in this pass")


def sign_in(user) -> dict[str, str]:
    """A session for `user` as a login leaves it (staff with their second factor done), as cookies."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from proteacher.accounts import second_factor
    from proteacher.accounts.models import STAFF_ROLES

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.role in STAFF_ROLES:
        device = second_factor.totp_devices(user).first() or TOTPDevice.objects.create(
            user=user, name=second_factor.TOTP_NAME, confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


def collect_static(root) -> None:
    """The hashed static files and their manifest, as a release's collectstatic leaves them (without
    whitenoise's compressed copies, which take half a minute and change nothing here)."""
    storage = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STATIC_ROOT=root, STORAGES={**settings.STORAGES, "staticfiles": storage}):
        call_command("collectstatic", "--noinput", verbosity=0)


class Machine:
    """One process of one machine: its own VAR_DIR, the shared database, bucket and mail server."""

    def __init__(self, tmp_path, name: str, command: list[str], environment: dict[str, str], static):
        var_dir = tmp_path / name
        shutil.copytree(static, var_dir / "static")
        self.log_path = tmp_path / f"{name}.log"
        log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **environment, "VAR_DIR": str(var_dir)},
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def web_server(tmp_path, name: str, port: int, environment: dict[str, str], static) -> Machine:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "proteacher.wsgi",
        "--workers",
        "1",
        "--worker-class",
        "sync",
        "--bind",
        f"{LOOPBACK}:{port}",
    ]
    return Machine(tmp_path, name, command, environment, static)


def worker(tmp_path, name: str, environment: dict[str, str], static) -> Machine:
    return Machine(tmp_path, name, [sys.executable, "manage.py", "run_worker"], environment, static)


def wait_for(condition, timeout: float, what: str, machines=()) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for machine in machines:
            assert machine.process.poll() is None, f"{what}: a process stopped\n{machine.log()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=10).status_code < 500
    except requests.RequestException:
        return False


def hidden_fields(page: str, form_id: str) -> dict[str, str]:
    form = re.search(rf'<form[^>]*id="{form_id}".*?</form>', page, re.S)
    assert form, f"no form #{form_id} on the page"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(0)))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_two_web_servers_and_two_workers_share_the_database_the_bucket_and_the_outbox(settings, tmp_path):
    teacher = factories.teacher()
    officer = factories.staff("two-officer", "county", "臺北市")
    member = make_reviewer("two-reviewer", "李委員")
    case = factories.case(teacher)
    admin = factories.staff("two-admin", "admin")
    static = tmp_path / "collected"
    collect_static(static)

    with ExitStack() as stack:
        bucket = stack.enter_context(running_s3_server())
        mail = stack.enter_context(running_smtp_server())
        # This process writes what the factories store, and queues mail, to the same places.
        use_s3_server(settings, bucket)
        use_smtp_server(settings, mail.host, mail.port)
        port_a, port_b = free_port(), free_port()
        environment = {
            **bucket.environment(),
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "proteacher.settings",
            "DEBUG": "0",
            "ALLOWED_HOSTS": LOOPBACK,
            "SITE_URL": f"http://{LOOPBACK}:{port_a}",
            "EMAIL_HOST": mail.host,
            "EMAIL_PORT": str(mail.port),
            "WORKER_INTERVAL_SECONDS": "1",
            "ISSUING_BUDGET_SECONDS": str(BUDGET_SECONDS),
        }
        machines: list[Machine] = []
        stack.callback(lambda: [machine.stop() for machine in machines])
        machines += [
            web_server(tmp_path, "web-a", port_a, environment, static),
            web_server(tmp_path, "web-b", port_b, environment, static),
            worker(tmp_path, "worker-1", environment, static),
            worker(tmp_path, "worker-2", environment, static),
        ]
        server_a, server_b = f"http://{LOOPBACK}:{port_a}", f"http://{LOOPBACK}:{port_b}"
        for url in (server_a, server_b):
            wait_for(lambda url=url: answers(url + "/"), 60, f"{url} to answer", machines)

        # The teacher uploads 公開授課實施證明 on the slot's page of server A.
        as_teacher = requests.Session()
        as_teacher.cookies.update(sign_in(teacher))
        page = as_teacher.get(server_a + edit_url(case), timeout=30)
        assert page.status_code == 200, page.text
        sent = pdfs.with_metadata()
        response = as_teacher.post(
            server_a + edit_url(case),
            data={**hidden_fields(page.text, "upload-form"), "action": "save"},
            files={"file": ("公開授課實施證明.pdf", sent, "application/pdf")},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.text
        answer = SlotAnswer.objects.get(case=case, slot_code="implementation", in_use=True)
        assert answer.file.name in bucket.keys()
        stored = bucket.read(answer.file.name)
        assert sha256(stored) == answer.file_sha256

        # Sent, through 形式審查, to the 委員 (mail queued for the teacher and the 委員 on the way).
        advance(case, State.FIRST_ASSIGN, officer)
        assign_reviewers(case, "first", [member], officer, expected_revision=case.revision, short_confirmed=True)
        case.refresh_from_db()
        assert case.state == State.FIRST_REVIEW

        # The 委員 opens the round's file through server B: the bytes the bucket holds.
        as_member = requests.Session()
        as_member.cookies.update(sign_in(member))
        for path in (
            reverse("review:submission_file", args=[case.pk, 1, "implementation"]),
            reverse("review:slot_file", args=[case.pk, "implementation"]),
        ):
            response = as_member.get(server_b + path, timeout=30)
            assert response.status_code == 200, response.text
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.content == stored

        # 發證 of CASES approved cases, worked by whichever worker holds the batch.
        selection = approved_cases(CASES)
        batch = issuing.create_batch("issue", selection, admin, issuing.new_token())

        def batch_done() -> bool:
            return IssuingBatch.objects.get(pk=batch.pk).status == IssuingBatch.Status.DONE

        wait_for(batch_done, 120, "the batch to be done", machines)

        # Every mail queued (the case's steps, and one for each certificate issued) sent.
        def outbox_empty() -> bool:
            return not OutgoingMail.objects.exclude(status=OutgoingMail.Status.SENT).exists()

        wait_for(outbox_empty, 120, "the outbox to be sent", machines)
        queued = list(OutgoingMail.objects.all())
        expected_ids = {stable_message_id(row) for row in queued}
        wait_for(lambda: len(mail.messages) >= len(queued), 10, "the mail server to receive every mail")
        for machine in machines:
            machine.stop()
        logs = {machine.log_path.stem: machine.log() for machine in machines}

    # Each mail received exactly once.
    assert len(queued) > CASES
    received = Counter(str(message.message["Message-ID"]).strip() for message in mail.messages)
    assert set(received) == expected_ids
    assert [mail_id for mail_id, count in received.items() if count != 1] == []

    # The batch: every case issued exactly once, serials 1 … n of each county, type and year.
    batch.refresh_from_db()
    assert (batch.total, batch.done, batch.refused) == (CASES, CASES, 0)
    assert not IssuingBatchItem.objects.filter(batch=batch).exclude(outcome="done").exists()
    issued = Certificate.objects.filter(source="issued")
    assert issued.count() == CASES and issued.values("case").distinct().count() == CASES
    assert CaseEvent.objects.filter(action="issue").count() == CASES
    assert Case.objects.filter(state=State.ISSUED).count() == CASES
    serials = defaultdict(list)
    for certificate in issued.order_by("case__pk"):
        serials[(certificate.county_id, certificate.certification_type_id, certificate.academic_year)].append(
            certificate.serial
        )
    assert len(serials) == 8
    for key, found in serials.items():
        assert found == list(range(1, len(found) + 1)), key

    # Both workers moved part of the batch, each logging its share.
    movers = [name for name, text in logs.items() if name.startswith("worker") and HANDLED.search(text)]
    assert sorted(movers) == ["worker-1", "worker-2"], "one worker did the whole batch"
