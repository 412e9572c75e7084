"""In Chromium: 管理者 opens 統計 from 功能專區 on a generated year, narrows it to one county, and the
page (charts and tables) stays inside a phone's 390 px without breaking the policies."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.accounts.models import User
from proteacher.dates import current_academic_year
from proteacher.testing import review_walk
from proteacher.testing.browser import screenshot, sign_in_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_reads_one_countys_year_on_a_phone(page, settings):
    settings.DEBUG = True
    review_walk.load_demo_data()
    call_command("generate_year", year=current_academic_year() - 1, cases=300, seed=2, stdout=io.StringIO())

    sign_in_with_session(page, User.objects.get(username="admin"))
    page.set_viewport_size({"width": 390, "height": 844})
    # On a phone the menu is folded away: 功能專區 by its address.
    page.goto(page.base_url + reverse("portal:workspace"))
    page.get_by_role("link", name="統計").click()

    expect(page.get_by_role("heading", name="統計", exact=True)).to_be_visible()
    page.get_by_label("縣市", exact=True).select_option(label="臺北市")
    page.get_by_role("button", name="查詢").click()

    counties = page.locator("table[data-stat=by_county] tbody tr")
    expect(counties).to_have_count(1)
    expect(counties.first).to_contain_text("臺北市")
    expect(page.get_by_role("img", name="各縣市申請件數長條圖，數字見下表")).to_be_visible()
    expect(page.locator("[data-percentile-note]")).to_contain_text("最近序位法")
    # Nothing wider than the phone: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "statistics-phone")
