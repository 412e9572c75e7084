"""雙因素驗證 of 委員, 縣市 and 管理者: enrolling at the first sign-in, the second step with the
authenticator app or a recovery code, the member's own page, and 管理者's reset."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from proteacher.accounts import second_factor
from proteacher.audit.models import AuditEntry
from proteacher.testing import factories
from proteacher.testing.second_factor import SignInClient, authenticator, code_from_key, fresh_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
STEP = reverse("accounts:second_factor")
ENROL = reverse("accounts:second_factor_enrol")
CODES = reverse("accounts:second_factor_codes")
WORKSPACE = reverse("portal:workspace")
RESET = reverse("accounts:staff_second_factor_reset")


def page_text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def password(client, user):
    response = client.post(LOGIN, {"username": user.username, "password": factories.PASSWORD})
    assert response.status_code == 302 and response["Location"] == STEP
    return response


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


def key_on(page: str) -> str:
    start = page.index('id="totp-key">') + len('id="totp-key">')
    return page[start : page.index("</code>", start)]


def enrol_with_app(client, user) -> list[str]:
    """The first sign-in through to the recovery codes; returns them."""
    password(client, user)
    page = page_text(client.get(ENROL))
    response = client.post(ENROL, {"code": code_from_key(key_on(page))})
    assert response.status_code == 302 and response["Location"] == CODES
    return client.session[second_factor.NEW_CODES_KEY]


# Enrolling ----------------------------------------------------------------------------------------


def test_the_first_sign_in_asks_to_set_up_a_factor_before_anything_else(client, taipei_officer):
    password(client, taipei_officer)

    assert client.get(STEP)["Location"] == ENROL
    assert client.get(WORKSPACE)["Location"] == STEP
    page = page_text(client.get(ENROL))

    assert "設定雙因素驗證" in page and "方式一：驗證器 App" in page and "方式二：通行金鑰" in page
    assert 'class="totp-qr"><title>驗證器 App 設定 QR Code</title><path' in page
    key = key_on(page)
    assert len(key.replace(" ", "")) == 32 and all(len(group) == 4 for group in key.split())
    # The same key on every visit until the app confirms it.
    assert key_on(page_text(client.get(ENROL))) == key
    assert "<script>" not in page and "onclick" not in page


def test_the_apps_first_code_completes_the_set_up_and_shows_the_codes_once(client, taipei_officer):
    codes = enrol_with_app(client, taipei_officer)

    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 9 and code[4] == "-" for code in codes)
    assert not set("01ilo") & set("".join(codes))
    device = TOTPDevice.objects.get(user=taipei_officer)
    assert device.confirmed and client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    page = page_text(client.get(CODES))
    assert "復原碼只會顯示這一次。" in page and all(code in page for code in codes)
    assert "下載" in page and "data-print" in page

    download = client.get(reverse("accounts:second_factor_codes_download"))
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert all(code in download.content.decode() for code in codes)

    onward = client.post(CODES)
    assert onward["Location"] == WORKSPACE
    assert client.get(CODES)["Location"] == WORKSPACE
    assert client.get(reverse("accounts:second_factor_codes_download")).status_code == 404
    assert client.get(WORKSPACE).status_code == 200
    assert actions() == ["mfa.enrol", "login.ok"]


def test_a_wrong_first_code_is_refused_and_nothing_is_set_up(client, taipei_officer):
    password(client, taipei_officer)
    client.get(ENROL)

    for typed, message in (("", "請輸入驗證器 App 顯示的 6 位數驗證碼。"), ("12ab", "驗證碼是 6 位數字，請重新輸入。")):
        assert message in page_text(client.post(ENROL, {"code": typed}))
    assert "驗證碼錯誤，請重新輸入。" in page_text(client.post(ENROL, {"code": "000000"}))

    assert not second_factor.is_enrolled(taipei_officer)
    assert client.get(WORKSPACE)["Location"] == STEP
    assert actions() == ["mfa.failed"]


def test_an_enrolled_member_cannot_enrol_again_from_the_second_step(client, taipei_officer):
    authenticator(taipei_officer)
    password(client, taipei_officer)

    assert client.get(ENROL)["Location"] == STEP
    assert client.post(ENROL, {"code": "123456"})["Location"] == STEP


# The second step ------------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_and_recorded(client, taipei_officer):
    authenticator(taipei_officer)
    password(client, taipei_officer)

    page = page_text(client.post(STEP, {"code": "000000"}))

    assert "驗證碼錯誤，請重新輸入。" in page
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert actions() == ["mfa.failed"]
    # Straight away again: the app's codes are slowed down after each wrong one.
    assert "驗證碼錯誤次數過多，請於" in page_text(client.post(STEP, {"code": "000001"}))


def test_an_empty_code_is_named(client, taipei_officer):
    authenticator(taipei_officer)
    password(client, taipei_officer)

    assert "請輸入驗證碼或復原碼。" in page_text(client.post(STEP, {"code": ""}))


def test_a_recovery_code_works_once(client, taipei_officer):
    codes = second_factor.new_recovery_codes(taipei_officer)
    authenticator(taipei_officer)
    password(client, taipei_officer)

    used = client.post(STEP, {"code": codes[0]})

    assert used["Location"] == WORKSPACE
    assert messages_of(used) == ["您已使用一組復原碼，尚餘 9 組。復原碼用完前，請至「雙因素驗證」重新產生。"]
    client.post(reverse("accounts:logout"))
    password(client, taipei_officer)
    assert "驗證碼錯誤，請重新輸入。" in page_text(client.post(STEP, {"code": codes[0]}))
    assert actions() == ["mfa.recovery_used", "login.ok", "logout", "mfa.failed"]


def test_a_recovery_code_may_be_typed_without_its_dash_or_in_capitals(client, taipei_officer):
    codes = second_factor.new_recovery_codes(taipei_officer)
    authenticator(taipei_officer)
    password(client, taipei_officer)

    assert client.post(STEP, {"code": codes[1].replace("-", " ").upper()})["Location"] == WORKSPACE


def test_the_page_that_asked_for_sign_in_comes_after_the_second_step(client, admin_user):
    device = authenticator(admin_user)
    client.post(LOGIN, {"username": "admin", "password": factories.PASSWORD, "next": "/accounts/staff/"})

    assert client.post(STEP, {"code": fresh_code(device)})["Location"] == "/accounts/staff/"


def test_without_the_password_there_is_no_second_step(client, taipei_officer):
    authenticator(taipei_officer)

    response = client.get(STEP)

    assert response["Location"] == LOGIN


# 管理者's reset ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(admin_user):
    browser = SignInClient()
    browser.force_login(admin_user)
    return browser


def test_admin_resets_a_members_factors_and_it_is_in_the_audit_log(admin_client, client, admin_user, taipei_officer):
    codes = enrol_with_app(client, taipei_officer)
    client.post(CODES)
    assert client.get(WORKSPACE).status_code == 200

    response = admin_client.post(RESET, {"account": taipei_officer.pk})

    assert messages_of(response) == ["已重設「臺北市教專中心」的雙因素驗證，該帳號下次登入時須重新設定。"]
    assert not TOTPDevice.objects.filter(user=taipei_officer).exists()
    assert not StaticDevice.objects.filter(user=taipei_officer).exists()
    entry = AuditEntry.objects.get(action="mfa.reset")
    assert (entry.actor_id, entry.target) == (admin_user.pk, "臺北市教專中心（taipei-officer）")
    assert entry.data == {"account_id": taipei_officer.pk, "removed": {"totp": 1, "passkeys": 0, "recovery": 11}}

    # The member's session no longer counts: signed out, and set up again at the next sign-in.
    signed_out = client.get(WORKSPACE)
    assert signed_out["Location"] == LOGIN and SESSION_KEY not in client.session
    assert messages_of(signed_out) == ["您的雙因素驗證已重設，請重新登入。"]
    password(client, taipei_officer)
    assert client.get(STEP)["Location"] == ENROL
    # The old recovery codes went with the factors.
    assert client.post(STEP, {"code": codes[0]})["Location"] == ENROL


def test_the_staff_list_offers_the_reset_for_every_other_account(admin_client, taipei_officer):
    page = page_text(admin_client.get(reverse("accounts:staff_list")))

    assert page.count("重設雙因素驗證") == 1
    assert f'action="{RESET}"' in page and f'value="{taipei_officer.pk}"' in page


def test_admin_cannot_reset_their_own_factors(admin_client, admin_user):
    response = admin_client.post(RESET, {"account": admin_user.pk})

    assert messages_of(response) == ["不能重設自己的雙因素驗證，請由其他管理者重設。"]
    assert TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_teachers_account_is_not_there_to_reset(admin_client, teacher):
    assert admin_client.post(RESET, {"account": teacher.pk}).status_code == 404
    assert admin_client.post(RESET, {"account": "１"}).status_code == 404


# One's own page -------------------------------------------------------------------------------------


def test_new_recovery_codes_replace_the_old_ones(client, reviewer):
    old = second_factor.new_recovery_codes(reviewer)
    client.force_login(reviewer)
    assert "尚餘 10 組" in page_text(client.get(reverse("accounts:second_factor_manage")))

    response = client.post(reverse("accounts:second_factor_renew_codes"))

    assert response["Location"] == CODES
    new = client.session[second_factor.NEW_CODES_KEY]
    assert not set(old) & set(new)
    assert StaticDevice.objects.get(user=reviewer).token_set.count() == 10
    assert AuditEntry.objects.get(action="mfa.enrol").data == {"factor": "recovery_codes"}


def test_the_passkey_script_speaks_chinese(client):
    script = client.get(reverse("otp_webauthn:js-i18n-catalog")).content.decode()

    assert "\\u65b0\\u589e\\u901a\\u884c\\u91d1\\u9470" in script or "新增通行金鑰" in script


@pytest.mark.parametrize(
    ("site_url", "expected"),
    [
        ("https://proteacher.moe.edu.tw", ("proteacher.moe.edu.tw", "https://proteacher.moe.edu.tw")),
        ("https://proteacher.moe.edu.tw:8443/", ("proteacher.moe.edu.tw", "https://proteacher.moe.edu.tw:8443")),
        # Browsers allow passkeys only on https with a domain name, or at http://localhost.
        ("http://127.0.0.1:8000", ("localhost", "http://localhost:8000")),
        ("http://intranet-host:8000", ("localhost", "http://localhost:8000")),
        ("https://10.0.0.5", ("localhost", "http://localhost")),
    ],
)
def test_passkeys_belong_to_the_sites_host_name(site_url, expected):
    from proteacher.settings import passkey_relying_party

    assert passkey_relying_party(site_url) == expected


def test_passkeys_are_offered_only_at_their_host(client, rf, settings):
    settings.OTP_WEBAUTHN_RP_ID = "localhost"

    assert second_factor.passkeys_offered(rf.get("/", HTTP_HOST="localhost:8000"))
    assert not second_factor.passkeys_offered(rf.get("/", HTTP_HOST="127.0.0.1:8000"))
