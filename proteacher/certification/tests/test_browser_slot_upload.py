"""公開授課實施證明 in Chromium: upload a real PDF, see it, try a PNG renamed .pdf, remove the file."""

import pytest
from django.urls import reverse

from proteacher.certification.models import SlotAnswer
from proteacher.documents.tests.test_pdf_rules import pdf_bytes, png_bytes
from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def case():
    # A flushed database: the shipped types and the county come back through the factories.
    factories.certification_types()
    teacher = factories.teacher(name="黃測試", account="t-huang-upload", school_name="臺北市立松山國民小學")
    return factories.case(teacher)


def open_upload_page(page, case) -> None:
    url = reverse("certification:slot_edit", args=[case.pk, "implementation"]) + "?template=implementation_proof"
    page.goto(page.base_url + url)


def test_upload_a_pdf_then_a_png_renamed_pdf_keeps_the_first(page, case, tmp_path):
    good = tmp_path / "公開授課實施證明-核章.pdf"
    good.write_bytes(pdf_bytes())
    fake = tmp_path / "photo.pdf"
    fake.write_bytes(png_bytes())
    sign_in_with_session(page, case.teacher)

    open_upload_page(page, case)
    assert page.get_by_role("heading", name="表單").is_visible()
    assert page.get_by_role("link", name="下載文件").is_visible()
    assert page.get_by_text("限制PDF,檔案限制 2MB").is_visible()
    assert page.get_by_text("附件總數為一個檔案").is_visible()
    guide = page.get_by_role("link", name="前往 Microsoft Office 轉存 PDF 教學")
    assert guide.get_attribute("target") == "_blank"

    page.get_by_label("上傳用印完成紙本文件").set_input_files(str(good))
    page.get_by_role("button", name="儲存").first.click()
    page.wait_for_selector("#uploaded-file")
    shown = page.locator("#uploaded-file").inner_text()
    assert shown == "文件名稱：公開授課實施證明-核章.pdf 點擊取消上傳此檔案"
    screenshot(page, "upload-saved")

    page.get_by_label("上傳用印完成紙本文件").set_input_files(str(fake))
    page.get_by_role("button", name="儲存").last.click()
    page.wait_for_selector("#upload-error")
    assert "「photo.pdf」不是PDF檔案" in page.get_by_role("alert").inner_text()
    assert page.locator("#uploaded-file").inner_text().startswith("文件名稱：公開授課實施證明-核章.pdf")
    screenshot(page, "upload-refused")

    answer = SlotAnswer.objects.get(case=case, slot_code="implementation")
    assert answer.file_name == "公開授課實施證明-核章.pdf" and answer.is_complete


def test_remove_the_uploaded_file(page, case, tmp_path):
    good = tmp_path / "SA1.pdf"
    good.write_bytes(pdf_bytes())
    sign_in_with_session(page, case.teacher)
    open_upload_page(page, case)
    page.get_by_label("上傳用印完成紙本文件").set_input_files(str(good))
    page.get_by_role("button", name="儲存").first.click()
    page.wait_for_selector("#uploaded-file")

    page.get_by_role("button", name="點擊取消上傳此檔案").click()
    page.get_by_text("已取消上傳「SA1.pdf」。").wait_for()
    assert page.locator("#uploaded-file").count() == 0
    assert not SlotAnswer.objects.filter(case=case, slot_code="implementation").exists()
