"""API 權杖 as 管理者 uses it: 新增 shows the token once, the list never shows it again, 撤銷 asks
first and the token stops working at once."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from proteacher.api.models import ApiToken
from proteacher.api.tests.conftest import bearer
from proteacher.dates import today

pytestmark = pytest.mark.django_db


def form(**changes) -> dict:
    return {
        "name": "臺北市研習系統",
        "county": "",
        "scopes": ["cases:read", "training:write"],
        "expires_on": (today() + datetime.timedelta(days=90)).isoformat(),
        "rate_limit_per_minute": "120",
    } | changes


def test_the_workspace_links_to_the_tokens(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("portal:workspace")).content.decode()

    assert reverse("api:tokens") in page
    assert "API 權杖" in page


def test_the_form_offers_a_year_and_60_calls_a_minute(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("api:token_new")).content.decode()

    # In the form a date field reads (ISO), or the browser's date picker shows it empty.
    assert f'value="{(today() + datetime.timedelta(days=365)).isoformat()}"' in page
    assert 'value="60"' in page


def test_a_new_token_is_shown_once_and_works(client, admin_user, taipei):
    client.force_login(admin_user)

    response = client.post(reverse("api:token_new"), form(county=str(taipei.pk)))

    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r'value="(ptk_[0-9a-f]{10}_[A-Za-z0-9_-]{43})"', page).group(1)
    assert "權杖只顯示這一次" in page
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get()
    assert (token.name, token.county, token.scopes, token.rate_limit_per_minute) == (
        "臺北市研習系統",
        taipei,
        ["cases:read", "training:write"],
        120,
    )
    assert token.created_by == admin_user
    listed = client.get(reverse("api:tokens")).content.decode()
    assert f"ptk_{token.prefix}_" in listed
    assert raw not in listed
    assert client.get("/api/v1/cases", headers=bearer(raw)).status_code == 200


def test_the_token_works_through_its_last_day(client, admin_user):
    client.force_login(admin_user)
    last_day = today() + datetime.timedelta(days=10)
    page = client.post(reverse("api:token_new"), form(expires_on=last_day.isoformat())).content.decode()
    raw = re.search(r'value="(ptk_[^"]+)"', page).group(1)
    end = timezone.make_aware(datetime.datetime.combine(last_day, datetime.time(23, 59)))

    with time_machine.travel(end, tick=False):
        assert client.get("/api/v1/cases", headers=bearer(raw)).status_code == 200
    with time_machine.travel(end + datetime.timedelta(minutes=1), tick=False):
        assert client.get("/api/v1/cases", headers=bearer(raw)).json()["code"] == "token_expired"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "  "}, "請輸入權杖名稱。"),
        ({"scopes": []}, "請至少選擇一項權限範圍。"),
        ({"scopes": ["everything"]}, "請選擇有效的權限範圍。"),
        ({"expires_on": ""}, "請輸入到期日。"),
        ({"expires_on": "2020-02-30"}, "請輸入有效的日期"),
        ({"expires_on": (today() - datetime.timedelta(days=1)).isoformat()}, "到期日不可早於今天。"),
        ({"expires_on": (today() + datetime.timedelta(days=366)).isoformat()}, "到期日最長為 365 天後。"),
        ({"rate_limit_per_minute": "0"}, "每分鐘呼叫上限至少為 1 次。"),
        ({"rate_limit_per_minute": "99999"}, "每分鐘呼叫上限最多為 6000 次。"),
        ({"county": "999999"}, "請選擇有效的縣市。"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_keeps_the_rest(client, admin_user, changes, message):
    client.force_login(admin_user)

    response = client.post(reverse("api:token_new"), form(**changes))

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if "name" not in changes:
        assert 'value="臺北市研習系統"' in page  # what was typed is still there
    assert not ApiToken.objects.exists()


def test_revoking_asks_first_and_stops_the_token_at_once(client, admin_user, issue):
    token, raw = issue(name="臺中市系統")
    client.force_login(admin_user)

    confirm = client.get(reverse("api:token_revoke", args=[token.pk])).content.decode()
    assert "確定要撤銷 API 權杖「臺中市系統」" in confirm
    assert not ApiToken.objects.get().is_revoked

    response = client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)

    page = response.content.decode()
    assert "已撤銷 API 權杖「臺中市系統」" in page
    assert "已撤銷" in page
    token.refresh_from_db()
    assert token.revoked_by == admin_user
    assert client.get("/api/v1/cases", headers=bearer(raw)).json()["code"] == "token_revoked"
    again = client.post(reverse("api:token_revoke", args=[token.pk]), follow=True).content.decode()
    assert "已經撤銷過了" in again


def test_an_unknown_token_page_is_404(client, admin_user):
    client.force_login(admin_user)

    assert client.get(reverse("api:token_revoke", args=[424242])).status_code == 404
