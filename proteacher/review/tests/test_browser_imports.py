"""In Chromium: 管理者 loads a schools file and a reviewer roster through 資料匯入. Each first file has
one bad row: the page names it and nothing is written. The corrected file is checked, confirmed,
and the page's progress bar runs to the end by itself; the rows are there. The new 委員 sets a
password through the emailed link, signs in (setting up the second factor) and is assigned.

The worker is driven between the steps (imports.load_imports, as its job runs it) while the page
polls on its own; nothing reloads the page until the test checks that a reload shows the same."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from proteacher.accounts.models import User
from proteacher.certification import selectors, workflow
from proteacher.registry.models import School
from proteacher.review import imports, office
from proteacher.review.models import Reviewer
from proteacher.testing import review_walk as walk
from proteacher.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCHOOLS = "學校代碼,學校名稱,縣市\n{rows}"
GOOD_SCHOOL_ROWS = "913301,臺北市立匯入測試國民中學,臺北市\n913302,臺北市立匯入測試國民小學,臺北市\n"
BAD_SCHOOL_ROWS = "913301,臺北市立匯入測試國民中學,臺北市\n913302,臺北市立匯入測試國民小學,北極市\n"
ROSTER = "帳號,姓名,Email,服務學校,縣市,可審類別\n{row}"
NEW_REVIEWER = "reviewer-new,周新委員,reviewer-new@proteacher.example.tw,313303,臺北市,{types}\n"
PASSWORD = "Roster-Chou-2026!"


def upload(page, tmp_path, kind: str, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    walk.workspace(page, "資料匯入")
    expect(page.get_by_role("heading", name="資料匯入", exact=True)).to_be_visible()
    page.get_by_role("combobox", name="資料類別").select_option(label=kind)
    page.get_by_label(re.compile("^檔案")).set_input_files(path)
    page.get_by_role("button", name="上傳並檢查").click()
    walk.expect_flash(page, f"已上傳「{name}」。")
    expect(page.locator(".import-state")).to_have_text("檢查中")


def state(page, label: str):
    expect(page.locator(".import-state")).to_have_text(label)


def expect_refused(page, line: int, reason: str) -> None:
    imports.load_imports()
    state(page, "有錯誤")
    row = page.get_by_role("table", name="錯誤的行與原因").get_by_role("row").nth(1)
    expect(row).to_have_text(re.compile(rf"第 {line} 行\s*{re.escape(reason)}"))
    expect(page.get_by_role("button", name="確認匯入")).to_have_count(0)


def check_confirm_and_watch(page, rows: int, created: int) -> None:
    """The worker checks; 待確認 with the counts; 確認匯入; the bar fills while the page polls."""
    imports.load_imports()
    state(page, "待確認")
    expect(page.locator(".import-result")).to_contain_text(f"共 {rows} 筆：將新增 {created} 筆")
    page.get_by_role("button", name="確認匯入").click()
    walk.expect_flash(page, "已確認匯入。")
    state(page, "匯入中")
    bar = page.get_by_role("progressbar", name="匯入進度")
    expect(bar).to_have_attribute("value", "0")
    expect(bar).to_have_attribute("max", str(rows))
    # A mark the page keeps only as long as it is not reloaded.
    page.evaluate("window.notReloaded = true")
    imports.load_imports()
    state(page, "已匯入")
    expect(bar).to_have_attribute("value", str(rows))
    expect(bar).to_have_attribute("max", str(rows))
    expect(page.locator(".import-result")).to_have_text(f"已匯入 {rows} 筆：新增 {created}、更新 0、未變更 0。")
    assert page.evaluate("window.notReloaded === true")
    page.reload()
    state(page, "已匯入")


def test_admin_loads_schools_and_a_roster_and_the_new_reviewer_is_assigned(demo, tmp_path):
    admin = demo.roles.staff("admin")

    # Schools: one bad row, nothing written; corrected, loaded.
    upload(admin, tmp_path, "學校", "學校.csv", SCHOOLS.format(rows=BAD_SCHOOL_ROWS))
    expect_refused(admin, 3, "縣市「北極市」不在縣市主檔中")
    assert not School.objects.filter(code__in=["913301", "913302"]).exists()
    screenshot(admin, "import-refused")
    upload(admin, tmp_path, "學校", "學校（修正）.csv", SCHOOLS.format(rows=GOOD_SCHOOL_ROWS))
    check_confirm_and_watch(admin, rows=2, created=2)
    assert set(School.objects.filter(code__in=["913301", "913302"]).values_list("name", flat=True)) == {
        "臺北市立匯入測試國民中學",
        "臺北市立匯入測試國民小學",
    }
    screenshot(admin, "import-done")

    # The roster: one bad row (an unknown type), nothing written; corrected, loaded.
    upload(admin, tmp_path, "審查委員", "委員名冊.csv", ROSTER.format(row=NEW_REVIEWER.format(types="高階認證")))
    expect_refused(admin, 2, "可審類別「高階認證」不是認證類別（")
    assert not User.objects.filter(username="reviewer-new").exists()
    upload(admin, tmp_path, "審查委員", "委員名冊.csv", ROSTER.format(row=NEW_REVIEWER.format(types=walk.TYPE)))
    check_confirm_and_watch(admin, rows=1, created=1)

    # The history lists both files of each kind with their states.
    walk.workspace(admin, "資料匯入")
    history = admin.get_by_role("table", name="匯入紀錄，最新的在前")
    expect(history.get_by_role("row").nth(1)).to_contain_text("委員名冊.csv")
    expect(history.get_by_role("row").nth(1)).to_contain_text("已匯入")
    expect(history.get_by_role("row").nth(2)).to_contain_text("有錯誤")

    # The new 委員: the email's link, a password, the first sign-in with the second factor.
    message = demo.mailbox.take("審查委員帳號開通通知")
    assert message.rcpt_tos == ["reviewer-new@proteacher.example.tw"]
    link = re.search(r"https?://\S+/password/reset/\S+", message.text).group(0)
    reviewer = demo.roles.new_page()
    reviewer.goto(reviewer.base_url + urlsplit(link).path)
    reviewer.get_by_label(re.compile("^新密碼")).fill(PASSWORD)
    reviewer.get_by_label(re.compile("^確認新密碼")).fill(PASSWORD)
    reviewer.get_by_role("button", name="設定新密碼").click()
    walk.sign_in_staff(reviewer, "reviewer-new", PASSWORD)

    # 管理者 assigns them to the demo teacher's 進階 case waiting for 初審 委員.
    case = _case_waiting_for_reviewers()
    new = User.objects.get(username="reviewer-new")
    assert list(Reviewer.objects.get(user=new).certification_types.values_list("name", flat=True)) == [walk.TYPE]
    admin.goto(admin.base_url + f"/review/cases/{case.pk}/")
    walk.assign_reviewers(admin, "初審", ["周新委員"])
    walk.workspace(reviewer, "審查案件")
    mine = reviewer.get_by_role("table").first.get_by_role("row").nth(1)
    expect(mine).to_contain_text(walk.TYPE)
    expect(mine).to_contain_text("初審")
    expect(mine).to_contain_text("未送出")


def _case_waiting_for_reviewers():
    """The demo teacher's 進階 case, sent and passed by 形式審查 (the pages for those steps are
    clicked in test_browser_paths)."""
    teacher = walk.demo_teacher()
    officer = User.objects.get(username="taipei")
    case = walk.factories.case(teacher)
    walk.fill_every_slot(case)
    workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)
    verdicts = {slot.code: {"ok": True, "reason": ""} for slot in selectors.case_slots(case)}
    office.formal_review(case, officer, verdicts, True, expected_revision=case.revision)
    assert case.state == workflow.State.FIRST_ASSIGN
    return case
