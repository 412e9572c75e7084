"""The idle-session warning: what every signed-in page carries for it, and 繼續使用's keep-alive."""

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

KEEP_ALIVE = reverse("accounts:keep_alive")


def test_a_signed_in_page_carries_the_timeout_and_the_dialog(client, teacher, settings):
    settings.SESSION_COOKIE_AGE = 7200
    settings.SESSION_WARNING_SECONDS = 300
    client.force_login(teacher)

    page = client.get(reverse("certification:index")).content.decode()

    assert 'data-session-seconds="7200"' in page and 'data-session-warning-seconds="300"' in page
    assert f'data-keepalive-url="{KEEP_ALIVE}"' in page
    assert '<dialog id="session-dialog"' in page
    assert "您已閒置一段時間，將於 <span data-session-minutes>5</span> 分鐘後自動登出。" in page
    assert ">繼續使用</button>" in page
    assert "js/session.js" in page


def test_a_page_for_nobody_signed_in_has_no_warning(client):
    page = client.get(reverse("portal:home")).content.decode()

    assert "data-session-seconds" not in page and "session-dialog" not in page and "js/session.js" not in page


def test_keep_alive_starts_the_idle_time_again(client, teacher, settings):
    settings.SESSION_COOKIE_AGE = 600
    client.force_login(teacher)
    session = Session.objects.get(session_key=client.session.session_key)
    session.expire_date = timezone.now() + datetime.timedelta(seconds=30)
    session.save()

    response = client.post(KEEP_ALIVE)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "seconds": 600}
    session.refresh_from_db()
    assert session.expire_date > timezone.now() + datetime.timedelta(seconds=590)
    assert response["Cache-Control"].startswith("max-age=0")


def test_keep_alive_after_the_session_ended_says_so(client):
    response = client.post(KEEP_ALIVE)

    assert response.status_code == 401
    assert response.json() == {"status": "signed_out", "message": "您已閒置過久，系統已自動登出，請重新登入。"}


def test_keep_alive_needs_the_csrf_token(teacher):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)

    assert strict.post(KEEP_ALIVE).status_code == 403
