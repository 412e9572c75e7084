"""A NUL (or any control character) in what a visitor sends to the account pages: the field says
so in Chinese, or the character is dropped; never a server error, never a NUL stored."""

import html

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from proteacher.accounts.identity import teacher_from_claims
from proteacher.accounts.models import User
from proteacher.accounts.views.sso import DevIdentityForm
from proteacher.errors import DomainError
from proteacher.text import CONTROL_CHARACTERS

pytestmark = pytest.mark.django_db

NUL = "\x00"
DETAILS = {"phone": "0912345678", "email": "chen@school.example.tw", "levels": ["國小"], "teaching_years": "9"}


def page(response) -> str:
    assert response.status_code < 500
    return html.unescape(response.content.decode())


def test_login_with_a_nul_in_the_account_says_so(client, taipei_officer):
    response = client.post(reverse("accounts:login"), {"username": f"taipei{NUL}-officer", "password": "x"})
    assert response.status_code == 200 and CONTROL_CHARACTERS in page(response)


def test_a_nul_in_the_address_to_return_to_is_ignored(client):
    assert client.get(reverse("accounts:login"), {"next": f"/{NUL}"}).status_code == 200


def test_password_reset_for_an_email_with_a_nul_says_so(client):
    response = client.post(reverse("accounts:password_reset"), {"email": f"a{NUL}@example.tw"})
    assert CONTROL_CHARACTERS in page(response)


def test_a_new_password_with_a_control_character_says_so(client, taipei_officer):
    uid = urlsafe_base64_encode(force_bytes(taipei_officer.pk))
    token = default_token_generator.make_token(taipei_officer)
    form_page = client.get(reverse("accounts:password_reset_confirm", args=[uid, token]), follow=True)
    password = f"Chiayi{NUL}Tea-2026!"
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    assert CONTROL_CHARACTERS in page(response)


def test_a_new_staff_account_with_a_control_character_in_its_name_says_so(client, admin_user):
    client.force_login(admin_user)
    data = {"username": "tainan", "name": f"臺南{NUL}中心", "email": "c@tainan.example.tw", "role": "reviewer"}
    response = client.post(reverse("accounts:staff_create"), {**data, "password": "Tainan-Chair-2026"})
    assert CONTROL_CHARACTERS in page(response)
    assert not User.objects.filter(username="tainan").exists()


@pytest.mark.parametrize("account", [f"1{NUL}", "²", "١", "9" * 30])
def test_an_account_action_on_no_number_is_not_found(client, admin_user, account):
    client.force_login(admin_user)
    response = client.post(reverse("accounts:staff_list"), {"account": account, "action": "unlock"})
    assert response.status_code == 404


def test_the_teacher_search_drops_a_nul_and_searches_the_rest(client, admin_user, teacher):
    client.force_login(admin_user)
    shown = page(client.get(reverse("accounts:teacher_list"), {"q": f"黃{NUL}"}))
    assert "符合「黃」" in shown and "黃測試" in shown


@pytest.mark.parametrize("route", ["accounts:verify", "accounts:profile"])
def test_teacher_details_with_a_nul_in_the_phone_say_so(client, new_teacher, teacher, route):
    user = new_teacher if route == "accounts:verify" else teacher
    client.force_login(user)
    response = client.post(reverse(route), {**DETAILS, "phone": f"0912{NUL}345678"})
    assert CONTROL_CHARACTERS in page(response)
    user.profile.refresh_from_db()
    assert NUL not in user.profile.phone


def test_an_email_code_with_a_nul_says_so(client, new_teacher):
    client.force_login(new_teacher)
    client.post(reverse("accounts:verify"), DETAILS)
    response = client.post(reverse("accounts:verify_email"), {"code": f"123{NUL}456"})
    assert CONTROL_CHARACTERS in page(response)


def test_the_networks_claims_lose_their_control_characters():
    user = teacher_from_claims("t-nul", {"name": f"黃{NUL}測試\x1b", "school": f"成淵{NUL}高中", "county": "臺北市"})
    user.refresh_from_db()
    assert user.name == "黃測試" and user.profile.school_name == "成淵高中"


def test_an_account_from_the_network_with_a_control_character_is_refused():
    with pytest.raises(DomainError, match="帳號格式不符"):
        teacher_from_claims(f"t-{NUL}huang", {"name": "黃測試"})
    assert not User.objects.filter(inservice_account__startswith="t-").exists()


def test_the_development_identity_form_refuses_them_too():
    form = DevIdentityForm({"identity": DevIdentityForm.CUSTOM, "sub": f"t{NUL}", "name": "測試"})
    assert not form.is_valid() and form.errors["sub"] == [CONTROL_CHARACTERS]
