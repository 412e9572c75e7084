"""An upload slot's page: download the blank, upload the stamped PDF, see it, remove it, view it."""

import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.models import SlotAnswer
from proteacher.documents.tests.test_pdf_rules import (
    encrypted_pdf,
    pdf_bytes,
    pdf_of_size,
    png_bytes,
    truncated_pdf,
)
from proteacher.testing import factories


def edit_url(case, slot="implementation", template="implementation_proof") -> str:
    return reverse("certification:slot_edit", args=[case.pk, slot]) + f"?template={template}"


def file_url(case, slot="implementation") -> str:
    return reverse("certification:slot_file", args=[case.pk, slot])


def pdf_upload(name: str = "SA1.pdf", data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, content_type="application/pdf")


def answer_of(case, slot="implementation") -> SlotAnswer | None:
    return SlotAnswer.objects.in_use().filter(case=case, slot_code=slot).first()


def text_of(response) -> str:
    """The page's visible text, tags removed, whitespace collapsed."""
    body = re.sub(r"<[^>]+>", "", response.content.decode())
    return " ".join(body.split())


@pytest.fixture
def case(teacher):
    return factories.case(teacher)


@pytest.fixture
def signed_in(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def saved(signed_in, case):
    """公開授課實施證明 with SA1.pdf already uploaded and saved."""
    signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("SA1.pdf")})
    answer = answer_of(case)
    assert answer is not None and answer.file_name == "SA1.pdf"
    return answer


# --- the page ---


def test_page_shows_the_seed_labels_and_rules(signed_in, case):
    response = signed_in.get(edit_url(case))
    text = text_of(response)
    assert response.status_code == 200
    assert "表單" in text and "公開授課實施證明" in text
    assert text.count("取消") >= 2 and text.count("儲存") >= 2  # top right and bottom right
    assert "公開授課實施證明 表格下載" in text and "下載文件" in text
    assert "上傳用印完成紙本文件" in text
    assert "限制PDF,檔案限制 2MB" in text and "附件總數為一個檔案" in text
    assert "文件名稱：" not in text


def test_page_links_both_blank_formats(signed_in, case):
    page = signed_in.get(edit_url(case)).content.decode()
    assert reverse("documents:blank", args=["implementation_proof", "docx"]) in page
    assert reverse("documents:blank", args=["implementation_proof", "odt"]) in page


def test_page_links_the_office_pdf_guide_in_a_new_tab_and_the_help_pages(signed_in, case):
    page = signed_in.get(edit_url(case)).content.decode()
    guide = re.search(
        r'<a href="(https://support\.microsoft\.com/[^"]+)"([^>]*)>前往 Microsoft Office 轉存 PDF 教學', page
    )
    assert guide and 'target="_blank"' in guide.group(2) and "noopener" in guide.group(2)
    assert f'href="{reverse("portal:help")}">操作教學</a>' in page


def test_checklist_page_uses_its_own_labels(signed_in, case):
    text = text_of(signed_in.get(edit_url(case, "checklist", "advanced_checklist")))
    assert "進階專業回饋人才認證檢核表 原始文件下載" in text
    assert "上傳填寫用印完成紙本文件" in text


def test_other_pre_observation_page_asks_for_the_record_as_pdf(signed_in, case):
    text = text_of(signed_in.get(edit_url(case, "pre_conference", "other_pre_observation")))
    assert "其他或觀察前紀錄表 表格下載" in text
    assert "上傳觀察前紀錄表 PDF" in text


# --- saving ---


def test_good_upload_saves_a_complete_answer(signed_in, case):
    response = signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("SA1.pdf")})
    assert response.status_code == 302
    answer = answer_of(case)
    assert answer.template_code == "implementation_proof" and answer.is_complete
    assert answer.file_name == "SA1.pdf"
    assert default_storage.exists(answer.file.name)


def test_saved_file_is_stored_under_a_generated_name(signed_in, case):
    signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("../../我的 證明.pdf")})
    answer = answer_of(case)
    assert answer.file.name.startswith("answers/")
    assert re.fullmatch(r"answers/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", answer.file.name)
    assert answer.file_name == "我的 證明.pdf"


def test_after_saving_the_page_shows_the_file_name_and_the_remove_link(signed_in, case):
    response = signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("SA1.pdf")}, follow=True)
    assert "文件名稱：SA1.pdf 點擊取消上傳此檔案" in text_of(response)


def test_exactly_2_mb_is_accepted(signed_in, case):
    response = signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("big.pdf", pdf_of_size(2_097_152))})
    assert response.status_code == 302
    # Stored rewritten, without the metadata that padded it to the limit.
    assert 0 < answer_of(case).file.size < 2_097_152


def test_saving_a_new_file_replaces_and_deletes_the_old_one(signed_in, case, saved, django_capture_on_commit_callbacks):
    old = saved.file.name
    # The old file goes once the change is committed, so a rollback never leaves a row without its file.
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("SA2.pdf"), "revision": saved.revision})
    answer = answer_of(case)
    assert answer.file_name == "SA2.pdf" and answer.file.name != old
    assert not default_storage.exists(old)


def test_save_without_choosing_a_file_asks_for_one(signed_in, case):
    response = signed_in.post(edit_url(case), {"action": "save"})
    assert "請選擇要上傳的PDF檔案。" in text_of(response)
    assert answer_of(case) is None


def test_save_without_a_new_file_keeps_the_saved_one(signed_in, case, saved):
    response = signed_in.post(edit_url(case), {"action": "save", "revision": saved.revision})
    assert response.status_code == 302
    assert answer_of(case).file.name == saved.file.name


def test_a_stale_tab_cannot_overwrite_a_newer_upload(signed_in, case, saved):
    response = signed_in.post(
        edit_url(case), {"action": "save", "file": pdf_upload("old-tab.pdf"), "revision": saved.revision - 1}
    )
    assert "此表單已在其他視窗儲存過" in text_of(response)
    assert answer_of(case).file_name == "SA1.pdf"


BAD_UPLOADS = {
    "png renamed pdf": ([("photo.pdf", png_bytes())], "「photo.pdf」不是PDF檔案"),
    "2,097,153 bytes": ([("big.pdf", pdf_of_size(2_097_153))], "限制PDF,檔案限制 2MB"),
    "encrypted": ([("locked.pdf", encrypted_pdf())], "「locked.pdf」設有密碼或加密保護"),
    "truncated": ([("cut.pdf", truncated_pdf())], "「cut.pdf」已損毀或不完整"),
    "empty": ([("blank.pdf", b"")], "「blank.pdf」是空的檔案"),
    "two files": ([("a.pdf", pdf_bytes()), ("b.pdf", pdf_bytes())], "附件總數為一個檔案，請只選擇一個PDF檔案上傳。"),
}


@pytest.mark.parametrize("files, message", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_refused_upload_says_why_and_keeps_the_saved_file(signed_in, case, saved, files, message):
    uploads = [SimpleUploadedFile(name, data, content_type="application/pdf") for name, data in files]
    response = signed_in.post(edit_url(case), {"action": "save", "file": uploads, "revision": saved.revision})

    assert response.status_code == 400
    text = text_of(response)
    assert message in text
    assert "文件名稱：SA1.pdf 點擊取消上傳此檔案" in text  # the earlier file is still shown
    kept = answer_of(case)
    assert (kept.file.name, kept.file_name, kept.revision, kept.is_complete) == (
        saved.file.name,
        "SA1.pdf",
        saved.revision,
        True,
    )
    assert default_storage.exists(saved.file.name)


def test_refused_upload_writes_nothing_to_storage(signed_in, case, saved):
    before = set(default_storage.listdir(saved.file.name.rsplit("/", 1)[0])[1])
    signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("photo.pdf", png_bytes())})
    assert set(default_storage.listdir(saved.file.name.rsplit("/", 1)[0])[1]) == before


def test_uploading_with_another_template_sets_the_other_answer_aside(signed_in, case):
    online = factories.answer(case, "pre_conference", "pre_conference_a", upload=False)
    response = signed_in.post(
        edit_url(case, "pre_conference", "other_pre_observation"), {"action": "save", "file": pdf_upload()}
    )
    assert response.status_code == 302
    assert answer_of(case, "pre_conference").template_code == "other_pre_observation"
    kept = SlotAnswer.objects.get(pk=online.pk)
    assert not kept.in_use and kept.data == online.data


# --- removing (點擊取消上傳此檔案) ---


def test_remove_empties_the_slot_and_deletes_the_file(signed_in, case, saved, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(edit_url(case), {"action": "remove", "revision": saved.revision}, follow=True)
    assert answer_of(case) is None
    assert not default_storage.exists(saved.file.name)
    text = text_of(response)
    assert "已取消上傳「SA1.pdf」。" in text and "點擊取消上傳此檔案" not in text
    assert "上傳用印完成紙本文件" in text  # still on the upload page, ready for another file


def test_remove_from_a_stale_page_is_refused(signed_in, case, saved):
    response = signed_in.post(edit_url(case), {"action": "remove", "revision": saved.revision + 5})
    assert "此表單已在其他視窗儲存過" in text_of(response)
    assert answer_of(case) is not None


# --- who may do what ---


def test_another_teacher_gets_404_on_the_page(client, case, taichung_teacher):
    client.force_login(taichung_teacher)
    assert client.get(edit_url(case)).status_code == 404


def test_another_teacher_gets_404_when_posting_a_file(client, case, saved, taichung_teacher):
    client.force_login(taichung_teacher)
    response = client.post(edit_url(case), {"action": "save", "file": pdf_upload("intruder.pdf")})
    assert response.status_code == 404
    assert answer_of(case).file_name == "SA1.pdf"


def test_another_teacher_gets_404_when_removing(client, case, saved, taichung_teacher):
    client.force_login(taichung_teacher)
    assert client.post(edit_url(case), {"action": "remove", "revision": saved.revision}).status_code == 404
    assert answer_of(case) is not None


def test_another_teacher_gets_404_on_the_file(client, case, saved, taichung_teacher):
    client.force_login(taichung_teacher)
    assert client.get(file_url(case)).status_code == 404


def test_owner_views_the_pdf_inline(signed_in, case, saved):
    response = signed_in.get(file_url(case))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_a_served_file_is_sandboxed_never_sniffed_nor_cached(signed_in, case, saved):
    response = signed_in.get(file_url(case))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_stored_before_uploads_were_rewritten_is_served_sandboxed_too(signed_in, case):
    old = factories.answer(case, "implementation", "implementation_proof", file_name="舊檔案.pdf")
    assert old.file_sha256 == ""
    response = signed_in.get(file_url(case))
    assert response.status_code == 200 and response["Content-Security-Policy"] == "sandbox"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_file_keeps_a_chinese_name_in_utf8(client, teacher, case):
    client.force_login(teacher)
    client.post(edit_url(case), {"action": "save", "file": pdf_upload("公開授課證明.pdf")})
    response = client.get(file_url(case))
    assert "filename*=utf-8''%E5%85%AC%E9%96%8B" in response["Content-Disposition"]


def test_officer_of_another_county_gets_404_on_the_file(client, case, saved, taichung_officer):
    client.force_login(taichung_officer)
    assert client.get(file_url(case)).status_code == 404


def test_officer_of_the_case_county_views_the_file(client, case, saved, taipei_officer):
    client.force_login(taipei_officer)
    response = client.get(file_url(case))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_officer_cannot_open_the_teachers_upload_page(client, case, taipei_officer):
    client.force_login(taipei_officer)
    assert client.get(edit_url(case)).status_code == 403


# --- after 送出審查文件 ---


@pytest.fixture
def submitted(case, teacher):
    """Every slot complete (the implementation slot holds implementation.pdf), then sent."""
    factories.fill_every_slot(case)
    workflow.transition(case, "submit", actor=teacher)
    case.refresh_from_db()
    assert case.state == workflow.State.FORMAL_REVIEW
    return answer_of(case)


def test_after_submission_the_page_is_read_only(signed_in, case, submitted):
    response = signed_in.get(edit_url(case))
    text = text_of(response)
    assert "此申請已送出審查，表單僅供檢視，無法修改。" in text
    assert "文件名稱：implementation.pdf" in text
    assert 'type="file"' not in response.content.decode()
    assert "點擊取消上傳此檔案" not in text


def test_after_submission_an_upload_is_refused(signed_in, case, submitted):
    response = signed_in.post(edit_url(case), {"action": "save", "file": pdf_upload("late.pdf")})
    assert response.status_code == 403
    assert "此申請已送出審查，表單僅供檢視，無法修改。" in text_of(response)
    kept = answer_of(case)
    assert (kept.file.name, kept.file_name) == (submitted.file.name, "implementation.pdf")


def test_after_submission_removing_is_refused(signed_in, case, submitted):
    response = signed_in.post(edit_url(case), {"action": "remove", "revision": submitted.revision})
    assert response.status_code == 403
    assert answer_of(case) is not None and default_storage.exists(submitted.file.name)
