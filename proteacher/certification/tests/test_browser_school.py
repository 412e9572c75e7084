"""學校承辦人 in Chromium (issue 13): 臺北市 grants the role to a teacher of 成淵高中 on its page;
that teacher signs in through 帳號漫遊登入, finds 學校專區 in the menu, reads the school's 認證總表
and not another school's (404), and fills the 推薦表 of a 教學輔導教師 candidate of the school, whose
流程進度 then shows the slot done, filled by the school, with nothing for the teacher to change."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.accounts import school_officers
from proteacher.accounts.models import User
from proteacher.certification.models import SlotAnswer
from proteacher.registry.models import School
from proteacher.testing import factories
from proteacher.testing import review_walk as walk
from proteacher.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOL = "臺北市立成淵高級中學"
OTHER_SCHOOL = "臺北市立建國高級中學"


@pytest.fixture
def roles(chromium, live_server, settings):
    # The development identity page stands in for the national network's SSO.
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""
    walk.load_demo_data()
    # make run's demo already made 黃測試 成淵's 學校承辦人: taken back, so 臺北市 grants it here.
    taipei = User.objects.get(username="taipei")
    for grant in school_officers.grants_visible_to(taipei):
        school_officers.revoke(taipei, grant.pk)
    roles = walk.Roles(chromium, live_server.url)
    yield roles
    roles.close()


def signed_in_as(roles, user):
    """A browser of a teacher who is not one of the identity page's demo people (a session cookie)."""
    page = roles.new_page()
    client = Client()
    client.force_login(user)
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    page.context.add_cookies([cookie | {"url": page.base_url}])
    return page


def test_the_county_grants_and_the_school_recommends_its_candidate(roles):
    candidate = factories.teacher(name="陳推薦", account="t-candidate", school_name=SCHOOL)
    case = factories.case(candidate, "mentor")
    chengyuan = School.objects.get(name=SCHOOL)
    other = School.objects.get(name=OTHER_SCHOOL)

    # 臺北市: 功能專區 → 學校承辦人 → the school and its teacher → 授權.
    office = roles.staff("taipei")
    walk.workspace(office, "學校承辦人")
    office.get_by_role("combobox", name=re.compile("^學校")).select_option(label=f"{chengyuan.code} {SCHOOL}")
    office.get_by_label("教師姓名或全教網帳號").fill("黃測試")
    office.get_by_role("button", name="授權").click()
    walk.expect_flash(office, f"已授權「黃測試」為「{SCHOOL}」的學校承辦人。")
    expect(office.get_by_role("table", name="目前的學校承辦人")).to_contain_text("黃測試")

    # The teacher signs in as any teacher does; the grant adds 學校專區 to the menu.
    officer = roles.teacher("黃測試")
    walk.nav(officer, "學校專區")
    expect(officer.get_by_role("heading", name=f"{SCHOOL} 認證總表")).to_be_visible()
    overview_url = officer.url
    row = officer.get_by_role("table", name=f"{SCHOOL} 認證總表").get_by_role("row").filter(has_text="陳推薦")
    expect(row).to_contain_text("教學輔導教師認證")
    expect(row).to_contain_text("準備資料")
    expect(row).to_contain_text("待學校填寫")
    screenshot(officer, "school-overview")

    # Another school's 認證總表 is not there for this account: asked with the browser's session (the
    # live server runs with DEBUG on, whose 404 page goes without the policy header a test requires).
    response = officer.context.request.get(officer.base_url + reverse("school:overview", args=[other.code]))
    assert response.status == 404
    assert OTHER_SCHOOL not in response.text()

    # 填寫 the 推薦表: the school's meeting, its decision, the principal, the reasons.
    row.get_by_role("link", name=re.compile("^填寫")).click()
    expect(officer.get_by_role("heading", name="學校推薦表")).to_be_visible()
    expect(officer.get_by_label("被推薦教師")).to_have_value("陳推薦")
    officer.get_by_label("會議名稱").fill("115學年度第1次教師專業發展會議")
    officer.get_by_label("會議日期").fill("2026-11-20")
    officer.get_by_label("推薦", exact=True).check()
    officer.get_by_label("校長姓名").fill("王校長")
    officer.get_by_label("推薦理由").fill("長期擔任領域召集人，協助同儕專業成長。")
    walk.save_form(officer)
    walk.expect_flash(officer, "已儲存「陳推薦」的推薦表。")
    officer.goto(overview_url)
    expect(row).to_contain_text("已完成")

    answer = SlotAnswer.objects.get(case=case, slot_code="recommendation")
    assert answer.is_complete and answer.data["decision"] == "recommend" and answer.data["principal"] == "王校長"

    # The candidate's 流程進度: the slot is done, filled by the school, with nothing to choose or edit.
    teacher = signed_in_as(roles, candidate)
    teacher.goto(teacher.base_url + reverse("certification:case", args=[case.pk]))
    slot = walk.slot_row(teacher, "推薦表")
    expect(slot).to_contain_text("由學校填寫")
    expect(slot).to_contain_text("已完成")
    expect(slot.get_by_role("button", name="新增")).to_have_count(0)
    expect(slot.get_by_role("link", name="編輯")).to_have_count(0)
    screenshot(teacher, "school-recommendation-done")
