"""Every call of the API is one audit entry (token, method, path, status), refused calls
included; issuing and revoking a token are audited with who did it."""

import pytest

from proteacher.api import tokens
from proteacher.api.tests.conftest import bearer
from proteacher.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def calls():
    return list(AuditEntry.objects.filter(action="api.call").order_by("id"))


def test_each_call_is_one_entry_with_token_method_path_and_status(client, issue, taipei, taipei_case, taichung_case):
    token, raw = issue(county=taipei)

    client.get(f"/api/v1/cases/{taipei_case.pk}", headers=bearer(raw))
    client.get(f"/api/v1/cases/{taichung_case.pk}", {}, headers=bearer(raw))
    client.get("/api/v1/cases", {"state": "preparing"}, headers=bearer(raw))

    entries = calls()
    assert [(entry.data["method"], entry.data["path"], entry.data["status"]) for entry in entries] == [
        ("GET", f"/api/v1/cases/{taipei_case.pk}", 200),
        ("GET", f"/api/v1/cases/{taichung_case.pk}", 404),
        ("GET", "/api/v1/cases", 200),
    ]
    assert {entry.data["token"] for entry in entries} == {token.prefix}
    assert entries[0].case_id == taipei_case.pk
    assert entries[1].case_id is None  # out of scope: nothing read
    assert entries[2].data["query"] == "state=preparing"
    assert "測試系統" in entries[0].target
    assert entries[0].actor_id is None


def test_no_answer_is_kept_by_a_cache(client, issue, taipei_case):
    _, raw = issue()

    for path in ("/api/v1/cases", f"/api/v1/cases/{taipei_case.pk}", "/api/v1/cases/999999"):
        response = client.get(path, headers=bearer(raw))
        assert response["Cache-Control"] == "private, no-store", path


def test_refused_calls_are_recorded_too(client, issue, admin_user):
    token, raw = issue(scopes=["certificates:read"])

    client.get("/api/v1/cases", headers=bearer(raw))
    client.get("/api/v1/cases")
    tokens.revoke(token, actor=admin_user)
    client.get("/api/v1/certificates", headers=bearer(raw))

    assert [(entry.data["token"], entry.data["status"]) for entry in calls()] == [
        (token.prefix, 403),
        ("", 401),
        (token.prefix, 401),
    ]


def test_a_call_costs_one_insert_in_the_audit_log(client, issue, django_assert_num_queries):
    _, raw = issue()

    # The token, its count for the minute, the (empty) page of cases, one INSERT for the call.
    with django_assert_num_queries(4) as captured:
        client.get("/api/v1/cases", headers=bearer(raw))

    inserts = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    assert "audit" in inserts[0]


def test_the_openapi_document_is_no_call(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.1")
    assert calls() == []


def test_issuing_and_revoking_are_audited(issue, admin_user):
    token, _ = issue(name="臺北市研習系統")
    tokens.revoke(token, actor=admin_user)
    tokens.revoke(token, actor=admin_user)  # a second click changes and records nothing

    entries = list(AuditEntry.objects.filter(action__startswith="api_token.").order_by("id"))
    assert [(entry.action, entry.actor_id, entry.data["token"]) for entry in entries] == [
        ("api_token.create", admin_user.pk, token.prefix),
        ("api_token.revoke", admin_user.pk, token.prefix),
    ]
    assert "臺北市研習系統" in entries[0].target
