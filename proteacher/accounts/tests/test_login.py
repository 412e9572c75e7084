"""使用者登入: the page, staff passwords and the second factor after them, logout, session expiry.

How many wrong passwords are taken is test_login_throttle's; the second factor's pages are
test_second_factor's.
"""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from proteacher.accounts.models import User
from proteacher.audit.models import AuditEntry
from proteacher.testing import factories
from proteacher.testing.second_factor import authenticator, fresh_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SECOND_FACTOR = reverse("accounts:second_factor")
WRONG = "帳號或密碼錯誤。多次輸入錯誤後須等候 15 分鐘才能再試，或使用「忘記密碼」。"


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def sign_in(client, user, password=factories.PASSWORD, **extra):
    """The password, then the authenticator app's code; returns the second step's answer."""
    device = authenticator(user)
    response = post_login(client, user.username, password, **extra)
    assert response.status_code == 302 and response["Location"] == SECOND_FACTOR
    return client.post(SECOND_FACTOR, {"code": fresh_code(device)})


def page_text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# The page ---------------------------------------------------------------------------------------


def test_login_page_shows_both_halves_with_the_manuals_labels(client, settings):
    settings.INSERVICE_REGISTER_URL = "https://register.example.tw/"
    page = page_text(client.get(LOGIN))

    for label in ("教師登入", "縣市與管理者登入", "忘記密碼", "使用者登入"):
        assert f">{label}<" in page
    assert f'href="{reverse("accounts:sso_start")}">全國教師在職進修資訊網 帳號漫遊登入</a>' in page
    register = re.search(r'<a [^>]*href="https://register\.example\.tw/"[^>]*>([^<]*)', page)
    assert register and register.group(1) == "全國教師在職進修資訊網 帳號註冊"
    assert 'target="_blank"' in register.group(0) and 'rel="noopener"' in register.group(0)
    assert "（另開新視窗）" in page
    assert 'href="#staff-login"' in page and 'id="staff-login"' in page
    assert '<button type="submit" class="btn btn-success btn-lg">登入</button>' in page
    assert f'href="{reverse("accounts:password_reset")}">忘記密碼</a>' in page


def test_staff_fields_have_labels_and_the_account_placeholder(client):
    page = page_text(client.get(LOGIN))

    assert '<label class="form-label" for="id_username">帳號' in page
    assert '<label class="form-label" for="id_password">密碼' in page
    assert 'placeholder="請輸入帳號"' in page
    assert 'type="password" name="password"' in page


def test_halves_stack_on_a_phone_and_sit_side_by_side_on_a_desktop(client):
    page = page_text(client.get(LOGIN))

    assert page.count('class="col-12 col-md-6"') == 2


def test_messages_from_other_pages_show_on_the_login_page(client, admin_user):
    client.force_login(admin_user)
    client.post(reverse("accounts:logout"))

    page = page_text(client.get(LOGIN))

    assert "您已登出。" in page


# Staff sign-in ----------------------------------------------------------------------------------


def test_officer_signs_in_with_the_password_and_the_second_factor_and_lands_in_the_workspace(client, taipei_officer):
    device = authenticator(taipei_officer)
    client.get(LOGIN)
    key_before = client.session.session_key

    after_password = post_login(client, "taipei-officer", factories.PASSWORD)

    assert after_password.status_code == 302 and after_password["Location"] == SECOND_FACTOR
    assert client.session[SESSION_KEY] == str(taipei_officer.pk)
    assert DEVICE_ID_SESSION_KEY not in client.session
    key_between = client.session.session_key
    assert key_between != key_before

    after_code = client.post(SECOND_FACTOR, {"code": fresh_code(device)})

    assert after_code.status_code == 302 and after_code["Location"] == reverse("portal:workspace")
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.session.session_key not in (key_before, key_between)
    assert "臺北市教專中心" in page_text(client.get(reverse("portal:workspace")))
    entry = AuditEntry.objects.get(action="login.ok")
    assert (entry.actor_id, entry.data, entry.ip) == (taipei_officer.pk, {"factor": "totp"}, "127.0.0.1")


def test_a_safe_next_is_followed_and_a_foreign_one_is_not(client, admin_user):
    staff_list = reverse("accounts:staff_list")
    response = sign_in(client, admin_user, next=staff_list)
    assert response["Location"] == staff_list

    client.post(reverse("accounts:logout"))
    response = sign_in(client, admin_user, next="https://evil.example.com/")
    assert response["Location"] == reverse("portal:workspace")


def test_next_from_the_login_redirect_is_kept_in_the_form(client):
    page = page_text(client.get(LOGIN, {"next": "/accounts/teachers/"}))

    assert '<input type="hidden" name="next" value="/accounts/teachers/">' in page


def test_wrong_account_and_wrong_password_read_the_same(client, taipei_officer):
    no_such_account = page_text(post_login(client, "nobody", factories.PASSWORD))
    wrong_password = page_text(post_login(client, "taipei-officer", "not-the-password"))

    assert WRONG in no_such_account and WRONG in wrong_password
    assert SESSION_KEY not in client.session


def test_each_refusal_is_in_the_audit_log_with_the_address(client, taipei_officer):
    client.post(LOGIN, {"username": "nobody", "password": "x"}, REMOTE_ADDR="203.0.113.9")
    client.post(LOGIN, {"username": "taipei-officer", "password": "not-it"}, REMOTE_ADDR="203.0.113.9")

    entries = AuditEntry.objects.filter(action="login.failed").order_by("id")
    assert [(e.target, e.data["reason"], e.ip, e.actor_id) for e in entries] == [
        ("nobody", "unknown", "203.0.113.9", None),
        ("taipei-officer", "wrong_password", "203.0.113.9", None),
    ]


def test_refusal_is_announced_and_tied_to_the_inputs(client, taipei_officer):
    page = page_text(post_login(client, "taipei-officer", "not-the-password"))

    assert '<div class="alert alert-danger" role="alert" id="login-error">' in page
    assert page.count('aria-describedby="login-error"') == 2
    # The typed account stays, the password does not.
    assert 'value="taipei-officer"' in page and "not-the-password" not in page


def test_empty_fields_are_named(client):
    page = page_text(post_login(client, "", ""))

    assert "請輸入帳號。" in page and "請輸入密碼。" in page
    assert 'aria-describedby="id_username_error"' in page and 'id="id_username_error"' in page


def test_a_teacher_cannot_sign_in_with_a_password(client, teacher):
    # Even a password that was somehow set does not open the staff door for a teacher.
    teacher.set_password(factories.PASSWORD)
    teacher.save()

    page = page_text(post_login(client, teacher.username, factories.PASSWORD))

    assert WRONG in page and SESSION_KEY not in client.session


def test_a_teacher_without_a_password_gets_the_same_answer(client, teacher):
    assert not teacher.has_usable_password()

    assert WRONG in page_text(post_login(client, teacher.username, "anything"))


def test_a_deactivated_account_cannot_sign_in(client, reviewer):
    User.objects.filter(pk=reviewer.pk).update(is_active=False)

    assert WRONG in page_text(post_login(client, "reviewer-a", factories.PASSWORD))


def test_login_page_accepts_only_get_and_post(client):
    assert client.put(LOGIN).status_code == 405


# Logout -----------------------------------------------------------------------------------------


def test_logout_is_post_only(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.session[SESSION_KEY] == str(admin_user.pk)


def test_logout_ends_the_session_and_says_so(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert SESSION_KEY not in client.session
    assert messages_of(response) == ["您已登出。"]
    assert client.get(reverse("portal:workspace")).status_code == 302
    assert AuditEntry.objects.get(action="logout").actor_id == admin_user.pk


# Session expiry ---------------------------------------------------------------------------------


def test_an_idle_session_expires_and_the_next_page_asks_to_sign_in(client, taipei_officer, settings, clock):
    settings.SESSION_COOKIE_AGE = 120 * 60
    sign_in(client, taipei_officer)
    workspace = reverse("portal:workspace")
    assert client.get(workspace).status_code == 200

    clock.advance(minutes=121)
    response = client.get(workspace)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={workspace}"


def test_activity_keeps_the_session_alive(client, taipei_officer, settings, clock):
    settings.SESSION_COOKIE_AGE = 120 * 60
    sign_in(client, taipei_officer)
    workspace = reverse("portal:workspace")

    for _ in range(3):
        clock.advance(minutes=100)
        assert client.get(workspace).status_code == 200


def test_session_cookie_ends_with_the_browser(client, taipei_officer):
    response = sign_in(client, taipei_officer)

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == "" and cookie["httponly"]
