"""In Chromium, on a phone: 管理者 finds a mail the SMTP server refused under 郵件寄送狀態, with the
server's error, clicks 重新寄送, and the worker delivers it once."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.notifications import outbox, services
from proteacher.notifications.models import OutgoingMail
from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_with_session
from proteacher.testing.smtp import smtp_server  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_resends_a_refused_mail_from_a_phone(page, settings, smtp_server):  # noqa: F811
    settings.NOTIFICATION_MAIL_MAX_ATTEMPTS = 1
    teacher = factories.teacher(name="黃測試", account="t-huang", county_name="臺北市")
    admin = factories.staff("admin", "admin", name="工作小組")
    smtp_server.refuse("554 5.7.1 Message refused")
    services.notify(teacher, "進階專業回饋人才認證通過", "感謝您申請。")
    assert outbox.send_due_mail() == (0, 1)
    assert OutgoingMail.objects.get().status == OutgoingMail.Status.FAILED

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in_with_session(page, admin)
    page.goto(page.base_url + reverse("portal:workspace"))
    page.get_by_role("link", name="郵件寄送狀態").click()
    row = page.locator("table.outgoing-mail tbody tr").first
    expect(row).to_contain_text("t-huang@school.example.tw")
    expect(row).to_contain_text("寄送失敗")
    expect(row).to_contain_text("Message refused")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "outgoing-mail-failed")

    smtp_server.accept()
    row.get_by_role("button", name="重新寄送").click()
    expect(page.locator(".messages")).to_contain_text("已將寄給 t-huang@school.example.tw 的郵件重新排入寄送。")
    expect(page.locator("table.outgoing-mail tbody")).to_contain_text("目前沒有寄送失敗或延誤的郵件。")
    call_command("run_worker", "--once")
    call_command("run_worker", "--once")

    assert [message.rcpt_tos for message in smtp_server.messages] == [["t-huang@school.example.tw"]]
    page.reload()
    expect(page.locator("table.recent-mail tbody tr").first).to_contain_text("已寄送")
