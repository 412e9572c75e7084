"""雙因素驗證 in Chromium, as 縣市, 委員 and 管理者 meet it with the demo accounts of make run:
nothing of 功能專區 before the second factor, a recovery code that works once, 管理者's reset in
the audit log and the enrolment that follows it, and a passkey (Chromium's virtual authenticator)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.accounts.demo_identities import DEMO_RECOVERY_CODES
from proteacher.accounts.models import User
from proteacher.audit.models import AuditEntry
from proteacher.testing.browser import screenshot
from proteacher.testing.review_walk import (
    enrol_authenticator,
    enter_password,
    load_demo_data,
    second_step,
    sign_in_staff,
)
from proteacher.testing.second_factor import SignInClient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STEP_HEADING = "雙因素驗證"


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""
    load_demo_data()


def workspace_pages(user) -> list[str]:
    """功能專區 and every page it links to, as the officer sees them once signed in."""
    client = SignInClient()
    client.force_login(user)
    workspace = reverse("portal:workspace")
    html = client.get(workspace).content.decode()
    main = html[html.index('<main id="main"') :]
    links = re.findall(r'<a class="list-group-item[^"]*" href="(/[^"]*)"', main)
    assert len(links) >= 4, links
    return [workspace, *links]


def expect_second_step(page) -> None:
    expect(page).to_have_url(re.compile(re.escape(reverse("accounts:second_factor")) + "$"))
    expect(page.get_by_role("heading", name=STEP_HEADING, exact=True)).to_be_visible()


def test_a_county_officer_reaches_no_workspace_page_before_the_second_factor(page, demo):
    officer = User.objects.get(username="taipei")
    pages = workspace_pages(officer)

    enter_password(page, "taipei")
    expect_second_step(page)
    screenshot(page, "second-factor-step")
    page.get_by_role("navigation", name="主選單").get_by_role("link", name="功能專區").click()
    expect_second_step(page)
    for path in pages:
        page.goto(page.base_url + path)
        expect_second_step(page)

    second_step(page, officer)

    expect(page.get_by_role("heading", name="功能專區")).to_be_visible()
    for path in pages:
        response = page.goto(page.base_url + path)
        assert response.status == 200 and response.url == page.base_url + path
    assert AuditEntry.objects.filter(action="login.ok", actor_id=officer.pk).count() == 1


def test_a_recovery_code_works_once(chromium, live_server, demo):
    # On a phone: the step and its messages fit 390 px.
    context = chromium.new_context(locale="zh-TW", timezone_id="Asia/Taipei", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.base_url = live_server.url
    code = DEMO_RECOVERY_CODES[0]

    enter_password(page, "reviewer1")
    expect_second_step(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("驗證碼或復原碼").fill(code)
    page.get_by_role("button", name="驗證", exact=True).click()
    expect(page.get_by_role("heading", name="功能專區")).to_be_visible()
    expect(page.locator(".messages")).to_contain_text("您已使用一組復原碼，尚餘 9 組。")
    page.get_by_role("button", name="登出").click()

    enter_password(page, "reviewer1")
    page.get_by_label("驗證碼或復原碼").fill(code)
    page.get_by_role("button", name="驗證", exact=True).click()
    expect_second_step(page)
    expect(page.get_by_text("驗證碼錯誤，請重新輸入。")).to_be_visible()
    screenshot(page, "second-factor-recovery-code-used")

    page.get_by_label("驗證碼或復原碼").fill(DEMO_RECOVERY_CODES[1])
    page.wait_for_timeout(1100)  # one wrong code slows the next try by a second
    page.get_by_role("button", name="驗證", exact=True).click()
    expect(page.get_by_role("heading", name="功能專區")).to_be_visible()
    reviewer = User.objects.get(username="reviewer1")
    used = AuditEntry.objects.filter(actor_id=reviewer.pk, action__startswith="mfa.").order_by("id")
    assert list(used.values_list("action", flat=True)) == ["mfa.recovery_used", "mfa.failed", "mfa.recovery_used"]
    context.close()


def test_admins_reset_is_in_the_audit_log_and_the_member_enrols_again(page, chromium, live_server, demo):
    sign_in_staff(page, "admin")
    page.get_by_role("link", name=re.compile("^帳號管理")).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="taipei", exact=True))
    row.get_by_role("button", name=re.compile("^重設雙因素驗證")).click()
    expect(page.locator(".messages")).to_contain_text(
        "已重設「臺北市教專中心」的雙因素驗證，該帳號下次登入時須重新設定。"
    )

    admin, officer = User.objects.get(username="admin"), User.objects.get(username="taipei")
    entry = AuditEntry.objects.get(action="mfa.reset")
    assert (entry.actor_id, entry.actor_role, entry.target) == (admin.pk, "admin", "臺北市教專中心（taipei）")
    assert entry.data["account_id"] == officer.pk and entry.data["removed"]["totp"] == 1

    # The officer's next sign-in sets up a factor again, on a phone.
    context = chromium.new_context(locale="zh-TW", timezone_id="Asia/Taipei", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    phone = context.new_page()
    phone.base_url = live_server.url
    enter_password(phone, "taipei")
    expect(phone.get_by_role("heading", name="設定雙因素驗證")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "second-factor-enrol")
    phone.get_by_label("驗證碼").fill("000000")
    phone.get_by_role("button", name="完成設定").click()
    expect(phone.get_by_text("驗證碼錯誤，請重新輸入。")).to_be_visible()
    phone.wait_for_timeout(1100)
    codes = enrol_authenticator(phone)
    assert len(codes) == 10 and DEMO_RECOVERY_CODES[0] not in codes
    expect(phone.get_by_role("heading", name="功能專區")).to_be_visible()
    assert AuditEntry.objects.filter(action="mfa.enrol", actor_id=officer.pk).exists()
    context.close()


def test_the_recovery_codes_page_offers_download_and_print(page, demo):
    sign_in_staff(page, "taichung")
    page.get_by_role("link", name=re.compile("^雙因素驗證")).click()
    page.get_by_role("button", name="重新產生復原碼").click()
    expect(page.get_by_role("heading", name="復原碼")).to_be_visible()
    codes = page.get_by_role("list", name="復原碼").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "second-factor-recovery-codes")

    with page.expect_download() as download:
        page.get_by_role("main").get_by_role("link", name="下載", exact=True).click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert all(code in text for code in codes)
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.get_by_role("button", name="列印").click()
    expect(page.locator("body")).to_have_attribute("data-printed", "yes")


def test_a_passkey_is_set_up_and_then_used_as_the_second_factor(page, settings, live_server, demo):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    reviewer = User.objects.create_user("reviewer9", password="Demo-pass-2026", role="reviewer", name="趙委員")
    reviewer.email = "reviewer9@proteacher.example.tw"
    reviewer.save()

    enter_password(page, "reviewer9")
    expect(page.get_by_role("heading", name="設定雙因素驗證")).to_be_visible()
    page.get_by_role("button", name="新增通行金鑰").click()
    expect(page.get_by_role("heading", name="復原碼")).to_be_visible()
    page.get_by_role("button", name="我已保存，繼續").click()
    expect(page.get_by_role("heading", name="功能專區")).to_be_visible()
    page.get_by_role("button", name="登出").click()

    enter_password(page, "reviewer9")
    expect_second_step(page)
    page.get_by_role("button", name="使用通行金鑰").click()
    expect(page.get_by_role("heading", name="功能專區")).to_be_visible()
    factors = AuditEntry.objects.filter(actor_id=reviewer.pk, action__in=["mfa.enrol", "login.ok"]).order_by("id")
    assert [(entry.action, entry.data["factor"]) for entry in factors] == [
        ("mfa.enrol", "passkey"),
        ("login.ok", "enrol"),
        ("login.ok", "passkey"),
    ]
