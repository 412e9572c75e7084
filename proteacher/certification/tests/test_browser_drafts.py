"""A teacher's typed work is never lost, clicked through in Chromium on the demo data: 自動儲存 across a
closed browser, 儲存 after the session ended, the idle-session warning, and two tabs of one form."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.certification.models import SlotAnswer, SlotDraft
from proteacher.testing import factories
from proteacher.testing.review_walk import Roles, demo_teacher, load_demo_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTEXT_FIELD = "1.課程脈絡"
NOTICE = re.compile(r"已載入 \d{2}:\d{2} 自動儲存的草稿，請按「儲存」確認。")


@pytest.fixture
def roles(chromium, live_server, settings):
    # The demo data of make run, and the way in a teacher uses: SSO (the development identity page).
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""
    load_demo_data()
    people = Roles(chromium, live_server.url)
    yield people
    people.close()


@pytest.fixture
def form_url(roles):
    case = factories.case(demo_teacher(), "advanced")
    path = reverse("certification:slot_edit", args=[case.pk, "pre_conference"])
    return roles.base_url + path + "?template=pre_conference_a"


def status(page):
    return page.locator("[data-autosave-status]")


def test_typing_is_kept_when_the_browser_closes(roles, form_url):
    page = roles.teacher()
    page.goto(form_url)
    page.get_by_label(CONTEXT_FIELD).fill("學習目標：能說出分數的意義。")
    expect(status(page)).to_have_text(re.compile(r"^已自動儲存 \d{2}:\d{2}$"))

    page.context.close()  # the browser is closed: its session cookie goes with it
    page = roles.teacher()
    page.goto(form_url)

    expect(page.get_by_text(NOTICE)).to_be_visible()
    expect(page.get_by_label(CONTEXT_FIELD)).to_have_value("學習目標：能說出分數的意義。")
    page.get_by_role("button", name="儲存", exact=True).first.click()
    expect(page.get_by_role("status")).to_contain_text("已儲存。")
    assert SlotAnswer.objects.get(slot_code="pre_conference").data["context"] == "學習目標：能說出分數的意義。"
    assert not SlotDraft.objects.exists()


def test_a_save_after_the_session_ended_is_kept_through_signing_in(roles, form_url):
    page = roles.teacher()
    page.goto(form_url)
    page.get_by_label(CONTEXT_FIELD).fill("學生經驗：")
    expect(status(page)).to_contain_text("已自動儲存")

    Session.objects.all().delete()  # idle for SESSION_IDLE_MINUTES
    page.get_by_label(CONTEXT_FIELD).fill("學生經驗：已學過等分的概念。")
    page.get_by_role("button", name="儲存", exact=True).first.click()

    expect(page).to_have_title(re.compile("^使用者登入"))
    page.get_by_role("link", name="全國教師在職進修資訊網 帳號漫遊登入").click()
    page.get_by_label("黃測試").check()
    page.get_by_role("button", name="確定登入").click()
    page.wait_for_url(form_url)
    expect(page.get_by_text(NOTICE)).to_be_visible()
    expect(page.get_by_label(CONTEXT_FIELD)).to_have_value("學生經驗：已學過等分的概念。")
    assert not SlotAnswer.objects.exists()


def test_an_autosave_after_the_session_ended_keeps_the_text_on_the_page(roles, form_url):
    page = roles.teacher()
    page.goto(form_url)
    Session.objects.all().delete()

    page.get_by_label(CONTEXT_FIELD).fill("教學流程：")
    page.get_by_label(CONTEXT_FIELD).blur()

    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("登入已逾時，內容已保留在此頁，請重新登入後按「儲存」")
    expect(page.get_by_label(CONTEXT_FIELD)).to_have_value("教學流程：")
    backup = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('proteacher.form:')).length")
    assert backup == 1


def test_the_idle_warning_offers_to_go_on(roles, form_url, settings):
    settings.SESSION_COOKIE_AGE = 12
    settings.SESSION_WARNING_SECONDS = 10
    page = roles.teacher()
    page.goto(form_url)
    [key] = [cookie["value"] for cookie in page.context.cookies() if cookie["name"] == settings.SESSION_COOKIE_NAME]

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(re.compile(r"您已閒置一段時間，將於 \d+ 分鐘後自動登出。"))
    before = Session.objects.get(session_key=key).expire_date
    dialog.get_by_role("button", name="繼續使用").click()

    expect(dialog).to_be_hidden()
    assert Session.objects.get(session_key=key).expire_date > before


def test_the_warning_says_when_the_session_has_ended(roles, form_url, settings):
    settings.SESSION_COOKIE_AGE = 3
    settings.SESSION_WARNING_SECONDS = 2
    page = roles.teacher()
    page.goto(form_url)

    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("您已閒置過久，系統已自動登出。")
    expect(dialog.get_by_role("link", name="重新登入")).to_have_attribute("href", re.compile(r"next="))


def test_a_second_tab_is_told_its_form_was_saved_elsewhere_and_keeps_its_text(roles, form_url):
    first = roles.teacher()
    second = first.context.new_page()
    first.goto(form_url)
    second.goto(form_url)

    first.get_by_label(CONTEXT_FIELD).fill("第一個視窗的內容")
    first.get_by_role("button", name="儲存", exact=True).first.click()
    expect(first.get_by_role("status")).to_contain_text("已儲存。")

    second.get_by_label(CONTEXT_FIELD).fill("第二個視窗的內容")
    expect(second.get_by_role("alert")).to_contain_text("此表單已在其他視窗儲存過")
    expect(second.get_by_label(CONTEXT_FIELD)).to_have_value("第二個視窗的內容")
    second.get_by_role("button", name="儲存", exact=True).first.click()
    expect(second.get_by_role("status")).to_contain_text("此表單已在其他視窗儲存過")
    expect(second.get_by_label(CONTEXT_FIELD)).to_have_value("第二個視窗的內容")

    assert SlotAnswer.objects.get(slot_code="pre_conference").data["context"] == "第一個視窗的內容"
