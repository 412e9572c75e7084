"""/metrics for Prometheus (portal.metrics): off by default (404), on only for the addresses of
METRICS_ALLOWED_IPS, and what it reports: requests by method and status class, cases per state,
the mail waiting and failed, the worker's heartbeat, 資料匯入 and 發證 batches pending."""

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.db import OperationalError
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from proteacher.notifications.models import OutgoingMail
from proteacher.portal import heartbeat, metrics, probes
from proteacher.review.models import ImportRun, IssuingBatch
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

URL = "/metrics"
T0 = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def enabled(settings):
    settings.METRICS_ENABLED = True
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1"]
    settings.TRUSTED_PROXIES = []
    return settings


def samples(text: str) -> dict[tuple, float]:
    """{(sample name, (label, value), …): value} of a scrape."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, *sorted(sample.labels.items()))] = sample.value
    return found


def scrape(client, **extra) -> dict[tuple, float]:
    response = client.get(URL, **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def test_the_route_is_the_one_the_probes_answer():
    assert reverse("portal:metrics") == URL == probes.METRICS_PATH


def test_off_by_default_and_then_there_is_no_such_page(client):
    assert django_settings.METRICS_ENABLED is False

    response = client.get(URL)

    assert response.status_code == 404
    assert "找不到此頁面" in response.content.decode()


def test_on_it_reports_the_platforms_queues(client, enabled, teacher, admin_user, time_machine):
    time_machine.move_to(T0, tick=False)
    factories.case(teacher)
    heartbeat.beat("worker-host:1", started_at=T0 - datetime.timedelta(hours=1), passes=40)
    heartbeat.beat("worker-host:2", started_at=T0 - datetime.timedelta(hours=1), passes=40)
    OutgoingMail.objects.filter(pk__in=[]).delete()
    OutgoingMail.objects.create(
        to="a@example.edu.tw", subject="s", body="b", created_at=T0 - datetime.timedelta(minutes=5)
    )
    OutgoingMail.objects.create(to="b@example.edu.tw", subject="s", body="b", status=OutgoingMail.Status.FAILED)
    OutgoingMail.objects.create(to="c@example.edu.tw", subject="s", body="b", status=OutgoingMail.Status.SENT)
    ImportRun.objects.create(kind="schools", file_name="schools.csv", sha256="0" * 64, by="管理者")
    IssuingBatch.objects.create(action=IssuingBatch.Action.ISSUE, created_by=admin_user, token="t1")
    IssuingBatch.objects.create(
        action=IssuingBatch.Action.ISSUE, created_by=admin_user, token="t2", status=IssuingBatch.Status.DONE
    )
    time_machine.move_to(T0 + datetime.timedelta(seconds=30), tick=False)

    found = scrape(client)

    assert found[("proteacher_database_up",)] == 1
    assert found[("proteacher_cases", ("state", "preparing"))] == 1
    assert found[("proteacher_cases", ("state", "issued"))] == 0
    assert found[("proteacher_mail", ("status", "queued"))] == 1
    assert found[("proteacher_mail", ("status", "sending"))] == 0
    assert found[("proteacher_mail", ("status", "failed"))] == 1
    assert found[("proteacher_mail_oldest_queued_age_seconds",)] == 330
    assert found[("proteacher_worker_heartbeat_age_seconds",)] == 30
    assert found[("proteacher_workers_alive",)] == 2
    assert found[("proteacher_imports_pending", ("status", "checking"))] == 1
    assert found[("proteacher_imports_pending", ("status", "ready"))] == 0
    assert found[("proteacher_issuing_batches_pending", ("status", "queued"))] == 1
    assert found[("proteacher_issuing_batches_pending", ("status", "running"))] == 0


def test_a_worker_past_its_limit_is_not_counted_alive(client, enabled, time_machine):
    enabled.HEALTH_WORKER_MAX_AGE_SECONDS = 90
    time_machine.move_to(T0, tick=False)
    heartbeat.beat("worker-host:1", started_at=T0, passes=1)
    time_machine.move_to(T0 + datetime.timedelta(seconds=91), tick=False)

    found = scrape(client)

    assert found[("proteacher_worker_heartbeat_age_seconds",)] == 91
    assert found[("proteacher_workers_alive",)] == 0


def test_no_worker_ever_no_age(client, enabled):
    found = scrape(client)

    assert ("proteacher_worker_heartbeat_age_seconds",) not in found
    assert found[("proteacher_workers_alive",)] == 0
    assert found[("proteacher_mail_oldest_queued_age_seconds",)] == 0


def test_requests_are_counted_by_method_and_status_class(client, enabled):
    before = scrape(client)
    client.get(reverse("portal:home"))
    client.get(reverse("portal:home"))
    client.get("/no-such-page/")
    client.generic("BREW", reverse("portal:home"))

    after = scrape(client)

    def grew(method, status):
        key = ("proteacher_http_requests_total", ("method", method), ("status", status))
        return after.get(key, 0) - before.get(key, 0)

    # The first scrape itself is a GET 2xx too.
    assert grew("GET", "2xx") == 3
    assert grew("GET", "4xx") == 1
    assert grew("other", "4xx") + grew("other", "2xx") + grew("other", "3xx") == 1


def test_a_database_that_fails_gives_database_up_0_and_no_error(client, enabled, monkeypatch):
    def down(self):
        raise OperationalError("connection to server at 10.0.0.7 failed")

    monkeypatch.setattr(metrics.PlatformCollector, "_families", down)

    response = client.get(URL)

    assert response.status_code == 200
    found = samples(response.content.decode())
    assert found[("proteacher_database_up",)] == 0
    assert not [key for key in found if key[0] == "proteacher_cases"]
    assert "10.0.0.7" not in response.content.decode()


@pytest.mark.parametrize(
    ("remote", "forwarded_for", "allowed_ips", "proxies", "status"),
    [
        ("127.0.0.1", None, ["127.0.0.1", "::1"], [], 200),
        ("203.0.113.5", None, ["127.0.0.1", "::1"], [], 403),
        ("10.1.2.3", None, ["10.0.0.0/8"], [], 200),
        # Through a proxy the platform does not trust (one on the same machine): refused, even
        # though the proxy's address is loopback.
        ("127.0.0.1", "203.0.113.5", ["127.0.0.1", "::1"], [], 403),
        # Through a trusted proxy: the client's own address counts.
        ("192.0.2.10", "10.1.2.3", ["10.0.0.0/8"], ["192.0.2.10"], 200),
        ("192.0.2.10", "203.0.113.5", ["10.0.0.0/8"], ["192.0.2.10"], 403),
    ],
)
def test_only_the_allowed_addresses(client, enabled, remote, forwarded_for, allowed_ips, proxies, status):
    enabled.METRICS_ALLOWED_IPS = allowed_ips
    enabled.TRUSTED_PROXIES = proxies
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for

    response = client.get(URL, **extra)

    assert response.status_code == status
    if status == 403:
        assert response.content.decode() == metrics.REFUSED


def test_signed_in_or_not_the_same(client, enabled, admin_user):
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    assert not response.cookies


def test_only_get_and_head(client, enabled):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_a_wrong_allowed_address_stops_the_process_at_start_up(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "proteacher.settings", "VAR_DIR": str(tmp_path)}
    env["METRICS_ALLOWED_IPS"] = "127.0.0.1,not-an-address"

    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert done.returncode != 0
    assert "METRICS_ALLOWED_IPS: 'not-an-address' is not an address or a network" in done.stderr


MULTIPROCESS_COUNT = (
    "import django; django.setup(); from proteacher.portal import metrics; metrics.count_request('GET', 200)"
)
MULTIPROCESS_SCRAPE = (
    "import django; django.setup(); from prometheus_client import generate_latest; "
    "from proteacher.portal import metrics; print(generate_latest(metrics.registry()).decode())"
)


def test_with_a_multiprocess_folder_the_processes_counts_add_up(tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "proteacher.settings",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "LOG_LEVEL": "CRITICAL",
    }

    def run(code):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run(MULTIPROCESS_COUNT)
    run(MULTIPROCESS_COUNT)
    found = samples(run(MULTIPROCESS_SCRAPE))

    assert found[("proteacher_http_requests_total", ("method", "GET"), ("status", "2xx"))] == 2
    # An empty database (no tables): reported, not raised.
    assert found[("proteacher_database_up",)] == 0
