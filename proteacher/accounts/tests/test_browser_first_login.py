"""A teacher's first visit, clicked through in Chromium: SSO → 教師驗證 → 資料轉移 → 個人資訊."""

import datetime
import re

import pytest

from proteacher.registry.models import OldCertificate
from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_through_identity_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dev_sso(settings):
    # The live server runs in this process, so the settings fixture reaches it.
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""


def fill_in_step_one(page, email: str):
    page.get_by_label("您的聯絡電話").fill("02-27654321")
    page.get_by_label("您的Email").fill(email)
    page.get_by_label("國小").check()
    page.get_by_label("語文").check()
    page.get_by_label("取得正式教師時間").fill("2016-08")
    page.get_by_label("實際教學年資").fill("9")
    page.get_by_role("button", name="下一步").click()


def verify_with_mailed_code(page, smtp_server, email: str):
    assert "驗證Email" in page.content()
    assert "1.系統會傳送一組驗證碼到您電子郵件信箱" in page.content()
    [mail] = [m for m in smtp_server.messages if email in m.rcpt_tos]
    code = re.search(r"驗證碼：(\d{6})", mail.text).group(1)
    page.get_by_label("驗證碼").fill(code)
    page.get_by_role("button", name="驗證", exact=True).click()


def test_first_login_imports_old_certificates_into_profile(page, dev_sso, smtp_server):
    factories.school("臺北市立松山國民小學", "臺北市")
    factories.title_code("8")
    OldCertificate.objects.create(
        inservice_account="t-first",
        academic_year=95,
        kind="初階認證",
        number="A104000811",
        obtained_on=datetime.date(2006, 10, 23),
    )

    sign_in_through_identity_page(page, "陳新進")
    assert "陳新進老師 您好" in page.content()
    steps = page.get_by_label("驗證資料進度").inner_text()
    assert "1" in steps and "填寫資料" in steps and "資料轉移" in steps
    screenshot(page, "first-login-step1")

    fill_in_step_one(page, "chen@school.example.tw")
    verify_with_mailed_code(page, smtp_server, "chen@school.example.tw")

    row = page.get_by_role("row", name=re.compile("A104000811"))
    assert "95" in row.inner_text() and "初階認證" in row.inner_text() and "2006-10-23" in row.inner_text()
    screenshot(page, "first-login-transfer")
    page.get_by_role("button", name="匯入 (資料正確或部分正確)").click()

    # 匯入 ends 教師驗證 on 個人資訊 → 認證證號.
    page.wait_for_url("**/certification/certificates/")
    assert page.get_by_role("link", name="認證證號").get_attribute("aria-current") == "page"
    assert "A104000811" in page.get_by_role("table").inner_text()
    assert "陳新進老師" in page.locator("header").inner_text()
    screenshot(page, "profile-certificates")


def test_teacher_without_old_records_sees_the_no_data_message(page, dev_sso, smtp_server):
    factories.school("臺中市西屯區大鵬國民小學", "臺中市")

    sign_in_through_identity_page(page, "張無資料")
    fill_in_step_one(page, "chang@school.example.tw")
    verify_with_mailed_code(page, smtp_server, "chang@school.example.tw")

    assert "很抱歉目前舊系統當中沒有您的資料" in page.content()
    page.get_by_role("button", name="確定").click()

    # Verified now: 認證專區 opens instead of sending the teacher back to 教師驗證.
    page.get_by_role("link", name="認證專區").first.click()
    assert page.get_by_role("heading", name="認證專區").is_visible()
