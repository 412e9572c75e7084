"""An eligible teacher applies for 進階, fills every slot and sends the case, clicked through in Chromium."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.accounts.models import User
from proteacher.certification.models import Case
from proteacher.certification.workflow import State
from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_through_identity_page, sign_in_with_session
from proteacher.testing.review_walk import choose_template, fill_required_fields, save_form, slot_row, upload_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_online_form(page, title: str, observer: str) -> None:
    expect(page.get_by_text(title, exact=False).first).to_be_visible()
    for header in ("授課教師", "任教年級", "任教領域/科目", "觀課人員", "教學單元"):
        expect(page.get_by_label(header).first).to_be_visible()
    # 觀課人員 is the teacher, filled in already.
    expect(page.get_by_label("觀課人員").first).to_have_value(re.compile(observer))
    fill_required_fields(page)
    save_form(page)


def expect_done(page, case_url: str, slot_label: str, file_name: str = "") -> None:
    page.goto(case_url)
    row = slot_row(page, slot_label)
    expect(row).to_contain_text("已完成")
    expect(row.get_by_role("link", name="編輯")).to_be_visible()
    if file_name:
        expect(row).to_contain_text(file_name)


def test_the_eligible_demo_teacher_fills_every_slot_and_sends_the_case(page, tmp_path, settings):
    # The demo data of make run, and the way in a teacher uses: SSO (the development identity page).
    settings.DEBUG = True
    settings.OIDC_ISSUER = ""
    call_command("load_demo", stdout=io.StringIO())
    pdf = tmp_path / "SA1.pdf"
    pdf.write_bytes(factories.pdf_bytes())
    sign_in_through_identity_page(page, "黃測試")
    teacher = User.objects.get(inservice_account="t-eligible")

    page.get_by_role("link", name="認證專區").first.click()
    page.get_by_role("link", name="進階專業回饋人才認證").click()
    expect(page.get_by_text("資格不符")).to_have_count(0)
    page.get_by_role("button", name="申請").click()
    expect(page).to_have_title(re.compile("^進階認證 - 流程進度"))
    case = Case.objects.get(teacher=teacher)
    case_url = page.base_url + reverse("certification:case", args=[case.pk])
    header = page.get_by_role("table", name="流程資訊")
    expect(header).to_contain_text("準備資料")
    expect(header).to_contain_text("黃測試老師")
    screenshot(page, "case-page-new")

    uploads = [
        ("實施證明", "公開授課實施證明"),
        ("社群參與證明", "教師專業學習社群參與證明"),
        ("認證檢核表", "進階專業回饋人才認證檢核表"),
    ]
    for slot_label, title in uploads:
        choose_template(page, slot_label, title)
        expect(page.get_by_text("限制PDF,檔案限制 2MB")).to_be_visible()
        upload_pdf(page, pdf)
        expect_done(page, case_url, slot_label, "SA1.pdf")

    online = [
        ("觀察前會談紀錄表", "觀察前會談紀錄表-甲 (觀課人員填寫)"),
        ("觀察紀錄表", "軼事紀錄表"),
        ("觀察後回饋會談紀錄表", "觀察後回饋會談紀錄表-甲 (觀課人員填寫)"),
    ]
    for slot_label, title in online:
        choose_template(page, slot_label, title)
        fill_online_form(page, title.split(" ")[0], "黃測試")
        expect_done(page, case_url, slot_label)

    screenshot(page, "case-page-filled")
    page.get_by_role("link", name="送出審查文件").click()
    # Asked first: every form with its template and state, and what follows.
    expect(page.get_by_role("heading", name="確認送出審查文件")).to_be_visible()
    checked = page.get_by_role("table", name="要送出的表單")
    for slot_label, _title in [*uploads, *online]:
        expect(checked).to_contain_text(slot_label)
    expect(page.get_by_text("送出後，所有表單將鎖定，無法再修改")).to_be_visible()
    screenshot(page, "case-page-send-check")
    page.get_by_role("link", name="返回修改").click()
    expect(header).to_contain_text("準備資料")
    page.get_by_role("link", name="送出審查文件").click()
    page.get_by_role("button", name="確認送出").click()

    expect(page.get_by_text("已送出審查文件。")).to_be_visible()
    expect(header).to_contain_text("形式審查")
    expect(page.get_by_role("combobox")).to_have_count(0)
    expect(page.get_by_role("link", name="送出審查文件")).to_have_count(0)
    assert Case.objects.get(pk=case.pk).state == State.FORMAL_REVIEW
    screenshot(page, "case-page-sent")


def test_switching_a_filled_slots_template_never_loses_the_old_answer(page):
    factories.certification_types()
    teacher = factories.advanced_candidate()
    case = factories.case(teacher)
    old = factories.answer(case, "observation", "anecdotal_record")
    sign_in_with_session(page, teacher)
    page.goto(page.base_url + reverse("certification:case", args=[case.pk]))

    # Another template chosen, its form opened, then 取消: nothing changed.
    row = slot_row(page, "觀察紀錄表")
    expect(row.get_by_role("link", name="編輯")).to_be_visible()
    row.get_by_role("combobox").select_option(label="佛蘭德斯互動分析法量化分析表")
    row.get_by_role("button", name="新增").click()
    page.wait_for_url(re.compile(r"/slots/observation/\?template=flanders$"))
    expect(page.locator("#switch-notice")).to_contain_text("按「取消」則不會有任何變更")
    page.get_by_role("link", name="取消").first.click()
    row = slot_row(page, "觀察紀錄表")
    expect(row.get_by_role("combobox")).to_have_value("anecdotal_record")
    expect(row).to_contain_text("已完成")
    kept = case.answers.get(slot_code="observation")
    assert (kept.template_code, kept.in_use, kept.data) == ("anecdotal_record", True, old.data)

    # The new template saved: the old answer is set aside, and 改用 brings it back as it was.
    row.get_by_role("combobox").select_option(label="佛蘭德斯互動分析法量化分析表")
    row.get_by_role("button", name="新增").click()
    page.get_by_label("教學單元").fill("分數的加法")
    page.get_by_role("button", name="儲存").first.click()
    page.goto(page.base_url + reverse("certification:case", args=[case.pk]))
    row = slot_row(page, "觀察紀錄表")
    expect(row.get_by_role("combobox")).to_have_value("flanders")
    expect(row).to_contain_text("未使用：「軼事紀錄表」")
    screenshot(page, "case-page-set-aside")
    row.get_by_role("button", name="刪除").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("「軼事紀錄表」已填寫的內容將無法復原，確定要刪除嗎？")
    dialog.get_by_role("link", name="取消").click()
    expect(dialog).to_have_count(0)
    slot_row(page, "觀察紀錄表").get_by_role("button", name="改用").click()
    expect(page.get_by_text("「觀察紀錄表」已改用「軼事紀錄表」。")).to_be_visible()
    expect(slot_row(page, "觀察紀錄表").get_by_role("combobox")).to_have_value("anecdotal_record")
    kept = case.answers.get(slot_code="observation", template_code="anecdotal_record")
    assert kept.in_use and kept.data == old.data
