"""Who gets in: a valid token with the scope; anything else is refused with a JSON error and a
stable code — 401 for no, a malformed, an unknown, an expired or a revoked token (and for a
session cookie alone), 403 for a missing scope, 429 past the per-minute limit."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from proteacher.api import tokens
from proteacher.api.models import ApiToken, Scope
from proteacher.api.tests.conftest import bearer

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"


def refused(response, status: int, code: str):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["code"] == code
    assert body["message"]
    return body


def test_a_valid_token_reads_the_cases(client, issue):
    _, raw = issue()

    response = client.get(CASES, headers=bearer(raw))

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer ptk_0123456789_" + "A" * 43,  # well formed, but no such token
    ],
)
def test_no_malformed_or_unknown_token_gets_in(client, issue, header):
    issue()
    headers = {"Authorization": header} if header is not None else {}

    response = client.get(CASES, headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] in ("token_missing", "token_invalid")


def test_the_right_prefix_with_a_wrong_secret_is_unknown(client, issue):
    token, raw = issue()
    wrong = f"ptk_{token.prefix}_" + ("B" * 43 if not raw.endswith("B" * 43) else "C" * 43)

    refused(client.get(CASES, headers=bearer(wrong)), 401, "token_invalid")


def test_an_expired_token_gets_401(client, issue):
    token, raw = issue(days=1)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, seconds=1)):
        body = refused(client.get(CASES, headers=bearer(raw)), 401, "token_expired")

    assert "過期" in body["message"]


def test_a_revoked_token_gets_401_at_once(client, issue, admin_user):
    token, raw = issue()
    assert client.get(CASES, headers=bearer(raw)).status_code == 200

    tokens.revoke(token, actor=admin_user)

    refused(client.get(CASES, headers=bearer(raw)), 401, "token_revoked")


def test_a_token_without_the_scope_gets_403(client, issue):
    _, raw = issue(scopes=[Scope.CERTIFICATES_READ])

    body = refused(client.get(CASES, headers=bearer(raw)), 403, "scope_missing")

    assert "讀取案件" in body["message"]
    assert client.get("/api/v1/certificates", headers=bearer(raw)).status_code == 200


@pytest.mark.parametrize("persona", ["admin_user", "taipei_officer", "teacher"])
def test_a_signed_in_session_without_a_token_gets_401(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    refused(client.get(CASES), 401, "token_missing")


def test_past_the_limit_429_with_retry_after_then_the_next_minute_recovers(client, issue):
    token, raw = issue(rate_limit_per_minute=3)
    start = timezone.now().replace(second=40, microsecond=0) + datetime.timedelta(minutes=1)

    with time_machine.travel(start, tick=False):
        assert [client.get(CASES, headers=bearer(raw)).status_code for _ in range(3)] == [200, 200, 200]
        response = client.get(CASES, headers=bearer(raw))
        body = refused(response, 429, "rate_limited")
        assert response["Retry-After"] == "20"
        assert "3 次" in body["message"]
        # Refused calls are not counted on: the wait never grows.
        assert client.get(CASES, headers=bearer(raw)).status_code == 429

    with time_machine.travel(start + datetime.timedelta(seconds=20), tick=False):
        assert client.get(CASES, headers=bearer(raw)).status_code == 200

    token.refresh_from_db()
    assert token.window_calls == 1
    assert token.last_used_at == start + datetime.timedelta(seconds=20)


def test_one_tokens_limit_is_its_own(client, issue):
    _, busy = issue(name="甲", rate_limit_per_minute=1)
    _, other = issue(name="乙", rate_limit_per_minute=1)

    with time_machine.travel(timezone.now(), tick=False):
        assert client.get(CASES, headers=bearer(busy)).status_code == 200
        assert client.get(CASES, headers=bearer(busy)).status_code == 429
        assert client.get(CASES, headers=bearer(other)).status_code == 200


def test_the_secret_is_never_stored_in_clear(issue):
    token, raw = issue()
    secret = raw.removeprefix(f"ptk_{token.prefix}_")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()

    assert raw.startswith(f"ptk_{token.prefix}_")
    assert len(secret) == 43  # 32 random bytes
    assert not any(secret in str(value) for value in stored.values())
    assert stored["secret_hash"] == tokens.digest(secret)
    assert stored["secret_hash"] != secret


def test_the_api_takes_no_csrf_token_and_sets_no_cookie(issue):
    from django.test import Client

    _, raw = issue()
    strict = Client(enforce_csrf_checks=True)

    response = strict.get(CASES, headers=bearer(raw))

    assert response.status_code == 200
    assert not response.cookies
