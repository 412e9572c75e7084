"""/healthz (portal.health) and the worker's heartbeat (portal.heartbeat): /healthz turns unhealthy
when PostgreSQL is stopped and when the worker's heartbeat is older than its limit, answers 503
and not a 500 with the database gone, and reads no session and writes nothing."""

import datetime
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher import worker
from proteacher.portal import heartbeat, probes
from proteacher.portal.models import WorkerHeartbeat
from proteacher.testing.smtp import free_port
from proteacher.testing.tcp_proxy import tcp_proxy

URL = "/healthz"
T0 = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)


def test_the_route_is_the_one_the_probes_answer():
    assert reverse("portal:healthz") == URL == probes.HEALTH_PATH


@pytest.mark.django_db
def test_healthy_with_a_worker_that_just_beat(client):
    heartbeat.beat("worker-host:1", started_at=T0, passes=3)

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "storage": True,
        "worker": True,
    }
    assert body["checks"]["worker"]["limit_seconds"] == settings.HEALTH_WORKER_MAX_AGE_SECONDS
    assert "failing" not in body


def test_the_limit_is_three_passes_and_a_minute_by_default():
    assert settings.HEALTH_WORKER_MAX_AGE_SECONDS == 3 * settings.WORKER_INTERVAL_SECONDS + 60


@pytest.mark.django_db
def test_unhealthy_once_the_newest_heartbeat_is_older_than_its_limit(client, settings, time_machine):
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 90
    time_machine.move_to(T0, tick=False)
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)
    time_machine.move_to(T0 - datetime.timedelta(minutes=10), tick=False)
    heartbeat.beat("worker-host:2", started_at=T0, passes=1)  # an older worker does not count

    time_machine.move_to(T0 + datetime.timedelta(seconds=90), tick=False)
    at_the_limit = client.get(URL)
    time_machine.move_to(T0 + datetime.timedelta(seconds=91), tick=False)
    past_it = client.get(URL)

    assert at_the_limit.status_code == 200
    assert at_the_limit.json()["checks"]["worker"]["age_seconds"] == 90
    assert past_it.status_code == 503
    body = past_it.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["worker"]
    assert body["checks"]["worker"]["error"] == "背景程式（run_worker）已 91 秒未回報運作，上限 90 秒"
    assert body["checks"]["database"]["ok"] and body["checks"]["storage"]["ok"]
    assert past_it["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_unhealthy_when_no_worker_ever_beat(client):
    response = client.get(URL)

    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]
    assert response.json()["checks"]["worker"]["error"] == "背景程式（run_worker）從未回報運作"


@pytest.mark.django_db
def test_unhealthy_when_the_storage_does_not_answer(client, monkeypatch):
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)
    default_storage.exists("x")  # the storage is set up

    def unreachable(storage, name):
        raise ConnectionError("could not reach the object store at 10.0.0.7")

    monkeypatch.setattr(type(default_storage._wrapped), "exists", unreachable)
    response = client.get(URL)

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["storage"]
    # The kind of error for the public page; its text (an address inside) only in the log.
    assert body["checks"]["storage"]["error"] == "檔案儲存無法存取（ConnectionError）"
    assert "10.0.0.7" not in response.content.decode()


@pytest.mark.django_db
def test_the_storage_check_lists_an_existing_local_folder(client, settings, tmp_path):
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "answers").mkdir()

    assert client.get(URL).json()["checks"]["storage"]["ok"]
    assert list((tmp_path / "media").iterdir()) == [tmp_path / "media" / "answers"]  # nothing written


@pytest.mark.django_db
def test_it_reads_no_session_and_writes_nothing(client, teacher):
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)
    client.force_login(teacher)
    session = Session.objects.get()

    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert response.status_code == 200
    assert not response.cookies
    assert "Set-Cookie" not in response
    statements = [query["sql"].upper() for query in queries.captured_queries]
    assert not [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [sql for sql in statements if "DJANGO_SESSION" in sql]
    assert Session.objects.get().expire_date == session.expire_date


@pytest.mark.django_db
def test_an_anonymous_probe_gets_no_session(client):
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)

    response = client.get(URL)

    assert not response.cookies
    assert not Session.objects.exists()


@pytest.mark.django_db
def test_full_0_only_says_the_process_answers(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(URL, {"full": "0"})

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {}}


@pytest.mark.django_db
def test_only_get_and_head(client):
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)

    assert client.head(URL).status_code == 200
    refused = client.post(URL)
    assert refused.status_code == 405
    assert refused["Allow"] == "GET, HEAD"


# The worker's heartbeat ------------------------------------------------------------------------


@pytest.fixture
def jobs(monkeypatch):
    declared: list[worker.Job] = []
    monkeypatch.setattr(worker, "JOBS", declared)
    return declared


@pytest.mark.django_db
def test_each_pass_of_the_worker_beats(jobs, time_machine):
    time_machine.move_to(T0, tick=False)

    call_command("run_worker", "--once")

    row = WorkerHeartbeat.objects.get()
    assert row.worker_id == f"{socket.gethostname()}:{os.getpid()}"
    assert (row.started_at, row.beat_at, row.passes, row.last_error) == (T0, T0, 1, "")


@pytest.mark.django_db
def test_a_worker_keeps_one_row_and_counts_its_passes(jobs, time_machine):
    from proteacher.portal.management.commands.run_worker import Command

    time_machine.move_to(T0, tick=False)
    command = Command()
    command.run_pass()
    time_machine.move_to(T0 + datetime.timedelta(seconds=10), tick=False)
    command.run_pass()

    row = WorkerHeartbeat.objects.get()
    assert (row.started_at, row.beat_at, row.passes) == (T0, T0 + datetime.timedelta(seconds=10), 2)


@pytest.mark.django_db
def test_the_heartbeat_keeps_the_latest_failure(jobs, time_machine):
    time_machine.move_to(T0, tick=False)

    def broken():
        raise RuntimeError("boom")

    jobs.append(worker.Job("broken", broken, every_seconds=60))
    call_command("run_worker", "--once")

    row = WorkerHeartbeat.objects.get()
    assert row.last_error == "Job broken failed: RuntimeError: boom"
    assert row.last_error_at == T0


@pytest.mark.django_db
def test_a_failed_beat_does_not_stop_the_worker(jobs, monkeypatch, caplog):
    runs = []
    jobs.append(worker.Job("count", lambda: runs.append(1), every_seconds=60))

    def down(*args, **kwargs):
        raise ConnectionError("database gone")

    monkeypatch.setattr(heartbeat, "beat", down)
    call_command("run_worker", "--once")

    assert runs == [1]
    assert "Recording the heartbeat failed" in caplog.text


@pytest.mark.django_db
def test_a_starting_worker_forgets_workers_silent_for_a_day(jobs, time_machine):
    time_machine.move_to(T0, tick=False)
    heartbeat.beat("gone:1", started_at=T0, passes=5)
    time_machine.move_to(T0 + datetime.timedelta(hours=23), tick=False)
    heartbeat.beat("quiet:2", started_at=T0, passes=5)
    time_machine.move_to(T0 + datetime.timedelta(days=1, seconds=1), tick=False)

    call_command("run_worker", "--once")

    assert sorted(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == sorted(
        ["quiet:2", heartbeat.this_worker()]
    )


# PostgreSQL stopped: a real web server in a child process --------------------------------------


@contextmanager
def web_server(tmp_path, database_url):
    """gunicorn serving the platform from a child process, on a free port, with DEBUG off, HTTPS
    enforced and `database_url`; stopped (by its own process id) on exit."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "proteacher.settings",
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "1",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    log = (tmp_path / "server.log").open("w")
    command = [sys.executable, "-m", "gunicorn", "proteacher.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"]
    server = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def probe(url):
    """GET as a load balancer does: by the server's own address (not an allowed host name), plain
    HTTP; with a session cookie, as if a browser's had come along. (status, JSON, seconds)"""
    request = urllib.request.Request(url, headers={"Host": "10.1.2.3:8000", "Cookie": "sessionid=abcdefgh12345678"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (a URL of the test's own)
            status, body = response.status, response.read()
    except urllib.error.HTTPError as refused:
        status, body = refused.code, refused.read()
    return status, json.loads(body), time.monotonic() - started


def test_a_server_whose_postgresql_does_not_answer_says_so_with_503_quickly(tmp_path):
    nothing_listens = free_port()

    with web_server(tmp_path, f"postgres://proteacher@127.0.0.1:{nothing_listens}/proteacher") as base:
        status, body, seconds = probe(base + URL)
        quick_status, quick_body, _ = probe(base + URL + "?full=0")

    assert status == 503
    assert body["status"] == "fail"
    assert body["failing"] == ["database", "worker"]
    assert body["checks"]["database"]["error"] == "資料庫無法連線（OperationalError）"
    assert body["checks"]["storage"]["ok"]
    assert seconds < 5
    assert str(nothing_listens) not in json.dumps(body)
    # The process itself still answers.
    assert (quick_status, quick_body) == (200, {"status": "ok", "checks": {}})


@pytest.mark.django_db(transaction=True)
def test_healthz_turns_unhealthy_when_postgresql_stops(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (DATABASE_URL=postgres://…)")
    database = connection.settings_dict
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)  # committed: the server reads it

    with tcp_proxy(database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)) as postgresql:
        address = f"{quote(database['USER'] or '')}:{quote(database['PASSWORD'] or '')}@127.0.0.1:{postgresql.port}"
        with web_server(tmp_path, f"postgres://{address}/{database['NAME']}") as base:
            up = probe(base + URL)
            postgresql.stop()
            # The server's kept connection is cut, then no new one can be made.
            cut = probe(base + URL)
            refused = probe(base + URL)
            # PostgreSQL back at the same address: healthy again, without a restart.
            with tcp_proxy(postgresql.target[0], postgresql.target[1], port=postgresql.port):
                back = probe(base + URL)

    assert up[0] == 200 and up[1]["status"] == "ok"
    for status, body, seconds in (cut, refused):
        assert status == 503
        assert body["failing"] == ["database", "worker"]
        assert body["checks"]["database"]["error"].startswith("資料庫無法連線")
        assert seconds < 5
    assert back[0] == 200 and back[1]["status"] == "ok"
