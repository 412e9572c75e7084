"""Certificates through the API: a county token reads those numbered in its county and its
teachers' old-system ones, never another county's; a national token reads all."""

import pytest

from proteacher.api.tests.conftest import bearer
from proteacher.certification.models import Certificate
from proteacher.certification.workflow import State
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(teacher, admin_user):
    """黃測試's 進階 certificate, issued here by 臺北市's numbering."""
    case = advance(factories.case(teacher, "advanced"), State.ISSUED, admin_user)
    return Certificate.objects.get(case=case)


@pytest.fixture
def taichung_old(taichung_teacher):
    return factories.certificate(taichung_teacher, "basic", 104, "A104000900")


def ids(client, raw, **query) -> list[int]:
    response = client.get("/api/v1/certificates", query, headers=bearer(raw))
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def test_a_county_token_reads_its_county_only(client, issue, taipei, teacher, issued, taichung_old):
    taipei_old = factories.certificate(teacher, "basic", 104, "A104000811")
    _, raw = issue(county=taipei)

    assert ids(client, raw) == sorted([issued.pk, taipei_old.pk])
    assert client.get(f"/api/v1/certificates/{issued.pk}", headers=bearer(raw)).status_code == 200
    other = client.get(f"/api/v1/certificates/{taichung_old.pk}", headers=bearer(raw))
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"


def test_a_national_token_reads_all(client, issue, issued, taichung_old):
    _, raw = issue()

    assert ids(client, raw) == [issued.pk, taichung_old.pk]


def test_an_issued_certificate(client, issue, taipei, issued):
    _, raw = issue(county=taipei)

    body = client.get(f"/api/v1/certificates/{issued.pk}", headers=bearer(raw)).json()

    assert body["number"] == issued.number
    assert body["number"].startswith("臺北證號第B")
    assert body["source"] == {"code": "issued", "label": "本平臺核發"}
    assert body["county"]["name"] == "臺北市"
    assert body["case_id"] == issued.case_id
    assert body["teacher"] == {"name": "黃測試", "inservice_account": "t-huang"}
    assert body["issued_at"].endswith("+08:00")
    assert (body["revoked_at"], body["revocation_category"]) == (None, None)


def test_a_revoked_certificate_says_so(client, issue, issued, admin_user):
    Certificate.objects.filter(pk=issued.pk).update(
        revoked_at=issued.issued_at, revoked_by=admin_user, revocation_category="duplicate"
    )
    _, raw = issue()

    body = client.get(f"/api/v1/certificates/{issued.pk}", headers=bearer(raw)).json()

    assert body["revoked_at"].endswith("+08:00")
    assert body["revocation_category"] == {"code": "duplicate", "label": "重複核發"}


def test_filters_and_pages(client, issue, teacher, issued, taichung_old):
    _, raw = issue()
    more = [factories.certificate(teacher, "basic", 100 + n, f"A10{n}000001").pk for n in range(3)]

    assert ids(client, raw, certification_type="advanced") == [issued.pk]
    assert ids(client, raw, academic_year=104) == [taichung_old.pk]
    first = client.get("/api/v1/certificates", {"limit": 3}, headers=bearer(raw)).json()
    second = client.get("/api/v1/certificates", {"limit": 3, "cursor": first["next_cursor"]}, headers=bearer(raw))
    assert [row["id"] for row in first["items"] + second.json()["items"]] == [issued.pk, taichung_old.pk, *more]
    assert second.json()["next_cursor"] is None


def test_certificates_need_their_scope(client, issue, issued):
    _, raw = issue(scopes=["cases:read"])

    response = client.get("/api/v1/certificates", headers=bearer(raw))

    assert response.status_code == 403
    assert "讀取證書" in response.json()["message"]
