"""無障礙聲明: linked from every page's footer; says the level aimed at, how it is checked, the known
gaps, and whom to tell."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:accessibility")


@pytest.mark.parametrize("route", ["portal:home", "portal:downloads", "verify:form", "accounts:login"])
def test_every_page_links_to_the_statement(client, route):
    assert f'<a href="{PAGE}">無障礙聲明</a>' in client.get(reverse(route)).content.decode()


def test_a_signed_in_page_links_to_it_too(client, teacher):
    client.force_login(teacher)

    assert f'<a href="{PAGE}">無障礙聲明</a>' in client.get(reverse("certification:index")).content.decode()


def test_the_statement_says_the_level_how_it_is_tested_the_gaps_and_whom_to_tell(client, settings):
    settings.CONTACT_EMAIL = "tsps@example.edu.tw"

    text = client.get(PAGE).content.decode()

    assert '<h1 class="h4">無障礙聲明</h1>' in text
    assert "WCAG 2.1" in text and "AA 等級" in text and "部分符合" in text
    for heading in ("符合等級", "如何檢測", "已知尚未符合的項目", "意見回饋"):
        assert f">{heading}</h2>" in text
    assert 'href="mailto:tsps@example.edu.tw"' in text


def test_without_a_contact_address_it_sends_people_to_their_county(client, settings):
    settings.CONTACT_EMAIL = ""

    text = client.get(PAGE).content.decode()

    assert "mailto:" not in text and "所屬縣市的教師專業發展中心" in text
