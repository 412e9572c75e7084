"""An issued case's certificate from the office's case page: its PDF for 縣市 (own county) and
管理者; 撤銷證書 and 恢復證書 for 管理者 alone, each a workflow event with its actor, told to the
teacher, and read at once by the public verification page."""

import pytest
from django.urls import reverse

from proteacher.audit.models import AuditEntry
from proteacher.certification import certificate_services, workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.errors import DomainError
from proteacher.notifications.models import Notification, OutgoingMail
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(teacher, admin_user) -> Case:
    return advance(factories.case(teacher, "advanced"), workflow.State.ISSUED, admin_user)


def status_post(client, case, action, **fields):
    case.refresh_from_db()
    data = {"revision": case.revision, "state": case.state, "action": action} | fields
    return client.post(reverse("review:certificate_status", args=[case.pk]), data)


def verify_page(client, case):
    client.logout()
    return client.get(reverse("verify:code", args=[case.certificate.verify_code])).content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("taipei_officer", 200), ("admin_user", 200), ("taichung_officer", 404), ("reviewer", 403), ("teacher", 403)],
)
def test_the_office_downloads_the_cases_certificate(client, request, issued, persona, expected):
    client.force_login(request.getfixturevalue(persona))

    response = client.get(reverse("review:certificate_pdf", args=[issued.pk]))

    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert response.content.startswith(b"%PDF-")


def test_the_case_page_offers_the_pdf_to_the_county_and_revocation_to_the_admin_alone(
    client, issued, taipei_officer, admin_user
):
    pdf = reverse("review:certificate_pdf", args=[issued.pk])
    status = reverse("review:certificate_status", args=[issued.pk])

    client.force_login(taipei_officer)
    county_page = client.get(reverse("review:case", args=[issued.pk])).content.decode()
    client.force_login(admin_user)
    admin_page = client.get(reverse("review:case", args=[issued.pk])).content.decode()

    assert pdf in county_page and status not in county_page
    assert pdf in admin_page and status in admin_page and "撤銷證書" in admin_page


def test_revoking_records_who_why_tells_the_teacher_and_the_page_says_revoked(client, issued, admin_user):
    client.force_login(admin_user)

    response = status_post(client, issued, "revoke", category="false_data", reason="研習時數資料不實。")

    assert response.status_code == 302
    issued.refresh_from_db()
    certificate = issued.certificate
    assert issued.state == workflow.State.REVOKED
    assert certificate.revoked_at is not None and certificate.revoked_by == admin_user
    assert certificate.revocation_category == "false_data"
    event = CaseEvent.objects.filter(case=issued).latest("id")
    assert (event.action, event.actor, event.reason) == ("revoke", admin_user, "資料不實：研習時數資料不實。")
    assert event.extra["certificate_number"] == certificate.number
    assert AuditEntry.objects.filter(action="case.transition", case_id=issued.pk, actor_id=admin_user.pk).exists()
    message = Notification.objects.get(recipient=issued.teacher, event=event)
    assert message.title == "進階專業回饋人才認證證書已撤銷"
    assert "原因：資料不實：研習時數資料不實。" in message.body
    assert OutgoingMail.objects.filter(to=issued.teacher.email, subject__contains="證書已撤銷").exists()
    html = verify_page(client, issued)
    assert "已撤銷" in html and "資料不實" in html and "研習時數" not in html


def test_restoring_makes_it_valid_again(client, issued, admin_user):
    client.force_login(admin_user)
    status_post(client, issued, "revoke", category="administrative", reason="誤撤。")
    client.force_login(admin_user)

    status_post(client, issued, "restore", reason="經查核發無誤。")

    issued.refresh_from_db()
    assert issued.state == workflow.State.ISSUED
    assert issued.certificate.revoked_at is None and issued.certificate.revocation_category == ""
    assert Notification.objects.filter(recipient=issued.teacher, title__contains="證書已恢復").exists()
    html = verify_page(client, issued)
    assert "有效" in html and "已撤銷" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category": "", "reason": "原因。"}, "請選擇撤銷原因類別。"),
        ({"category": "false_data", "reason": "  "}, "撤銷證書請填寫原因訊息。"),
        ({"category": "no-such", "reason": "原因。"}, "請選擇撤銷原因類別。"),
    ],
)
def test_revoking_needs_a_category_and_a_reason(client, issued, admin_user, fields, message):
    client.force_login(admin_user)

    response = status_post(client, issued, "revoke", **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    issued.refresh_from_db()
    assert issued.state == workflow.State.ISSUED and issued.certificate.revoked_at is None


@pytest.mark.parametrize("persona", ["taipei_officer", "reviewer", "teacher"])
def test_nobody_but_the_admin_revokes(client, request, issued, persona):
    client.force_login(request.getfixturevalue(persona))

    response = status_post(client, issued, "revoke", category="other", reason="原因。")

    assert response.status_code == 403
    issued.refresh_from_db()
    assert issued.state == workflow.State.ISSUED


@pytest.mark.parametrize("persona", ["taipei_officer", "teacher"])
def test_the_service_refuses_anyone_but_the_admin(request, issued, persona):
    with pytest.raises(DomainError, match="您沒有執行此操作的權限。"):
        certificate_services.revoke(issued, request.getfixturevalue(persona), "other", "原因。")


def test_a_second_click_hears_it_was_already_done(client, issued, admin_user):
    client.force_login(admin_user)
    issued.refresh_from_db()
    stale = {"revision": issued.revision, "state": issued.state, "action": "revoke"}
    fields = stale | {"category": "other", "reason": "原因。"}
    client.post(reverse("review:certificate_status", args=[issued.pk]), fields)

    response = client.post(reverse("review:certificate_status", args=[issued.pk]), fields, follow=True)

    assert "此申請已經處理過，目前的狀態為「已撤銷」。" in response.content.decode()
    assert CaseEvent.objects.filter(case=issued, action="revoke").count() == 1


def test_a_case_not_issued_has_no_certificate_to_revoke(client, teacher, admin_user):
    case = advance(factories.case(teacher, "advanced"), workflow.State.APPROVED, admin_user)
    client.force_login(admin_user)

    response = status_post(client, case, "revoke", category="other", reason="原因。")

    assert (
        "此申請目前的狀態為「通過可產證」，無法執行「撤銷證書」。" in client.get(response["Location"]).content.decode()
    )
    case.refresh_from_db()
    assert case.state == workflow.State.APPROVED
    assert client.get(reverse("review:certificate_pdf", args=[case.pk])).status_code == 404


def test_the_countys_download_is_in_the_teachers_viewing_record(client, issued, taipei_officer):
    client.force_login(taipei_officer)
    client.get(reverse("review:certificate_pdf", args=[issued.pk]))
    client.force_login(issued.teacher)

    page = client.get(reverse("review:viewed", args=[issued.pk])).content.decode()

    entry = AuditEntry.objects.get(action="file.view", case_id=issued.pk)
    assert (entry.actor_id, entry.target) == (taipei_officer.pk, "證書 PDF")
    assert "證書 PDF" in page


def test_a_revoked_case_reads_as_such_for_the_teacher_and_in_the_queue(client, issued, admin_user):
    certificate_services.revoke(issued, admin_user, "other", "原因。")
    client.force_login(issued.teacher)

    case_page = client.get(reverse("certification:case", args=[issued.pk])).content.decode()
    held = client.get(reverse("certification:held")).content.decode()
    client.force_login(admin_user)
    queue = client.get(reverse("review:queue"), {"state": workflow.State.REVOKED})

    assert "已撤銷" in case_page and "證書已由管理者撤銷" in case_page
    assert "已撤銷" in held
    assert queue.status_code == 200
    assert "已撤銷" in queue.content.decode() and issued.teacher.name in queue.content.decode()
