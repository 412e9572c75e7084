"""How many wrong passwords 縣市與管理者登入 takes (accounts.login_throttle): by account and
address, by address, and by account from all addresses; never an answer that tells an account
that exists from one that does not, nor a lock that one address can put on someone else."""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.urls import reverse

from proteacher.accounts import login_throttle, services
from proteacher.accounts.models import LoginAttempt, User
from proteacher.errors import DomainError
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SECOND_FACTOR = reverse("accounts:second_factor")
WRONG = "帳號或密碼錯誤。多次輸入錯誤後須等候 15 分鐘才能再試，或使用「忘記密碼」。"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def post_login(client, username, password, address):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def answer(response) -> tuple[int, str]:
    """What a client learns from one try: the status, and the page's refusal (or where it leads)."""
    if response.status_code == 302:
        return 302, response["Location"]
    page = response.content.decode()
    start = page.index('id="login-error">') + len('id="login-error">')
    return response.status_code, page[start : page.index("</div>", start)].strip().removeprefix("<div>")


@pytest.fixture
def hashes(monkeypatch):
    """Counts the password hashes computed: the work, and so the time, each answer costs."""
    counted = []
    real = MD5PasswordHasher.encode

    def counting(self, password, salt):
        counted.append(password)
        return real(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counting)
    return counted


def test_twenty_wrong_passwords_for_an_existing_and_an_unknown_account_read_the_same(client, taipei_officer, hashes):
    existing = [answer(post_login(client, "taipei-officer", f"guess-{n}", ATTACKER)) for n in range(20)]
    after_existing = len(hashes)
    unknown = [answer(post_login(client, "no-such-officer", f"guess-{n}", ATTACKER)) for n in range(20)]

    assert existing == unknown == [(200, WRONG)] * 20
    # The same work for each answer: one password hash, whether the account exists, the password
    # was checked, or the try was refused unchecked.
    assert after_existing == 20 and len(hashes) == 40
    assert SESSION_KEY not in client.session

    # The owner, at their own desk, still signs in.
    owner = post_login(client, "taipei-officer", factories.PASSWORD, OWNER)
    assert answer(owner) == (302, SECOND_FACTOR)
    assert client.session[SESSION_KEY] == str(taipei_officer.pk)
    taipei_officer.refresh_from_db()
    assert not taipei_officer.is_locked()


def test_after_five_wrong_passwords_one_address_is_refused_even_the_right_one(client, taipei_officer, clock):
    for _ in range(5):
        assert answer(post_login(client, "taipei-officer", "wrong", ATTACKER)) == (200, WRONG)

    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, ATTACKER)) == (200, WRONG)
    assert SESSION_KEY not in client.session

    clock.advance(minutes=15, seconds=1)
    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, ATTACKER)) == (302, SECOND_FACTOR)


def test_trying_on_while_refused_does_not_lengthen_the_wait(client, taipei_officer, clock):
    for _ in range(5):
        post_login(client, "taipei-officer", "wrong", ATTACKER)
    for _ in range(14):
        clock.advance(minutes=1)
        post_login(client, "taipei-officer", "wrong", ATTACKER)

    clock.advance(minutes=1, seconds=1)

    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, ATTACKER)) == (302, SECOND_FACTOR)


def test_the_right_password_forgives_the_owners_own_typos(client, taipei_officer):
    for _ in range(4):
        post_login(client, "taipei-officer", "typo", OWNER)
    post_login(client, "taipei-officer", factories.PASSWORD, OWNER)
    client.post(reverse("accounts:logout"))

    for _ in range(5):
        assert answer(post_login(client, "taipei-officer", "typo", OWNER)) == (200, WRONG)
    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, OWNER)) == (200, WRONG)


def test_names_differ_only_in_case_share_their_count(client, taipei_officer):
    for name in ("Taipei-Officer", "TAIPEI-OFFICER", "taipei-officer", "Taipei-officer", "taipei-OFFICER"):
        post_login(client, name, "wrong", ATTACKER)

    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, ATTACKER)) == (200, WRONG)


def test_one_address_sweeping_many_accounts_is_stopped(client, taipei_officer, settings):
    settings.LOGIN_ADDRESS_MAX_FAILURES = 30
    for n in range(30):
        post_login(client, f"officer-{n // 3}", "wrong", ATTACKER)

    # Its first try at this account, and the right password: the address has had its 30.
    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, ATTACKER)) == (200, WRONG)
    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, OWNER)) == (302, SECOND_FACTOR)


def test_many_addresses_together_lock_the_account_until_admin_lifts_it(client, taipei_officer, admin_user, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 50
    for n in range(50):
        post_login(client, "taipei-officer", "wrong", f"192.0.2.{n // 5}")

    taipei_officer.refresh_from_db()
    assert taipei_officer.is_locked()
    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, OWNER)) == (200, WRONG)

    services.unlock_staff_account(taipei_officer, actor=admin_user)

    assert answer(post_login(client, "taipei-officer", factories.PASSWORD, OWNER)) == (302, SECOND_FACTOR)


def test_an_unknown_account_tried_from_many_addresses_answers_the_same(client, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 10
    answers = {answer(post_login(client, "nobody", "wrong", f"192.0.2.{n}")) for n in range(12)}

    assert answers == {(200, WRONG)}


def test_the_limits_come_from_settings(client, taipei_officer, settings):
    settings.LOGIN_MAX_FAILURES, settings.LOGIN_LOCK_MINUTES = 2, 30
    post_login(client, "taipei-officer", "wrong", ATTACKER)
    post_login(client, "taipei-officer", "wrong", ATTACKER)

    refused = answer(post_login(client, "taipei-officer", factories.PASSWORD, ATTACKER))

    assert refused == (200, WRONG.replace("15 分鐘", "30 分鐘"))


def test_the_worker_forgets_tries_older_than_the_window(client, taipei_officer, clock):
    post_login(client, "taipei-officer", "wrong", ATTACKER)
    clock.advance(minutes=16)
    post_login(client, "taipei-officer", "wrong", ATTACKER)

    assert login_throttle.forget_old_attempts() == 1
    assert LoginAttempt.objects.count() == 1


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

    class Request:
        META = {"REMOTE_ADDR": ATTACKER}
        user = None

    def guess(number):
        start.wait()
        try:
            services.authenticate_staff("target", f"guess-{number}", request=Request())
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
    assert LoginAttempt.objects.filter(outcome=LoginAttempt.Outcome.WRONG).count() <= 5
