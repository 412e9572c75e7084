"""忘記密碼: a reset link by email for staff accounts, and a new password that works."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
DONE = reverse("accounts:password_reset_done")
NEW_PASSWORD = "Chiayi-Tea-2026!"


@pytest.fixture(autouse=True)
def memory_mail_and_site(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://proteacher.example.tw"


def ask_for_reset(client, email):
    return client.post(RESET, {"email": email})


def reset_path(message) -> str:
    link = re.search(r"https://proteacher\.example\.tw(/\S+)", message.body)
    assert link, message.body
    return link.group(1)


def set_new_password(client, path, password=NEW_PASSWORD):
    form_page = client.get(path, follow=True)
    assert "設定新密碼" in form_page.content.decode()
    return client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_reset_page_asks_for_the_email(client):
    page = client.get(RESET).content.decode()

    assert "忘記密碼" in page
    assert '<label class="form-label" for="id_email">Email' in page


def test_an_officer_gets_a_chinese_email_whose_link_sets_a_new_password(client, taipei_officer):
    response = ask_for_reset(client, "TAIPEI-OFFICER@proteacher.example.tw")

    assert response.status_code == 302 and response["Location"] == DONE
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["taipei-officer@proteacher.example.tw"]
    assert message.subject == "【教師專業發展支持作業平臺】重設密碼通知"
    assert "臺北市教專中心 您好" in message.body and "taipei-officer" in message.body
    assert "工作小組 敬上" in message.body

    done = set_new_password(client, reset_path(message))
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")

    signed_in = client.post(reverse("accounts:login"), {"username": "taipei-officer", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and client.session[SESSION_KEY] == str(taipei_officer.pk)


def test_the_same_answer_whether_or_not_the_account_exists(client, taipei_officer, teacher):
    pages = [
        ask_for_reset(client, email)
        for email in ("taipei-officer@proteacher.example.tw", "nobody@example.tw", teacher.email)
    ]

    assert {(page.status_code, page["Location"]) for page in pages} == {(302, DONE)}
    assert [message.to for message in mail.outbox] == [["taipei-officer@proteacher.example.tw"]]
    done_page = client.get(DONE).content.decode()
    assert "若您輸入的 Email 是已登記的縣市與管理者帳號" in done_page


def test_teachers_and_deactivated_staff_get_no_email(client, teacher, reviewer):
    User.objects.filter(pk=reviewer.pk).update(is_active=False)

    ask_for_reset(client, teacher.email)
    ask_for_reset(client, reviewer.email)

    assert mail.outbox == []


def test_a_staff_account_opened_without_a_password_can_ask_for_a_link(client, reviewer):
    """A 委員 of the roster whose 帳號開通 link expired unused sets a password through 忘記密碼."""
    reviewer.set_unusable_password()
    reviewer.save()

    ask_for_reset(client, reviewer.email)

    assert [message.to for message in mail.outbox] == [[reviewer.email]]
    set_new_password(client, reset_path(mail.outbox[0]))
    reviewer.refresh_from_db()
    assert reviewer.check_password(NEW_PASSWORD)


def test_a_bad_address_is_explained(client):
    page = ask_for_reset(client, "not-an-address").content.decode()

    assert "請輸入有效的 Email。" in page and 'aria-describedby="id_email_error"' in page


def test_a_new_password_also_lifts_the_lock(client, taipei_officer):
    # Wrong passwords from this address used up its tries, and many addresses locked the account.
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "taipei-officer", "password": "wrong"})
    User.objects.filter(pk=taipei_officer.pk).update(locked_until=timezone.now() + timedelta(minutes=15))
    ask_for_reset(client, taipei_officer.email)

    set_new_password(client, reset_path(mail.outbox[0]))

    taipei_officer.refresh_from_db()
    assert not taipei_officer.is_locked()
    response = client.post(reverse("accounts:login"), {"username": "taipei-officer", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:second_factor")


def test_weak_new_passwords_are_refused_in_chinese(client, taipei_officer):
    ask_for_reset(client, taipei_officer.email)

    page = set_new_password(client, reset_path(mail.outbox[0]), password="12345678").content.decode()

    assert "這個密碼太常見了。" in page and "這個密碼只包含數字。" in page
    taipei_officer.refresh_from_db()
    assert taipei_officer.check_password(factories.PASSWORD)


def test_a_link_works_only_once(client, taipei_officer):
    ask_for_reset(client, taipei_officer.email)
    path = reset_path(mail.outbox[0])
    set_new_password(client, path)

    page = client.get(path, follow=True).content.decode()

    assert "此重設密碼連結無效" in page


def test_the_link_points_at_the_configured_site_not_the_request_host(client, taipei_officer):
    client.post(RESET, {"email": taipei_officer.email}, HTTP_HOST="localhost")

    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    assert urlsplit(link).netloc == "proteacher.example.tw"
