"""Every type to 已發證 in Chromium, as the 進階 walk of test_browser_paths goes: 初階 (its three
online forms), 教學輔導教師 (all twelve slots, five of them uploads and the 推薦表 its school fills),
and a fourth type that 管理者 adds under 認證設定 in the browser, with no code and no migration for it.

Each walk is the demo data of make run, the people who take each step signed in as they sign in,
and at the steps the teacher is told of, the 訊息通知 and its email read the type's own names.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from proteacher.certification import workflow
from proteacher.certification.models import CertificationType
from proteacher.dates import add_months, roc_date, today
from proteacher.testing import review_walk as walk
from proteacher.testing.browser import screenshot
from proteacher.testing.review_walk import BASIC, MENTOR, Applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSED = "通過 (認證資料完整詳實)"
DAY = datetime.timedelta(days=1)


def told(demo, page, who: Applicant, action: str) -> None:
    """The message the table sends for `action`, in 訊息通知 and by email, with the type's names."""
    kind = CertificationType.objects.get(name=who.type_name)
    title, body = workflow.notice_of(action, kind)
    assert any(name in title + body for name in (who.type_name, who.short, who.training))
    walk.expect_notification(page, demo.mailbox, title, body, to=who.email)


def to_certificate(demo, who: Applicant, letter: str, shots: str = "") -> None:
    """The teacher applies and fills every slot, sends; 縣市 passes 形式審查 and assigns 王委員, who
    hands in the 審查標準表 with 通過; 縣市 decides 通過; 管理者 approves and issues. The
    certificate carries the type's letter, and 個人資訊 → 認證證號 lists it."""
    teacher = demo.roles.teacher(who.name)
    case_url = walk.apply_and_fill_every_slot(teacher, demo.pdf, who)
    if shots:
        screenshot(teacher, f"{shots}-case-filled")
    walk.press(teacher, "送出審查文件", "已送出審查文件。")
    walk.expect_state(teacher, "形式審查")
    told(demo, teacher, who, "submit")

    office = demo.roles.staff("taipei")
    walk.open_office_case(office, "形式審查", who.name, who.short)
    walk.formal_review(office, passed=True)
    walk.expect_state(office, "初審分發委員")
    told(demo, teacher, who, "formal_pass")
    walk.assign_reviewers(office, "初審", ["王委員"])
    walk.expect_state(office, "初審")

    reviewer = demo.roles.staff("reviewer1")
    walk.review(reviewer, "初審", PASSED, "資料完整", short=who.short)
    teacher.goto(case_url)
    walk.expect_state(teacher, "初審判定")

    walk.open_office_case(office, "初審判定", who.name, who.short)
    walk.decide(office, "1. 通過 / 修正後通過 (代表通過)")
    walk.expect_state(office, "通過")
    told(demo, teacher, who, "first_pass")

    admin = demo.roles.staff("admin")
    walk.issue(admin, who.name, short=who.short)
    told(demo, teacher, who, "approve")
    told(demo, teacher, who, "issue")
    teacher.goto(case_url)
    walk.expect_state(teacher, "已發證")

    case = walk.the_case(who)
    number = f"臺北證號第{letter}{case.academic_year:03d}000001號"
    # 教學輔導教師: valid through the day before the tenth anniversary of today.
    kind = CertificationType.objects.get(name=who.type_name)
    valid_through = roc_date(add_months(today(), 12 * kind.validity_years) - DAY) if kind.validity_years else "無期限"
    walk.expect_certificate(teacher, number, case.academic_year, today().isoformat(), who, valid_through)
    if shots:
        screenshot(teacher, f"{shots}-certificate")
    assert demo.mailbox.pending == []
    # Every email the teacher received names this type, and no other (the old system mixed them up).
    subjects = [message.subject for message in demo.mailbox.server.messages]
    others = CertificationType.objects.exclude(name=who.type_name)
    assert len(subjects) == 5
    assert all(who.type_name in subject or who.short in subject for subject in subjects), subjects
    assert not any(other.name in subject or other.short_name in subject for other in others for subject in subjects)


def test_basic_goes_to_its_certificate(demo):
    to_certificate(demo, BASIC, "A")


def test_mentor_fills_every_slot_and_goes_to_its_certificate(demo):
    assert CertificationType.objects.get(code="mentor").slots.count() == 12
    to_certificate(demo, MENTOR, "C", shots="mentor")


COACH = Applicant("黃測試", "t-eligible", "學習領導教練認證", "教練認證", "學習領導教練")
COACH_SLOTS = [
    ("觀察前會談紀錄表", "觀察前會談紀錄表-甲 (觀課人員填寫)"),
    ("觀察紀錄表", "軼事紀錄表"),
    ("觀察後回饋會談紀錄表", "觀察後回饋會談紀錄表-甲 (觀課人員填寫)"),
]


def add_type_in_the_browser(admin) -> None:
    """功能專區 → 認證設定 → 新增認證類別, its three 表單項目, and one 資格規則 (現職教師)."""
    walk.workspace(admin, "認證設定")
    admin.get_by_role("link", name="新增認證類別").click()
    admin.get_by_label("代碼").fill("coach")
    admin.get_by_label("認證名稱").fill(COACH.type_name)
    admin.get_by_label("簡稱").fill(COACH.short)
    admin.get_by_label("證號字母").fill("D")
    admin.get_by_label("培訓名稱").fill(COACH.training)
    admin.get_by_label("審查標準表").select_option(label="初階審查標準表")
    expect(admin.get_by_label("開放申請")).to_be_checked()
    admin.get_by_role("button", name="新增認證類別").click()
    walk.expect_flash(admin, f"已新增「{COACH.type_name}」")
    expect(admin.get_by_role("heading", name=COACH.type_name, level=1)).to_be_visible()

    for label, template in COACH_SLOTS:
        added = admin.get_by_role("region", name="新增表單項目")
        added.get_by_label("表單項目").fill(label)
        added.get_by_label(re.compile(f"^{re.escape(template)}")).check()
        added.get_by_role("button", name="新增表單項目").click()
        walk.expect_flash(admin, f"已新增表單項目「{label}」")
    screenshot(admin, "settings-new-type-slots")

    admin.get_by_role("link", name="資格規則").first.click()
    expect(admin.get_by_text("尚無適用的資格規則，教師無法申請")).to_be_visible()
    admin.get_by_label("新增規則的檢核方式").select_option(label="現職教師（有服務學校與職稱代碼）")
    admin.get_by_role("button", name="新增規則").click()
    rule = admin.get_by_role("group", name=re.compile("^規則 1"))
    rule.get_by_label("項目").fill("身份")
    rule.get_by_label("條件").fill("現職教師")
    admin.get_by_role("button", name="儲存為新版本").click()
    walk.expect_flash(admin, "已儲存資格規則第")


def test_a_type_added_under_settings_goes_to_a_certificate_of_its_own(demo):
    admin = demo.roles.staff("admin")
    add_type_in_the_browser(admin)

    to_certificate(demo, COACH, "D", shots="new-type")
