"""In Chromium: 管理者 issues a token for a county system under 功能專區 → API 權杖, copies it
with 複製 from the one page that shows it, the county system calls the API with it, and 撤銷
(confirmed) stops it at once."""

import pytest
import requests
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.api.models import ApiToken
from proteacher.testing import factories
from proteacher.testing.browser import sign_in_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def call(base_url: str, token: str) -> requests.Response:
    return requests.get(f"{base_url}/api/v1/cases", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_admin_issues_copies_and_revokes_a_token(page):
    admin = factories.staff("admin", "admin", name="工作小組")
    factories.county("臺北市")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=page.base_url)

    sign_in_with_session(page, admin)
    page.goto(page.base_url + reverse("portal:workspace"))
    page.get_by_role("link", name="API 權杖").click()
    expect(page.get_by_role("heading", name="API 權杖")).to_be_visible()
    page.get_by_role("link", name="新增").click()
    page.get_by_label("名稱").fill("臺北市研習系統")
    page.get_by_label("縣市").select_option(label="臺北市")
    page.get_by_label("讀取案件").check()
    page.get_by_role("button", name="新增").click()

    expect(page.get_by_role("heading", name="API 權杖已新增")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("權杖只顯示這一次")
    shown = page.get_by_label("權杖").input_value()
    page.get_by_role("button", name="複製").click()
    expect(page.get_by_role("button", name="已複製")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == shown
    assert call(page.base_url, copied).status_code == 200

    page.get_by_role("link", name="我已複製，回到 API 權杖").click()
    row = page.locator("tr", has_text="臺北市研習系統")
    expect(row).to_contain_text("有效")
    expect(row).not_to_contain_text(shown)
    row.get_by_role("link", name="撤銷").click()
    expect(page.locator("main")).to_contain_text("確定要撤銷 API 權杖「臺北市研習系統」")
    page.get_by_role("button", name="確定撤銷").click()

    expect(page.locator(".messages")).to_contain_text("已撤銷 API 權杖「臺北市研習系統」")
    expect(page.locator("tr", has_text="臺北市研習系統")).to_contain_text("已撤銷")
    assert ApiToken.objects.get().revoked_by == admin
    refused = call(page.base_url, copied)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_revoked"
