"""The development identity page: the network's consent page, stood in for on a developer's machine."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from proteacher.accounts.demo_identities import DEMO_IDENTITIES
from proteacher.accounts.models import Role, User
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

URL = reverse("accounts:dev_identity")


@pytest.fixture
def dev(settings):
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("method", ["get", "post"])
def test_not_found_when_debug_is_off(client, settings, method):
    settings.DEBUG = False
    settings.OIDC_ISSUER = ""

    response = getattr(client, method)(URL, {"identity": "t-first", "action": "login"})

    assert response.status_code == 404
    assert not User.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_not_found_when_a_real_provider_is_configured(client, settings, method):
    settings.DEBUG = True
    settings.OIDC_ISSUER = "https://idp.example.tw"

    response = getattr(client, method)(URL, {"identity": "t-first", "action": "login"})

    assert response.status_code == 404
    assert not User.objects.exists()


def test_sso_start_leads_here_in_development(client, dev):
    response = client.get(reverse("accounts:sso_start"))

    assert response.status_code == 302
    assert response["Location"] == URL


def test_the_page_looks_like_the_networks_consent_page_and_says_it_is_not(client, dev):
    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "開發用身分頁（正式環境不提供）" in page
    assert "全國教師在職進修資訊網" in page
    assert "身份認證漫遊服務" in page
    assert "即將登入並傳送下列個人資料" in page
    assert "✓</span> 姓名：黃測試" in page
    assert "✓</span> 服務學校：臺北市立成淵高級中學" in page
    assert "✓</span> 職稱代碼：8" in page
    assert "✓</span> 學校所屬縣市：臺北市" in page
    for identity in DEMO_IDENTITIES:
        assert f'value="{identity["sub"]}"' in page
        assert identity["note"] in page
    assert "確定登入" in page and "取消" in page
    assert 'name="viewport"' in page
    assert "vendor/bootstrap/bootstrap.min.css" in page
    for field, label in [
        ("sub", "全教網帳號"),
        ("name", "姓名"),
        ("school", "服務學校"),
        ("title_code", "職稱代碼"),
        ("county", "學校所屬縣市"),
    ]:
        assert f'for="id_{field}">{label}</label>' in page
        assert f'id="id_{field}"' in page
    # Every radio button has its own label too.
    for number in range(1, len(DEMO_IDENTITIES) + 1):
        assert f'for="identity-{number}"' in page
    assert 'for="identity-custom"' in page


def test_picking_a_demo_identity_signs_a_new_teacher_in_and_sends_them_to_verification(client, dev):
    songshan = factories.school("臺北市立松山國民小學", "臺北市")
    factories.title_code("8")

    response = client.post(URL, {"identity": "t-first", "action": "login"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify")
    teacher = User.objects.get(inservice_account="t-first")
    assert client.session["_auth_user_id"] == str(teacher.pk)
    assert teacher.username == "sso:t-first"
    assert teacher.role == Role.TEACHER
    assert teacher.name == "陳新進"
    assert teacher.profile.school == songshan
    assert teacher.county == factories.county("臺北市")
    assert messages_of(response) == []


def test_a_verified_teacher_goes_to_certification(client, dev, teacher):
    response = client.post(
        URL,
        {
            "identity": "custom",
            "sub": "t-huang",
            "name": "黃測試",
            "school": "臺北市立測試國小",
            "title_code": "8",
            "county": "臺北市",
            "action": "login",
        },
    )

    assert response["Location"] == reverse("certification:index")
    assert client.session["_auth_user_id"] == str(teacher.pk)


def test_the_unknown_demo_identity_is_let_in_with_a_warning(client, dev):
    response = client.post(URL, {"identity": "t-unknown", "action": "login"})

    assert response["Location"] == reverse("accounts:verify")
    teacher = User.objects.get(inservice_account="t-unknown")
    assert teacher.profile.title_code_value == "99"
    assert messages_of(response) == [
        "您的服務學校、縣市或職稱代碼（服務學校「測試縣立不存在國小」、學校所屬縣市「測試縣」、職稱代碼「99」）"
        "不在平臺資料中，請聯繫所屬縣市之教專中心或教師專業發展支持作業平臺工作小組更正。"
    ]


def test_a_typed_identity_needs_an_account_and_a_name(client, dev):
    response = client.post(URL, {"identity": "custom", "school": "臺北市立松山國民小學", "action": "login"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "請輸入全教網帳號。" in page
    assert "請輸入姓名。" in page
    assert "請修正下方標示的欄位。" in page
    # What was typed stays on the page.
    assert 'value="臺北市立松山國民小學"' in page
    assert not User.objects.exists()
    assert "_auth_user_id" not in client.session


def test_an_unknown_choice_is_refused(client, dev):
    response = client.post(URL, {"identity": "t-nobody", "action": "login"})

    assert response.status_code == 200
    assert "請選擇登入身分。" in response.content.decode()
    assert not User.objects.exists()


def test_cancel_returns_to_login_with_nobody_signed_in(client, dev, teacher):
    client.force_login(teacher)

    response = client.post(URL, {"identity": "t-first", "action": "cancel"})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert messages_of(response) == ["您已取消登入。"]
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(inservice_account="t-first").exists()


def test_a_staff_account_is_not_taken_over_here_either(client, dev, admin_user):
    admin_user.inservice_account = "t-admin"
    admin_user.save()

    response = client.post(URL, {"identity": "custom", "sub": "t-admin", "name": "冒用者", "action": "login"})

    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert any("縣市與管理者登入" in message for message in messages_of(response))
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    assert admin_user.name == "工作小組"


def test_the_form_is_protected_against_cross_site_posts(dev):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(URL, {"identity": "t-first", "action": "login"})

    assert response.status_code == 403
    assert not User.objects.exists()


def test_the_page_that_asked_for_login_comes_back_after_it(client, dev, teacher):
    client.get(reverse("accounts:sso_start"), {"next": "/certification/?year=113"})

    response = client.post(
        URL,
        {
            "identity": "custom",
            "sub": "t-huang",
            "name": "黃測試",
            "school": "臺北市立測試國小",
            "title_code": "8",
            "county": "臺北市",
            "action": "login",
        },
    )

    assert response["Location"] == "/certification/?year=113"


def test_a_next_address_on_another_site_is_ignored(client, dev, teacher):
    client.get(reverse("accounts:sso_start"), {"next": "https://evil.example/"})

    response = client.post(URL, {"identity": "custom", "sub": "t-huang", "name": "黃測試", "action": "login"})

    assert response["Location"] == reverse("certification:index")
