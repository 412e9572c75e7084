"""The idle time of a session starts again with each request, and the session is written back for it
at most once a minute (accounts.idle): not on every page, never for a visitor without a session."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

pytestmark = pytest.mark.django_db


def expiry(client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_starts_the_idle_time_again_at_most_once_a_minute(client, teacher, settings, time_machine):
    settings.SESSION_COOKIE_AGE = 7200
    time_machine.move_to("2026-12-05 09:00:00+08:00", tick=False)
    client.force_login(teacher)
    client.get(reverse("certification:index"))
    first = expiry(client)
    assert first == datetime.datetime(2026, 12, 5, 3, 0, tzinfo=datetime.UTC)

    time_machine.move_to("2026-12-05 09:00:59+08:00", tick=False)
    client.get(reverse("certification:index"))
    assert expiry(client) == first

    time_machine.move_to("2026-12-05 09:01:00+08:00", tick=False)
    client.get(reverse("certification:index"))
    assert expiry(client) == first + datetime.timedelta(minutes=1)


def test_the_idle_time_counts_from_the_last_start_written(client, teacher, settings, time_machine):
    settings.SESSION_COOKIE_AGE = 7200
    time_machine.move_to("2026-12-05 09:00:00+08:00", tick=False)
    client.force_login(teacher)
    client.get(reverse("certification:index"))
    time_machine.move_to("2026-12-05 09:00:30+08:00", tick=False)
    client.get(reverse("certification:index"))

    time_machine.move_to("2026-12-05 11:00:01+08:00", tick=False)
    response = client.get(reverse("certification:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_visitor_without_a_session_is_not_given_one(client):
    client.get(reverse("portal:home"))
    client.get(reverse("portal:downloads"))

    assert Session.objects.count() == 0
