"""郵件寄送狀態: 管理者 sees the email that failed or is stuck, with its error, and 重新寄送 puts it
back in the queue once, however many times it is clicked; the worker then delivers it once."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from proteacher.audit.models import AuditEntry
from proteacher.notifications import outbox, services
from proteacher.notifications.models import OutgoingMail
from proteacher.testing.smtp import smtp_server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

PAGE = reverse("review:outgoing_mail")
RESEND = reverse("review:mail_resend")
Status = OutgoingMail.Status


class Clock:
    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


def troubled_rows(page: str) -> dict[int, str]:
    table = page.split('class="table table-striped align-middle outgoing-mail"', 1)[1].split("</table>", 1)[0]
    return {int(pk): row for pk, row in re.findall(r'<tr data-mail="(\d+)">(.*?)</tr>', table, flags=re.S)}


def failed_mail(user, title="進階專業回饋人才認證通過") -> OutgoingMail:
    notification = services.notify(user, title, "感謝您申請。")
    OutgoingMail.objects.filter(notification=notification).update(
        status=Status.FAILED, attempts=10, last_error="SMTPDataError: (554, b'5.7.1 Message refused')"
    )
    return OutgoingMail.objects.get(notification=notification)


def test_a_refused_mail_fails_shows_with_its_error_and_is_delivered_once_after_resend(
    client,
    admin,
    teacher,
    settings,
    smtp_server,  # noqa: F811 (the fixture imported above)
    clock,
):
    settings.NOTIFICATION_MAIL_MAX_ATTEMPTS = 3
    smtp_server.refuse("554 5.7.1 Message refused")
    services.notify(teacher, "進階專業回饋人才認證通過", "感謝您申請。")

    for _ in range(3):
        assert outbox.send_due_mail() == (0, 1)
        clock.advance(minutes=5)
    mail = OutgoingMail.objects.get()
    assert (mail.status, mail.attempts) == (Status.FAILED, 3)
    assert smtp_server.messages == []

    rows = troubled_rows(client.get(PAGE).content.decode())
    assert list(rows) == [mail.pk]
    assert "t-huang@school.example.tw" in rows[mail.pk] and "寄送失敗" in rows[mail.pk]
    assert "SMTPDataError" in rows[mail.pk] and "Message refused" in rows[mail.pk]
    assert "<td>3</td>" in rows[mail.pk] and ">重新寄送</button>" in rows[mail.pk]

    smtp_server.accept()
    response = client.post(RESEND, {"mail": mail.pk})
    again = client.post(RESEND, {"mail": mail.pk})  # a double click

    assert response.status_code == 302 and response["Location"] == PAGE
    assert "已由其他管理者重新寄送" in client.get(again["Location"]).content.decode()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (Status.QUEUED, 0)
    call_command("run_worker", "--once")
    call_command("run_worker", "--once")
    assert [message.subject for message in smtp_server.messages] == [
        "【教師專業發展支持作業平臺】進階專業回饋人才認證通過"
    ]
    assert smtp_server.messages[0].rcpt_tos == ["t-huang@school.example.tw"]
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (Status.SENT, 1)
    assert troubled_rows(client.get(PAGE).content.decode()) == {}

    entry = AuditEntry.objects.get(action="mail.resend")
    assert (entry.actor_id, entry.subject_id) == (admin.pk, teacher.pk)
    assert entry.target == "t-huang@school.example.tw：【教師專業發展支持作業平臺】進階專業回饋人才認證通過"
    assert entry.data == {"mails": [mail.pk]}


def test_stuck_mail_is_listed_beside_the_failed(client, admin, teacher, settings):
    settings.NOTIFICATION_MAIL_LEASE_SECONDS = 45
    now = timezone.now()
    failed = failed_mail(teacher, "失敗的")
    stuck = failed_mail(teacher, "寄送中斷的")
    late = failed_mail(teacher, "逾期的")
    fresh = failed_mail(teacher, "剛排入的")
    sent = failed_mail(teacher, "已寄出的")
    OutgoingMail.objects.filter(pk=stuck.pk).update(status=Status.SENDING, claimed_at=now - datetime.timedelta(hours=1))
    OutgoingMail.objects.filter(pk=late.pk).update(
        status=Status.QUEUED, next_attempt_at=now - datetime.timedelta(hours=2)
    )
    OutgoingMail.objects.filter(pk=fresh.pk).update(status=Status.QUEUED, next_attempt_at=now)
    OutgoingMail.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=now)

    page = client.get(PAGE).content.decode()

    rows = troubled_rows(page)
    assert list(rows) == [failed.pk, stuck.pk, late.pk]
    assert "寄送中（逾時未回報）" in rows[stuck.pk] and "重新寄送" not in rows[stuck.pk]
    assert "待寄送（逾期未寄出）" in rows[late.pk]
    assert "寄送失敗：<strong>1</strong>" in page and "已寄送：<strong>1</strong>" in page
    # Each message's delivery state, newest first.
    recent = page.split('class="table table-striped align-middle recent-mail"', 1)[1]
    assert recent.index("已寄出的") < recent.index("失敗的") and "已寄送" in recent


def test_resend_all_puts_every_failed_mail_back_once(client, admin, teacher, taichung_teacher):
    first, second = failed_mail(teacher), failed_mail(taichung_teacher)

    response = client.post(RESEND, {"all": "1"}, follow=True)
    again = client.post(RESEND, {"all": "1"}, follow=True)

    assert "已將 2 封寄送失敗的郵件重新排入寄送。" in response.content.decode()
    assert "目前沒有寄送失敗的郵件。" in again.content.decode()
    assert set(OutgoingMail.objects.values_list("status", "attempts")) == {(Status.QUEUED, 0)}
    entry = AuditEntry.objects.get(action="mail.resend")
    assert entry.target == "全部重新寄送（2 封）" and entry.data == {"mails": [first.pk, second.pk]}


def test_resending_a_mail_that_has_not_failed_changes_nothing(client, admin, teacher):
    queued = services.notify(teacher, "待寄送的", "內容")
    mail = OutgoingMail.objects.get(notification=queued)

    response = client.post(RESEND, {"mail": mail.pk}, follow=True)

    assert "沒有重新寄送" in response.content.decode()
    assert OutgoingMail.objects.get(pk=mail.pk).status == Status.QUEUED
    assert not AuditEntry.objects.filter(action="mail.resend").exists()


@pytest.mark.parametrize("posted", [{}, {"mail": "abc"}, {"mail": "１２"}, {"mail": "99999999999999999999"}])
def test_bad_input_is_a_message_not_an_error(client, admin, posted):
    response = client.post(RESEND, posted, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "請選擇要重新寄送的郵件。" in page or "沒有重新寄送" in page


def test_the_recipient_search_lists_only_their_mail(client, admin, teacher, taichung_teacher):
    services.notify(teacher, "給黃老師", "內容")
    services.notify(taichung_teacher, "給林老師", "內容")

    page = client.get(PAGE, {"to": "T-HUANG@school.example.tw"}).content.decode()

    assert "給黃老師" in page and "給林老師" not in page
    assert client.get(PAGE, {"to": "\x00<script>"}).status_code == 200


def test_only_the_admin_finds_it_in_the_workspace(client, admin_user, taipei_officer):
    client.force_login(taipei_officer)
    assert PAGE not in client.get(reverse("portal:workspace")).content.decode()
    client.force_login(admin_user)
    assert PAGE in client.get(reverse("portal:workspace")).content.decode()
