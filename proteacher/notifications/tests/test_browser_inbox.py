"""A teacher whose case was returned reads the message in 訊息通知, confirms it, and gets the email."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_teacher_reads_and_confirms_the_returned_case_message(page, walk, smtp_server):
    factories.certification_types()  # a flushed database (live server) lacks the migration's types
    teacher = factories.teacher(name="黃測試", account="t-huang")
    case = walk.to(factories.case(teacher, "advanced"), "formal_return")
    walk.take(case, "formal_return", reason="認證檢核表缺少校長核章")
    sign_in_with_session(page, teacher)

    page.goto(page.base_url + "/")
    nav = page.get_by_role("navigation", name="主選單")
    expect(nav.get_by_role("link", name="訊息通知 2 則未讀")).to_be_visible()
    nav.get_by_role("link", name=re.compile("^訊息通知")).click()

    expect(page.get_by_role("heading", name="訊息通知")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="申請進階專業回饋人才認證退件")
    expect(row).to_contain_text("感謝您申請進階專業回饋人才認證")
    expect(row.get_by_role("link", name="申請進階專業回饋人才認證退件")).to_be_visible()
    screenshot(page, "notifications-inbox")
    row.get_by_role("link", name="申請進階專業回饋人才認證退件").click()

    expect(page.get_by_role("heading", name="申請進階專業回饋人才認證退件")).to_be_visible()
    expect(page.get_by_text("訊息內容")).to_be_visible()
    expect(page.locator("article")).to_contain_text(
        "感謝您申請進階專業回饋人才認證，因您的認證資料有誤，請依形式審查意見補齊後再重新申請認證。"
    )
    expect(page.locator("article")).to_contain_text("原因：認證檢核表缺少校長核章")
    screenshot(page, "notifications-detail")
    page.get_by_role("button", name="確認").click()

    expect(page.get_by_role("heading", name="訊息通知")).to_be_visible()
    expect(nav.get_by_role("link", name="訊息通知 1 則未讀")).to_be_visible()

    call_command("run_worker", "--once")
    returned = [message for message in smtp_server.messages if "退件" in message.subject]
    assert len(returned) == 1 and returned[0].rcpt_tos == ["t-huang@school.example.tw"]
    assert "原因：認證檢核表缺少校長核章" in returned[0].text
