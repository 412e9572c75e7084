"""A refused form post (an expired page) says in Chinese what happened and what to do; it changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROFILE = "accounts:profile"


@pytest.fixture
def strict(teacher):
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    return client


def test_an_expired_page_is_explained_in_chinese(strict):
    response = strict.post(reverse(PROFILE), {"phone": "0912345678"})

    page = response.content.decode()
    assert response.status_code == 403
    assert "<title>頁面已過期 - 教師專業發展支持作業平臺</title>" in page
    assert "頁面已過期，這次送出沒有處理。" in page
    assert "請回到上一頁，<strong>重新整理</strong>後再操作一次。" in page
    assert "線上表單會自動儲存草稿，重新整理後，已輸入的內容仍會保留。" in page
    assert "CSRF" not in page and "Forbidden" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_it_leads_back_to_the_page_the_post_came_from(strict):
    origin = "http://testserver" + reverse(PROFILE)

    page = strict.post(reverse(PROFILE), {}, HTTP_REFERER=origin).content.decode()

    assert f'<a class="btn btn-success" href="{origin}">回上一頁並重新整理</a>' in page


def test_it_never_leads_to_another_site(strict):
    page = strict.post(reverse(PROFILE), {}, HTTP_REFERER="https://evil.example/form").content.decode()

    assert "evil.example" not in page
    assert "回上一頁並重新整理" not in page
    assert "回到首頁" in page


def test_a_signed_out_visitor_reads_it_too():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "頁面已過期" in response.content.decode()
