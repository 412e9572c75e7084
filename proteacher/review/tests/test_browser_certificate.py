"""The certificate in Chromium, end to end: the teacher's case reaches 已發證, the teacher downloads
the PDF from 個人資訊 → 認證證號 (its text and its QR code read back), anyone opens the QR code's
address signed out and reads 有效; 管理者 revokes it with a reason on the case page, the same
address reads 已撤銷 with the date, and the teacher has the message and the email."""

import pathlib
import re

import pytest
from playwright.sync_api import expect

from proteacher.certification import workflow
from proteacher.certification.workflow import State
from proteacher.dates import roc_date, today
from proteacher.review import office as office_services
from proteacher.testing import review_walk as walk
from proteacher.testing.certificates import pdf_text, qr_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def issued_case():
    """The demo teacher's 進階 case, 通過 and issued by the services the office's pages call."""
    case = walk.prepare_case(State.FIRST_DECISION)
    officer = walk.User.objects.get(username="taipei")
    admin = walk.User.objects.get(username="admin")
    office_services.decide(case, officer, "first_pass", "", expected_revision=case.revision)
    for action in ("approve", "issue"):
        workflow.transition(case, action, actor=admin, expected_revision=case.revision)
    return case


def test_the_certificate_is_downloaded_verified_and_revoked(demo, live_server, settings):
    settings.SITE_URL = live_server.url
    case = issued_case()
    demo.mailbox.drain()
    number = f"臺北證號第B{case.academic_year:03d}000001號"

    teacher = demo.roles.teacher()
    walk.open_own_case(teacher)
    walk.expect_state(teacher, "已發證")
    walk.expect_certificate(teacher, number, case.academic_year, today().isoformat())
    row = teacher.get_by_role("table", name="認證證號").get_by_role("row").filter(has_text=number)
    with teacher.expect_download() as download:
        row.get_by_role("link", name=re.compile("^下載證書 PDF")).click()
    pdf = pathlib.Path(download.value.path()).read_bytes()

    text = pdf_text(pdf).replace("\n", "")
    assert "黃測試" in text and number in text and roc_date(today()) in text
    address = qr_in(pdf)
    assert re.fullmatch(re.escape(live_server.url) + r"/verify/[A-Za-z0-9_-]{22}/", address)

    public = demo.roles.new_page()  # anyone, not signed in
    public.goto(address)
    result = public.get_by_role("region", name=re.compile("^查驗結果"))
    expect(result.get_by_role("heading")).to_have_text("查驗結果：有效")
    expect(result).to_contain_text(number)
    expect(result).to_contain_text("黃○試")
    expect(public.locator("body")).not_to_contain_text("黃測試")

    admin = demo.roles.staff("admin")
    walk.open_office_case(admin, "已發證")
    form = admin.locator("form.certificate-status-form")
    form.get_by_label("撤銷原因類別").select_option(label="行政錯誤")
    form.get_by_label(re.compile("^原因訊息")).fill("證書核發對象有誤，撤銷後重新核發。")
    form.get_by_role("button", name="撤銷證書").click()
    walk.expect_flash(admin, "已撤銷證書。")
    walk.expect_state(admin, "已撤銷")

    public.reload()
    expect(result.get_by_role("heading")).to_have_text("查驗結果：已撤銷")
    expect(result).to_contain_text(f"本證書已於{roc_date(today())}撤銷，撤銷原因：行政錯誤。")
    expect(public.locator("body")).not_to_contain_text("證書核發對象有誤")

    title, body = workflow.notice_of("revoke", case.certification_type)
    walk.expect_notification(
        teacher, demo.mailbox, title, body, extra=("原因：行政錯誤：證書核發對象有誤，撤銷後重新核發。",)
    )
    assert demo.mailbox.pending == []
