"""使用者登入: the page, staff passwords with lockout, logout, session expiry."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts import services
from proteacher.accounts.models import User
from proteacher.errors import DomainError
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
WRONG = "帳號或密碼錯誤。"


def locked_message(minutes: int) -> str:
    return f"此帳號因密碼錯誤次數過多，已暫時鎖定，請於 {minutes} 分鐘後再試，或使用「忘記密碼」。"


def post_login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def page_text(response) -> str:
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def clock(monkeypatch):
    """Stands in for the wall clock so a test can let minutes pass."""

    class Clock:
        now = timezone.now()

        def advance(self, **delta):
            self.now += timedelta(**delta)

    fake = Clock()
    monkeypatch.setattr(timezone, "now", lambda: fake.now)
    return fake


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


def test_officer_signs_in_and_lands_in_the_workspace(client, taipei_officer):
    client.get(LOGIN)
    key_before = client.session.session_key

    response = post_login(client, "taipei-officer", factories.PASSWORD)

    assert response.status_code == 302 and response["Location"] == reverse("portal:workspace")
    assert client.session[SESSION_KEY] == str(taipei_officer.pk)
    assert client.session.session_key != key_before
    assert "臺北市教專中心" in page_text(client.get(reverse("portal:workspace")))


def test_a_safe_next_is_followed_and_a_foreign_one_is_not(client, admin_user):
    staff_list = reverse("accounts:staff_list")
    response = post_login(client, "admin", factories.PASSWORD, next=staff_list)
    assert response["Location"] == staff_list

    client.post(reverse("accounts:logout"))
    response = post_login(client, "admin", factories.PASSWORD, next="https://evil.example.com/")
    assert response["Location"] == reverse("portal:workspace")


def test_next_from_the_login_redirect_is_kept_in_the_form(client):
    page = page_text(client.get(LOGIN, {"next": "/accounts/teachers/"}))

    assert '<input type="hidden" name="next" value="/accounts/teachers/">' in page


def test_wrong_account_and_wrong_password_read_the_same(client, taipei_officer):
    no_such_account = page_text(post_login(client, "nobody", factories.PASSWORD))
    wrong_password = page_text(post_login(client, "taipei-officer", "not-the-password"))

    assert WRONG in no_such_account and WRONG in wrong_password
    assert SESSION_KEY not in client.session


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


# Lockout ----------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, taipei_officer, settings, clock):
    settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCK_MINUTES = 5, 15
    for _ in range(4):
        assert WRONG in page_text(post_login(client, "taipei-officer", "wrong"))

    fifth = page_text(post_login(client, "taipei-officer", "wrong"))
    assert locked_message(15) in fifth

    clock.advance(minutes=5)
    sixth = post_login(client, "taipei-officer", factories.PASSWORD)
    assert sixth.status_code == 200 and locked_message(10) in page_text(sixth)
    assert SESSION_KEY not in client.session
    taipei_officer.refresh_from_db()
    assert taipei_officer.is_locked()

    clock.advance(minutes=10, seconds=1)
    after = post_login(client, "taipei-officer", factories.PASSWORD)
    assert after.status_code == 302 and client.session[SESSION_KEY] == str(taipei_officer.pk)
    taipei_officer.refresh_from_db()
    assert (taipei_officer.failed_logins, taipei_officer.locked_until) == (0, None)


def test_remaining_minutes_round_up(client, taipei_officer, clock):
    User.objects.filter(pk=taipei_officer.pk).update(locked_until=clock.now + timedelta(seconds=30))

    assert locked_message(1) in page_text(post_login(client, "taipei-officer", factories.PASSWORD))


def test_a_success_resets_the_count(client, taipei_officer):
    for _ in range(4):
        post_login(client, "taipei-officer", "wrong")
    post_login(client, "taipei-officer", factories.PASSWORD)
    client.post(reverse("accounts:logout"))

    for _ in range(4):
        assert WRONG in page_text(post_login(client, "taipei-officer", "wrong"))
    taipei_officer.refresh_from_db()
    assert taipei_officer.failed_logins == 4 and not taipei_officer.is_locked()


def test_after_a_lock_runs_out_the_count_starts_again(client, taipei_officer, clock):
    for _ in range(5):
        post_login(client, "taipei-officer", "wrong")
    clock.advance(minutes=16)

    assert WRONG in page_text(post_login(client, "taipei-officer", "wrong"))
    taipei_officer.refresh_from_db()
    assert taipei_officer.failed_logins == 1 and taipei_officer.locked_until is None


def test_the_limits_come_from_settings(client, taipei_officer, settings):
    settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCK_MINUTES = 2, 30
    post_login(client, "taipei-officer", "wrong")

    assert locked_message(30) in page_text(post_login(client, "taipei-officer", "wrong"))


def test_attempts_in_flight_each_use_up_a_try(taipei_officer):
    # Five guesses that passed the lock check but are still being hashed hold all five tries,
    # so a sixth that arrives meanwhile is refused before its password is even looked at.
    for _ in range(5):
        assert services._reserve_attempt(taipei_officer)

    with pytest.raises(DomainError) as refusal:
        services.authenticate_staff("taipei-officer", factories.PASSWORD)

    assert str(refusal.value) == locked_message(15)


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite's in-memory test database is not shared between threads",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_cannot_get_past_the_limit(monkeypatch):
    factories.staff("target", "reviewer")
    checked = []
    real_check = User.check_password
    start = threading.Barrier(12)

    def counting_check(user, raw):
        checked.append(raw)
        # A slow hash is what gives parallel guesses their window.
        time.sleep(0.05)
        return real_check(user, raw)

    monkeypatch.setattr(User, "check_password", counting_check)

    def guess(number):
        start.wait()
        try:
            services.authenticate_staff("target", f"guess-{number}")
        except DomainError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(checked) <= 5
    assert User.objects.get(username="target").is_locked()


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


# Session expiry ---------------------------------------------------------------------------------


def test_an_idle_session_expires_and_the_next_page_asks_to_sign_in(client, taipei_officer, settings, clock):
    settings.SESSION_COOKIE_AGE = 120 * 60
    post_login(client, "taipei-officer", factories.PASSWORD)
    workspace = reverse("portal:workspace")
    assert client.get(workspace).status_code == 200

    clock.advance(minutes=121)
    response = client.get(workspace)

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next={workspace}"


def test_activity_keeps_the_session_alive(client, taipei_officer, settings, clock):
    settings.SESSION_COOKIE_AGE = 120 * 60
    post_login(client, "taipei-officer", factories.PASSWORD)
    workspace = reverse("portal:workspace")

    for _ in range(3):
        clock.advance(minutes=100)
        assert client.get(workspace).status_code == 200


def test_session_cookie_ends_with_the_browser(client, taipei_officer):
    response = post_login(client, "taipei-officer", factories.PASSWORD)

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == "" and cookie["httponly"]
