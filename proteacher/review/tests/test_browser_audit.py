"""In Chromium: an officer opens a teacher's PDF inside the office's case page; 管理者 finds the
look under 稽核紀錄, and the teacher on 檢視紀錄, by role and county."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.audit.models import AuditEntry
from proteacher.certification.workflow import State
from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_with_session
from proteacher.testing.workflow import advance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_look_at_a_pdf_reaches_the_audit_log_and_the_teacher(page):
    teacher = factories.teacher(name="黃測試", account="t-huang", county_name="臺北市")
    officer = factories.staff("taipei-officer", "county", county_name="臺北市", name="臺北市教專中心")
    admin = factories.staff("admin", "admin", name="工作小組")
    case = advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, officer)

    sign_in_with_session(page, officer)
    page.goto(page.base_url + reverse("review:case", args=[case.pk]))
    page.wait_for_load_state("networkidle")
    # The documents load when their <details> is opened: the page alone shows none of them.
    assert not AuditEntry.objects.filter(action__in=("form.view", "file.view")).exists()
    with page.expect_response(lambda response: "/implementation/file/" in response.url):
        page.get_by_text("在頁面中檢視 PDF：實施證明").click()
    assert AuditEntry.objects.filter(action="file.view").count() == 1

    sign_in_with_session(page, admin)
    page.goto(page.base_url + reverse("portal:workspace"))
    page.get_by_role("link", name="稽核紀錄").click()
    page.get_by_label("教師").fill("黃測試")
    page.get_by_label("動作").select_option(label="檢視檔案")
    page.get_by_role("button", name="查詢").click()
    row = page.locator("table.audit-log tbody tr").first
    expect(row).to_contain_text("臺北市教專中心（縣市）")
    expect(row).to_contain_text("檢視檔案")
    expect(row).to_contain_text("公開授課實施證明")
    screenshot(page, "audit-log")

    sign_in_with_session(page, teacher)
    page.goto(page.base_url + reverse("certification:case", args=[case.pk]))
    page.get_by_role("link", name="檢視紀錄").click()
    lines = page.locator("table.viewed-log tbody")
    expect(lines).to_contain_text("縣市承辦人（臺北市）")
    expect(lines).to_contain_text("檢視檔案：公開授課實施證明")
    expect(lines).not_to_contain_text("臺北市教專中心")
    screenshot(page, "viewed-log")
