"""SSO roaming login against a real OpenID Connect provider running on a loopback port."""

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.accounts.views.sso import PROVIDER_NAME
from proteacher.testing import factories, oidc

pytestmark = pytest.mark.django_db

HUANG = {"name": "黃測試", "school": "臺北市立成淵高級中學", "title_code": "8", "county": "臺北市"}


@pytest.fixture(scope="module")
def provider():
    with oidc.running_provider(require_nonce=True) as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    provider.configure(settings)
    return provider


@pytest.fixture
def master_data(db):
    return {
        "chengyuan": factories.school("臺北市立成淵高級中學", "臺北市"),
        "dapeng": factories.school("臺中市西屯區大鵬國民小學", "臺中市"),
        "formal": factories.title_code("8", "專任教師", formal=True),
    }


def start(client) -> str:
    """Press 全國教師在職進修資訊網 帳號漫遊登入; returns where the platform sends the browser."""
    response = client.get(reverse("accounts:sso_start"))
    assert response.status_code == 302
    return response["Location"]


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def state_data(client, state: str) -> dict:
    return client.session[f"_state_{PROVIDER_NAME}_{state}"]["data"]


def login(client, provider, sub: str, claims: dict):
    provider.set_user(sub, claims)
    back = provider.authorize(start(client), sub)
    return client.get(back.path)


def assert_refused(response, client, message: str):
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert message in messages_of(response)
    assert "_auth_user_id" not in client.session


def test_the_authorization_request_carries_pkce_state_and_nonce(client, sso, settings):
    authorize_url = start(client)

    parts = urlsplit(authorize_url)
    params = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert authorize_url.startswith(sso.metadata()["authorization_endpoint"])
    assert params["response_type"] == "code"
    assert params["client_id"] == oidc.CLIENT_ID
    assert params["redirect_uri"] == settings.SITE_URL + reverse("accounts:sso_callback")
    assert params["scope"].split() == ["openid", "profile"]
    assert params["code_challenge_method"] == "S256"
    # What the platform will prove at the token endpoint is kept in its session, never in the URL.
    kept = state_data(client, params["state"])
    assert "code_verifier" not in params
    digest = hashlib.sha256(kept["code_verifier"].encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert params["nonce"] == kept["nonce"]
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20
    # Each login gets its own state and nonce.
    again = parse_qs(urlsplit(start(client)).query)
    assert again["state"][0] != params["state"]
    assert again["nonce"][0] != params["nonce"]


def test_first_login_creates_the_teacher_and_sends_them_to_verification(client, sso, master_data):
    sso.set_user("t-huang", HUANG)
    back = sso.authorize(start(client), "t-huang")
    key_before = client.session.session_key

    response = client.get(back.path)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify")
    teacher = User.objects.get(inservice_account="t-huang")
    assert client.session["_auth_user_id"] == str(teacher.pk)
    # A new session key after login: a key planted before it is worth nothing.
    assert client.session.session_key != key_before
    assert teacher.username == "sso:t-huang"
    assert teacher.role == Role.TEACHER
    assert teacher.name == "黃測試"
    assert not teacher.has_usable_password()
    assert teacher.county == factories.county("臺北市")
    assert teacher.profile.school == master_data["chengyuan"]
    assert teacher.profile.title_code == master_data["formal"]
    assert teacher.profile.verified_at is None
    assert messages_of(response) == []


def test_second_login_updates_school_and_county_and_goes_to_certification(client, sso, master_data):
    login(client, sso, "t-huang", HUANG)
    teacher = User.objects.get(inservice_account="t-huang")
    teacher.profile.verified_at = timezone.now()
    teacher.profile.save()
    client.logout()

    moved = {**HUANG, "school": "臺中市西屯區大鵬國民小學", "county": "臺中市"}
    response = login(client, sso, "t-huang", moved)

    assert response["Location"] == reverse("certification:index")
    assert client.session["_auth_user_id"] == str(teacher.pk)
    teacher.refresh_from_db()
    assert teacher.county == factories.county("臺中市")
    assert teacher.profile.school == master_data["dapeng"]
    assert teacher.profile.school_name == "臺中市西屯區大鵬國民小學"
    assert User.objects.filter(role=Role.TEACHER).count() == 1


def test_a_verified_teacher_returns_to_the_page_that_asked_for_login(client, sso, teacher):
    sso.set_user("t-huang", HUANG)
    authorize_url = client.get(reverse("accounts:sso_start"), {"next": "/certification/?year=113"})["Location"]

    response = client.get(sso.authorize(authorize_url, "t-huang").path)

    assert response["Location"] == "/certification/?year=113"


def test_a_next_address_on_another_site_is_ignored(client, sso, teacher):
    sso.set_user("t-huang", HUANG)
    authorize_url = client.get(reverse("accounts:sso_start"), {"next": "https://evil.example/"})["Location"]

    response = client.get(sso.authorize(authorize_url, "t-huang").path)

    assert response["Location"] == reverse("certification:index")


def test_cancel_at_the_provider_ends_on_the_login_page(client, sso):
    back = sso.deny(start(client))
    assert back.params["error"] == "access_denied"

    response = client.get(back.path)

    assert_refused(response, client, "您已取消登入。")
    assert not User.objects.filter(role=Role.TEACHER).exists()


def test_a_tampered_state_is_refused(client, sso, master_data):
    sso.set_user("t-huang", HUANG)
    back = sso.authorize(start(client), "t-huang")
    state = back.params["state"]
    forged = back.path.replace(f"state={state}", f"state={state[:-1]}{'A' if state[-1] != 'A' else 'B'}")

    response = client.get(forged)

    assert_refused(response, client, "登入驗證失敗（狀態不符），請重新登入。")
    assert not User.objects.filter(inservice_account="t-huang").exists()


def test_a_callback_without_state_is_refused(client, sso):
    sso.set_user("t-huang", HUANG)
    back = sso.authorize(start(client), "t-huang")

    response = client.get(reverse("accounts:sso_callback"), {"code": back.params["code"]})

    assert_refused(response, client, "登入驗證失敗（狀態不符），請重新登入。")


def test_a_callback_from_another_browser_is_refused(client, sso, master_data):
    # The code and state were issued to the victim's session; an attacker's browser has neither.
    from django.test import Client

    sso.set_user("t-huang", HUANG)
    back = sso.authorize(start(client), "t-huang")
    attacker = Client()

    response = attacker.get(back.path)

    assert_refused(response, attacker, "登入驗證失敗（狀態不符），請重新登入。")


def test_a_replayed_code_is_refused_by_the_platform_and_by_the_provider(client, sso, master_data, settings):
    sso.set_user("t-huang", HUANG)
    back = sso.authorize(start(client), "t-huang")
    assert client.get(back.path)["Location"] == reverse("accounts:verify")
    assert "_auth_user_id" in client.session

    replay = client.get(back.path)

    # The state was spent by the first use; the replay also ends the session it arrived in.
    assert_refused(replay, client, "登入驗證失敗（狀態不符），請重新登入。")
    exchange = sso.exchange_code(back.params["code"], settings.SITE_URL + reverse("accounts:sso_callback"))
    assert exchange.status_code == 400
    assert exchange.json()["error"] == "invalid_grant"


def test_a_wrong_nonce_is_refused(client, sso, master_data, caplog):
    sso.set_user("t-huang", HUANG)
    back = sso.authorize(start(client), "t-huang")
    session = client.session
    key = f"_state_{PROVIDER_NAME}_{back.params['state']}"
    kept = session[key]
    kept["data"]["nonce"] = "a-nonce-the-provider-never-saw"
    session[key] = kept
    session.save()

    response = client.get(back.path)

    assert_refused(response, client, "登入驗證失敗，請重新登入。")
    assert "Invalid claim: 'nonce'" in caplog.text
    assert not User.objects.filter(inservice_account="t-huang").exists()


def test_another_provider_error_is_refused(client, sso):
    start(client)

    response = client.get(
        reverse("accounts:sso_callback"), {"error": "server_error", "error_description": "maintenance"}
    )

    assert_refused(response, client, "登入驗證失敗，請重新登入。")


def test_unknown_school_county_and_title_code_still_let_the_teacher_in(client, sso):
    unknown = {"name": "吳未知", "school": "測試縣立不存在國小", "title_code": "99", "county": "測試縣"}

    response = login(client, sso, "t-unknown", unknown)

    assert response["Location"] == reverse("accounts:verify")
    teacher = User.objects.get(inservice_account="t-unknown")
    assert client.session["_auth_user_id"] == str(teacher.pk)
    profile = teacher.profile
    assert (profile.school, teacher.county, profile.title_code) == (None, None, None)
    assert (profile.school_name, profile.county_name, profile.title_code_value) == (
        "測試縣立不存在國小",
        "測試縣",
        "99",
    )
    assert profile.unmatched_master_data() == [
        "服務學校「測試縣立不存在國小」",
        "學校所屬縣市「測試縣」",
        "職稱代碼「99」",
    ]
    assert messages_of(response) == [
        "您的服務學校、縣市或職稱代碼（服務學校「測試縣立不存在國小」、學校所屬縣市「測試縣」、職稱代碼「99」）"
        "不在平臺資料中，請聯繫所屬縣市之教專中心或教師專業發展支持作業平臺工作小組更正。"
    ]


def test_an_account_the_provider_sends_no_data_for_still_signs_in_and_is_flagged(client, sso):
    # The provider's ID token then lacks the four data, so the platform also asks its userinfo endpoint.
    back = sso.authorize(start(client), "t-bare")

    response = client.get(back.path)

    assert response["Location"] == reverse("accounts:verify")
    teacher = User.objects.get(inservice_account="t-bare")
    assert len(teacher.profile.unmatched_master_data()) == 3
    assert any("不在平臺資料中" in message for message in messages_of(response))


def test_a_staff_account_is_not_taken_over_through_sso(client, sso, taipei_officer):
    taipei_officer.inservice_account = "t-officer"
    taipei_officer.save()

    response = login(client, sso, "t-officer", HUANG)

    assert_refused(
        response, client, "此全教網帳號已對應平臺的管理帳號，無法以帳號漫遊登入，請改用「縣市與管理者登入」。"
    )
    taipei_officer.refresh_from_db()
    assert taipei_officer.role == Role.COUNTY


def test_starting_a_login_ends_the_current_session(client, sso, teacher):
    client.force_login(teacher)

    start(client)

    assert "_auth_user_id" not in client.session


def test_start_without_provider_in_production_says_so(client, settings):
    settings.OIDC_ISSUER = ""
    settings.DEBUG = False

    response = client.get(reverse("accounts:sso_start"))

    assert response.status_code == 503
    assert "目前無法使用帳號漫遊登入，請稍後再試或聯絡工作小組" in response.content.decode()


def test_start_when_the_provider_cannot_be_reached_says_so(client, settings, provider):
    provider.configure(settings)
    # Nothing listens on port 1 of the loopback address.
    settings.OIDC_ISSUER = "http://127.0.0.1:1"

    response = client.get(reverse("accounts:sso_start"))

    assert response.status_code == 503
    assert "目前無法使用帳號漫遊登入" in response.content.decode()


def test_callback_without_provider_is_not_found(client, settings):
    settings.OIDC_ISSUER = ""

    assert client.get(reverse("accounts:sso_callback"), {"code": "x", "state": "y"}).status_code == 404
