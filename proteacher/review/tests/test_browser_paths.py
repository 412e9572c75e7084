"""Every path of SPEC §6, clicked in Chromium by the people who take each step, signed in as they
sign in: the teacher through 帳號漫遊登入, 縣市 (taipei), 委員 (reviewer1, reviewer3) and 管理者
(admin) through 縣市與管理者登入. At each step the teacher is told of, the test reads the 狀態 of
流程進度, the message in 訊息通知 (標題, 內容, 確認) and the email the worker sends (SPEC §7).

The demo data of make run (load_demo). Steps that another path already clicks may be prepared
through the services the pages call (review_walk.prepare_case); every decision and transition a
path is named after is clicked here.
"""

import datetime
import hashlib
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from proteacher.certification import workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import CertificationType, SlotAnswer, Submission
from proteacher.certification.workflow import State
from proteacher.dates import today
from proteacher.testing import review_walk as walk
from proteacher.testing.browser import screenshot
from proteacher.testing.review_walk import SHORT, TRAINING, TYPE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# SPEC §7, word for word, for 進階.
FORMAL_RETURN = (f"申請{TYPE}退件", f"感謝您申請{TYPE}，因您的認證資料有誤，請依形式審查意見補齊後再重新申請認證。")
FIRST_PASS = (
    f"{TYPE}通過",
    f"感謝您申請{TYPE}，您的初審結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
)
FIRST_REVISE = (
    f"{TYPE}請修正送複審",
    f"感謝您申請{TYPE}，您的初審結果為修正後複審，請您依據審查委員意見修正後再申請複審。"
    "如有需要，可洽詢所屬縣市之教專中心安排複審諮詢，謝謝。",
)
FIRST_FAIL = (
    f"初審{TYPE}未通過",
    f"感謝您申請{TYPE}，因資料有所不足，初審委員評為認證不通過，敬請參閱審查意見以做為未來專業回饋之參考。"
    "您若對審查意見有疑義，可填寫申復表申請申復，或可於研習時數之檢核時效內，未來再重新申請認證，謝謝。",
)
SECOND_FAIL = (
    f"複審{TYPE}未通過",
    f"感謝您申請{TYPE}，因您的複審資料仍有不足，經複審委員評為認證不通過，敬請參閱審查意見以做為未來專業回饋之參考。"
    "您若對審查意見有疑義，可填寫申復表申請申復，或可於研習時數之檢核時效內，未來再重新申請認證，謝謝。",
)
LATER_PASS = (
    f"申請{SHORT}已經通過",
    f"感謝您申請{SHORT}，您的審查結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
)
ANNOUNCED = (
    f"{TYPE}已公告",
    f"感謝您申請{TYPE}，審查結果已公告，證書字號將請教育部核定後公告，屆時可至個人資訊頁面檢視。"
    "證書將統一印製後寄發，請您耐心等待，謝謝。",
)
ISSUED = (
    f"{TYPE}數位研習證明已核發",
    f"感謝您參與{TRAINING}培訓，數位研習證明已核發，您可至個人資訊頁面檢視，謝謝。",
)


def platform_words(action: str) -> tuple[str, str]:
    """The messages SPEC §7 leaves to the platform (a receipt, 受理, 未受理 …), from the workflow table."""
    advanced = CertificationType.objects.get(code="advanced")
    return workflow.notice_of(action, advanced)


def reason_line(reason: str) -> str:
    return f"原因：{reason}"


def deadline_line(case) -> str:
    return f"申復期限：{format_deadline(case.appeal_deadline)}（含假日）"


def notified(demo, page, message: tuple[str, str], *extra: str) -> None:
    walk.expect_notification(page, demo.mailbox, message[0], message[1], extra=extra)


def sent_now(case) -> dict:
    """The answers in use, as sent: each slot's answers and its file's SHA-256."""
    return {
        answer.slot_code: (answer.data, _sha256(answer.file))
        for answer in SlotAnswer.objects.in_use().filter(case=case)
    }


def frozen(case, number: int) -> dict:
    submission = Submission.objects.get(case=case, number=number)
    return {answer.slot_code: (answer.data, _sha256(answer.file)) for answer in submission.answers.all()}


def _sha256(stored) -> str:
    if not stored:
        return ""
    with stored.open("rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def test_straight_pass_to_issued_certificate(demo):
    """準備資料 → 形式審查 → 初審分發委員 → 初審 (two 委員) → 初審判定 1. 通過 → 通過 → 通過可產證 → 已發證."""
    walk.add_third_reviewer()
    teacher = demo.roles.teacher()
    case_url = walk.apply_and_fill_every_slot(teacher, demo.pdf)
    walk.press(teacher, "送出審查文件", "已送出審查文件。")
    walk.expect_state(teacher, "形式審查")
    notified(demo, teacher, platform_words("submit"))

    office = demo.roles.staff("taipei")
    walk.open_office_case(office, "形式審查")
    walk.formal_review(office, passed=True, screenshot=lambda p: screenshot(p, "review-path-office-formal"))
    walk.expect_state(office, "初審分發委員")
    notified(demo, teacher, platform_words("formal_pass"))
    teacher.goto(case_url)
    walk.expect_state(teacher, "初審分發委員")

    # reviewer2 works at the teacher's school: offered greyed, with the reason.
    office.get_by_role("link", name="分發委員", exact=True).click()
    colleague = office.locator("table.reviewer-options tr").filter(has_text="李委員")
    expect(colleague.locator("input[name=reviewers]")).to_be_disabled()
    expect(colleague).to_contain_text("同校")
    office.go_back()
    walk.assign_reviewers(office, "初審", ["王委員", "陳委員"])
    walk.expect_state(office, "初審")

    first = demo.roles.staff("reviewer1")
    walk.review(
        first, "初審", "通過 (認證資料完整詳實)", "資料完整", lambda p: screenshot(p, "review-path-reviewer-form")
    )
    teacher.goto(case_url)
    walk.expect_state(teacher, "初審")  # one 委員 is still to hand in
    third = demo.roles.staff("reviewer3")
    walk.review(third, "初審", "通過 (認證資料完整詳實)", "觀察紀錄具體")
    teacher.goto(case_url)
    walk.expect_state(teacher, "初審判定")

    walk.open_office_case(office, "初審判定")
    walk.decide(office, "1. 通過 / 修正後通過 (代表通過)")
    walk.expect_state(office, "通過")
    notified(demo, teacher, FIRST_PASS)
    teacher.goto(case_url)
    walk.expect_state(teacher, "通過")

    admin = demo.roles.staff("admin")
    walk.issue(admin, screenshot=screenshot)
    notified(demo, teacher, ANNOUNCED)
    notified(demo, teacher, ISSUED)
    teacher.goto(case_url)
    walk.expect_state(teacher, "已發證")

    case = walk.the_case()
    number = f"臺北證號第B{case.academic_year:03d}000001號"
    walk.expect_certificate(teacher, number, case.academic_year, today().isoformat())
    assert demo.mailbox.pending == []


def test_returned_then_sent_again(demo):
    """形式審查 退件 (退回再編輯修正) with a reason → 準備資料 with the 形式審查表 and 原因訊息 → the
    teacher corrects a form and sends again → 形式審查."""
    walk.prepare_case(State.FORMAL_REVIEW)
    demo.mailbox.drain()
    reason = "觀察紀錄表的教學單元與實施證明不符，請修正後再送出。"

    office = demo.roles.staff("taipei")
    walk.open_office_case(office, "形式審查")
    walk.formal_review(office, passed=False, reason=reason, wrong={"觀察紀錄表": "教學單元與實施證明不符"})
    walk.expect_state(office, "準備資料")

    teacher = demo.roles.teacher()
    notified(demo, teacher, FORMAL_RETURN, reason_line(reason))
    case_url = walk.open_own_case(teacher)
    walk.expect_state(teacher, "準備資料")
    expect(walk.header_value(teacher, "相關訊息")).to_contain_text("形式審查退件")
    expect(walk.header_value(teacher, "原因訊息")).to_contain_text(reason)

    walk.open_review_forms(teacher, case_url, "形式審查表")
    formal = teacher.locator("#formal")
    expect(formal).to_contain_text("退件 (退回再編輯修正)")
    wrong_row = formal.get_by_role("row").filter(has=teacher.get_by_role("rowheader", name="觀察紀錄表", exact=True))
    expect(wrong_row).to_contain_text("否")
    expect(wrong_row).to_contain_text("教學單元與實施證明不符")
    expect(formal).to_contain_text(reason)
    expect(formal).not_to_contain_text("臺北市教專中心")  # who reviewed is the office's to know

    walk.edit_online_form(teacher, case_url, "觀察紀錄表", "教學單元", "閱讀理解（修正）")
    walk.press(teacher, "送出審查文件", "已送出審查文件。")
    walk.expect_state(teacher, "形式審查")
    notified(demo, teacher, platform_words("submit"))

    walk.open_office_case(office, "形式審查")
    expect(office.locator("table.case-history")).to_contain_text("準備資料 → 形式審查")
    assert demo.mailbox.pending == []


def test_revise_then_second_review_passes(demo):
    """初審判定 2. 修正後複審 → 初審修正資料 (審查標準表 初審 without names) → 送出複審資料 →
    複審分發委員 → 複審 → 複審判定 1. 通過 → 通過."""
    case = walk.prepare_case(State.FIRST_DECISION, first_comment="請補充觀察紀錄的具體事實")
    first_sent = sent_now(case)
    demo.mailbox.drain()
    reason = "請依初審委員意見補充觀察紀錄後送複審。"

    office = demo.roles.staff("taipei")
    walk.open_office_case(office, "初審判定")
    walk.decide(office, "2. 修正後複審", reason)
    walk.expect_state(office, "初審修正資料")

    teacher = demo.roles.teacher()
    notified(demo, teacher, FIRST_REVISE, reason_line(reason))
    case_url = walk.open_own_case(teacher)
    walk.expect_state(teacher, "初審修正資料")
    expect(walk.header_value(teacher, "原因訊息")).to_contain_text(reason)
    expect(teacher.get_by_role("heading", name="編輯表單列表")).to_be_visible()
    screenshot(teacher, "review-path-teacher-first-revision")

    walk.open_review_forms(teacher, case_url, "進階審查標準表 初審")
    first_round = teacher.locator("#first")
    expect(first_round).to_contain_text("修正後複審")
    expect(first_round).to_contain_text("委員一")
    expect(first_round).to_contain_text("請補充觀察紀錄的具體事實（第4項）")
    expect(teacher.locator("main")).not_to_contain_text("王委員")
    expect(teacher.locator("main")).not_to_contain_text("reviewer1")

    walk.edit_online_form(teacher, case_url, "觀察紀錄表", "教學單元", "閱讀理解（補充觀察事實）")
    walk.press(teacher, "送出複審資料", "已送出複審資料。")
    walk.expect_state(teacher, "複審分發委員")
    notified(demo, teacher, platform_words("resubmit"))

    walk.open_office_case(office, "複審分發委員")
    walk.assign_reviewers(office, "複審", ["王委員"])
    walk.expect_state(office, "複審")
    reviewer = demo.roles.staff("reviewer1")
    # The 複審 reviewer reads round 1 and round 2 side by side, the changed field marked.
    walk.workspace(reviewer, "審查案件")
    reviewer.get_by_role("link", name=re.compile(rf"^審查\s*：{SHORT} \d+ 複審$")).click()
    reviewer.get_by_role("link", name="與第1次送審比較（標示修改處）").click()
    expect(reviewer.get_by_role("heading", name="送審資料比較")).to_be_visible()
    expect(reviewer.locator("main")).to_contain_text("1 項表單有變更")
    changed = reviewer.locator("tr[data-changed]")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("教學單元")
    expect(changed).to_contain_text("已修改")
    expect(changed).to_contain_text("閱讀理解（補充觀察事實）")
    expect(reviewer.locator('section[data-slot="implementation"] [data-status]')).to_have_text("未修改")
    screenshot(reviewer, "review-path-compare-rounds")
    # What round 1 reviewed is, byte for byte, what was first sent.
    assert frozen(case, 1) == first_sent
    walk.review(reviewer, "複審", "通過 (認證資料完整詳實)", "已補充具體事實")

    walk.open_office_case(office, "複審判定")
    walk.decide(office, "1. 通過")
    walk.expect_state(office, "通過")
    notified(demo, teacher, LATER_PASS)
    teacher.goto(case_url)
    walk.expect_state(teacher, "通過")
    assert demo.mailbox.pending == []


def test_second_review_fails_appeal_accepted_and_passed(demo):
    """複審判定 2. 未通過 → 複審未通過 → 申復 (申復表 and a PDF) → 申復申請案受理 → 申復修正資料 →
    申復重新送審 → 申復分發委員 → 申復審查 → 申復判定 1. 通過 → 通過."""
    walk.prepare_case(State.SECOND_DECISION)
    demo.mailbox.drain()
    reason = "觀察後回饋會談紀錄仍不完整。"

    office = demo.roles.staff("taipei")
    walk.open_office_case(office, "複審判定")
    walk.decide(office, "2. 未通過 (可申復)", reason)
    walk.expect_state(office, "複審未通過")

    teacher = demo.roles.teacher()
    case = walk.the_case()
    notified(demo, teacher, SECOND_FAIL, reason_line(reason), deadline_line(case))
    case_url = walk.open_own_case(teacher)
    walk.expect_state(teacher, "複審未通過")
    expect(walk.header_value(teacher, "申復期限")).to_contain_text(format_deadline(case.appeal_deadline))

    walk.file_appeal(teacher, case_url, "觀察後回饋會談紀錄不完整", "回饋會談紀錄已於附件補充說明", demo.pdf)
    walk.expect_state(teacher, "申復審查 (受理中)")
    expect(teacher.get_by_role("button", name="申復", exact=True)).to_have_count(0)
    notified(demo, teacher, platform_words("appeal"))

    walk.open_office_case(office, "申復審查 (受理中)")
    appeal = office.get_by_role("region", name="認證審查結果申復表")
    expect(appeal).to_contain_text("回饋會談紀錄已於附件補充說明")
    expect(appeal).to_contain_text("證明文件.pdf")
    walk.take_appeal(office, "1. 申復申請案受理 (將進行申復審查)")
    walk.expect_state(office, "申復修正資料")

    notified(demo, teacher, platform_words("appeal_accept"))
    teacher.goto(case_url)
    walk.expect_state(teacher, "申復修正資料")
    titles = teacher.get_by_role("region", name="查看表單列表")
    expect(titles.get_by_role("rowheader")).to_have_text(
        ["形式審查表", "進階審查標準表 初審", "進階審查標準表 複審", "認證審查結果申復表"]
    )
    expect(titles.get_by_role("link", name="查看 進階審查標準表 初審")).to_be_visible()
    walk.open_review_forms(teacher, case_url, "進階審查標準表 複審")
    second_round = teacher.locator("#second")
    expect(second_round).to_contain_text("未通過 (可申復)")
    expect(second_round).to_contain_text("委員一")
    expect(second_round).to_contain_text("修正後仍缺少觀察後回饋會談的具體內容（第5項）")
    expect(teacher.locator("main")).not_to_contain_text("王委員")
    walk.edit_online_form(teacher, case_url, "觀察後回饋會談紀錄表", "教學單元", "閱讀理解（申復補充）")
    walk.press(teacher, "申復重新送審", "已申復重新送審。")
    walk.expect_state(teacher, "申復分發委員")
    notified(demo, teacher, platform_words("appeal_resubmit"))

    walk.open_office_case(office, "申復分發委員")
    walk.assign_reviewers(office, "申復", ["王委員"])
    walk.expect_state(office, "申復審查")
    reviewer = demo.roles.staff("reviewer1")
    walk.review(reviewer, "申復", "通過 (認證資料完整詳實)", "申復理由成立")

    walk.open_office_case(office, "申復判定")
    walk.decide(office, "1. 通過")
    walk.expect_state(office, "通過")
    notified(demo, teacher, LATER_PASS)
    teacher.goto(case_url)
    walk.expect_state(teacher, "通過")
    assert demo.mailbox.pending == []


def test_first_review_fails_appeal_not_accepted(demo):
    """初審判定 3. 未通過 (可以申復) → 初審未通過 → 申復 → 申復申請案未受理 → 不合格."""
    walk.prepare_case(State.FIRST_DECISION)
    demo.mailbox.drain()
    reason = "觀察紀錄缺少具體事實，與觀察焦點無關。"

    office = demo.roles.staff("taipei")
    walk.open_office_case(office, "初審判定")
    walk.decide(office, "3. 未通過 (可以申復)", reason)
    walk.expect_state(office, "初審未通過")

    teacher = demo.roles.teacher()
    notified(demo, teacher, FIRST_FAIL, reason_line(reason), deadline_line(walk.the_case()))
    case_url = walk.open_own_case(teacher)
    walk.expect_state(teacher, "初審未通過")
    walk.file_appeal(teacher, case_url, "觀察紀錄缺少具體事實", "觀察紀錄已記載學生反應")
    walk.expect_state(teacher, "申復審查 (受理中)")
    notified(demo, teacher, platform_words("appeal"))

    rejected = "申復意見未針對審查委員意見說明。"
    walk.open_office_case(office, "申復審查 (受理中)")
    walk.take_appeal(office, "2. 申復申請案未受理", rejected)
    walk.expect_state(office, "不合格")

    notified(demo, teacher, platform_words("appeal_reject"), reason_line(rejected))
    teacher.goto(case_url)
    walk.expect_state(teacher, "不合格")
    expect(teacher.get_by_role("button", name="申復", exact=True)).to_have_count(0)
    assert demo.mailbox.pending == []


def test_first_review_fails_and_the_appeal_window_closes(demo):
    """初審判定 3. 未通過 → 初審未通過; nobody presses 申復; ten days later the worker's job moves
    the case to 不合格 and the teacher is told."""
    walk.prepare_case(State.FIRST_DECISION)
    demo.mailbox.drain()
    reason = "觀察紀錄缺少具體事實。"

    office = demo.roles.staff("taipei")
    walk.open_office_case(office, "初審判定")
    walk.decide(office, "3. 未通過 (可以申復)", reason)
    walk.expect_state(office, "初審未通過")

    teacher = demo.roles.teacher()
    case = walk.the_case()
    notified(demo, teacher, FIRST_FAIL, reason_line(reason), deadline_line(case))
    case_url = walk.open_own_case(teacher)
    walk.expect_state(teacher, "初審未通過")
    expect(teacher.get_by_role("button", name="申復", exact=True)).to_be_visible()
    expect(teacher.locator(".case-action")).to_contain_text(format_deadline(case.appeal_deadline))

    with walk.clock_moved_to(case.appeal_deadline + datetime.timedelta(minutes=1)):
        # Ten days on, the session has long expired: the teacher signs in again.
        teacher.goto(case_url)
        expect(teacher).to_have_title(re.compile("^使用者登入"))
        walk.sign_in_teacher(teacher)
        teacher.goto(case_url)
        walk.expect_state(teacher, "初審未通過")
        expect(teacher.get_by_role("button", name="申復", exact=True)).to_have_count(0)
        expect(teacher.locator(".case-action-closed")).to_contain_text("已超過申復期限")

        call_command("run_worker", "--once")  # the background pass: its job closes the window

        teacher.goto(case_url)
        walk.expect_state(teacher, "不合格")
        expect(teacher.get_by_role("button", name="申復", exact=True)).to_have_count(0)
        notified(demo, teacher, platform_words("appeal_expire"))
    assert demo.mailbox.pending == []
