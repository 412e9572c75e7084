"""申復 as the seed shows it: on the failed case 編輯表單列表 has 申覆文件 · 認證審查結果申復表 · 新增;
the teacher fills the form (with an optional PDF) and saves it as a draft (儲存), then presses 申復 on
流程進度. Filing and the move to 申復審查 (受理中) happen together or not at all."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.documents import pdf_rules
from proteacher.errors import DomainError
from proteacher.review.models import Appeal, ReviewRound
from proteacher.testing import factories
from proteacher.testing.workflow import walk as shared_walk

pytestmark = pytest.mark.django_db

TO_FIRST_FAILED = ["submit", "formal_pass", "assign_first", "first_reviews_done", "first_fail"]
TO_SECOND_FAILED = [
    *TO_FIRST_FAILED[:-1],
    "first_revise",
    "resubmit",
    "assign_second",
    "second_reviews_done",
    "second_fail",
]
OPINIONS = {"reviewer_opinion": "委員認為觀察紀錄不足。", "appeal_opinion": "觀察紀錄已附於第二頁，請再審閱。"}


def walk(case, actions, teacher, officer):
    return shared_walk(
        case, actions, officer, reasons={"first_fail": "資料有所不足。", "second_fail": "資料有所不足。"}
    )


@pytest.fixture
def failed_case(teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    return walk(case, TO_FIRST_FAILED, teacher, taipei_officer)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def appeal_url(case) -> str:
    return reverse("review:appeal", args=[case.pk])


def send_url(case) -> str:
    return reverse("review:appeal_send", args=[case.pk])


def filled(case, **changes):
    """The 申復表 as 儲存 posts it: the draft's revision (0 before the first save)."""
    draft = Appeal.objects.drafts().filter(case=case).first()
    form = {
        "teacher": "黃測試",
        "county": "臺北市",
        "school": "臺北市立測試國小",
        "date": "2026-01-26",
        **OPINIONS,
        "action": "save",
        "revision": draft.revision if draft else 0,
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


def appeal(client, case, **form):
    """儲存 then 申復, as the teacher's pages do; returns the 申復's response, followed."""
    saved = client.post(appeal_url(case), filled(case, **form))
    assert saved.status_code == 302, saved.content.decode()
    case.refresh_from_db()
    return client.post(send_url(case), {"revision": case.revision}, follow=True)


def pdf(name="證明.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else factories.pdf_bytes(), "application/pdf")


def test_the_case_page_offers_the_appeal_document_and_申復_with_its_deadline(client, teacher, failed_case):
    client.force_login(teacher)

    html = client.get(reverse("certification:case", args=[failed_case.pk])).content.decode()
    text = text_of(html)

    deadline = format_deadline(failed_case.appeal_deadline)
    assert "狀態 初審未通過" in text
    assert f"申復期限 {deadline}" in text
    row = text_of(html.split('data-slot="appeal"', 1)[1].split("</tr>", 1)[0])
    assert "申覆文件" in row and "認證審查結果申復表" in row and "新增" in row and "未填寫" in row
    assert f'action="{send_url(failed_case)}"' in html and ">申復</button>" in html


def test_the_form_reads_as_the_seed_and_starts_filled_from_the_case(client, teacher, failed_case):
    client.force_login(teacher)

    html = client.get(appeal_url(failed_case)).content.decode()
    text = text_of(html)

    assert "認證審查結果申復表" in text
    for label in ("認證教師", "縣市", "學校", "申請日期"):
        assert label in text
    assert "審查委員意見 (請將認證資料審查表之意見填入)" in text
    assert "申復意見 (請針對審查委員意見說明)" in text
    assert "(如有相關證明資料，請與此上傳)" in text
    assert "註：認證結果為「不通過」者得於收到通知後10日(含假日)內提出申復。" in text
    assert "取消" in text and "儲存" in text
    assert 'value="黃測試"' in html and 'value="臺北市"' in html and 'value="臺北市立測試國小"' in html
    assert 'name="revision" value="0"' in html
    assert 'enctype="multipart/form-data"' in html


def test_儲存_keeps_a_draft_and_files_nothing(client, teacher, failed_case):
    client.force_login(teacher)

    response = client.post(appeal_url(failed_case), filled(failed_case, file=pdf("補充 證明.pdf")), follow=True)

    text = text_of(response.content.decode())
    assert "已儲存認證審查結果申復表。" in text
    assert "狀態 初審未通過" in text
    row = text_of(response.content.decode().split('data-slot="appeal"', 1)[1].split("</tr>", 1)[0])
    assert "已完成" in row and "編輯" in row and "補充 證明.pdf" in row
    draft = Appeal.objects.get(case=failed_case)
    assert draft.filed_at is None and draft.is_complete and draft.revision == 1
    assert Case.objects.get(pk=failed_case.pk).state == State.FIRST_FAILED
    assert not CaseEvent.objects.filter(case=failed_case, action="appeal").exists()
    # Opened again: the draft as saved.
    assert OPINIONS["appeal_opinion"] in client.get(appeal_url(failed_case)).content.decode()


def test_an_incomplete_draft_is_kept_and_named(client, teacher, failed_case):
    client.force_login(teacher)

    response = client.post(appeal_url(failed_case), filled(failed_case, appeal_opinion=""), follow=True)

    assert "已儲存。尚未填寫：申復意見 (請針對審查委員意見說明)" in text_of(response.content.decode())
    draft = Appeal.objects.get(case=failed_case)
    assert not draft.is_complete and draft.data["reviewer_opinion"] == OPINIONS["reviewer_opinion"]


def test_申復_files_the_draft_with_its_pdf_and_moves_the_case(client, teacher, failed_case):
    client.force_login(teacher)

    response = appeal(client, failed_case, file=pdf("補充 證明.pdf"))

    html = response.content.decode()
    text = text_of(html)
    assert "已提出申復，縣市教專中心將確認是否受理。" in text
    assert "狀態 申復審查 (受理中)" in text
    # Under 查看表單列表: the form's title, then 查看 leading to it.
    assert "認證審查結果申復表 查看 認證審查結果申復表" in text
    assert re.search(
        rf'<th scope="row"[^>]*>認證審查結果申復表</th><td><a [^>]*href="{appeal_url(failed_case)}">查看', html
    )
    case = Case.objects.get(pk=failed_case.pk)
    assert case.state == State.APPEAL_INTAKE
    assert case.appeal_deadline is None
    filed = Appeal.objects.get(case=case)
    assert filed.round == ReviewRound.FIRST and filed.filed_at is not None
    assert filed.data["appeal_opinion"] == OPINIONS["appeal_opinion"]
    assert filed.data["reviewer_opinion"] == OPINIONS["reviewer_opinion"]
    assert filed.file_name == "補充 證明.pdf"
    stored = filed.file.read()
    assert stored.startswith(b"%PDF-") and filed.file_sha256 == hashlib.sha256(stored).hexdigest()
    assert filed.accepted is None
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.actor, event.from_state) == ("appeal", teacher, State.FIRST_FAILED)


def test_the_pdf_is_optional(client, teacher, failed_case):
    client.force_login(teacher)

    appeal(client, failed_case)

    filed = Appeal.objects.get(case=failed_case)
    assert filed.filed_at is not None and not filed.file and filed.file_name == ""


def test_a_second_failure_is_appealed_as_the_second_round(client, teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    walk(case, TO_SECOND_FAILED, teacher, taipei_officer)
    client.force_login(teacher)

    appeal(client, case)

    assert Appeal.objects.get(case=case).round == ReviewRound.SECOND
    assert Case.objects.get(pk=case.pk).state == State.APPEAL_INTAKE


@pytest.mark.parametrize("saved", [False, True], ids=["no-draft", "incomplete-draft"])
def test_申復_without_a_complete_form_is_a_4xx_and_files_nothing(client, teacher, failed_case, saved):
    client.force_login(teacher)
    if saved:
        client.post(appeal_url(failed_case), filled(failed_case, appeal_opinion=""))

    response = client.post(send_url(failed_case), {"revision": failed_case.revision})

    text = text_of(response.content.decode())
    assert response.status_code == 400
    assert ("申復意見" in text) if saved else ("請先於編輯表單列表的「申覆文件」填寫認證審查結果申復表並儲存" in text)
    assert not Appeal.objects.filed().exists()
    assert Case.objects.get(pk=failed_case.pk).state == State.FIRST_FAILED


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([pdf("照片.pdf", b"\x89PNG\r\n\x1a\n not a pdf")], pdf_rules.NOT_PDF.format(name="照片.pdf")),
        ([pdf("一.pdf"), pdf("二.pdf")], pdf_rules.TOO_MANY),
    ],
    ids=["not-a-pdf", "two-files"],
)
def test_a_refused_pdf_keeps_what_was_typed_and_saves_nothing(client, teacher, failed_case, files, message):
    client.force_login(teacher)

    response = client.post(appeal_url(failed_case), filled(failed_case, file=files))

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert OPINIONS["appeal_opinion"] in html
    assert not Appeal.objects.exists()
    assert Case.objects.get(pk=failed_case.pk).state == State.FIRST_FAILED


def test_a_double_click_files_one_appeal(client, teacher, failed_case):
    client.force_login(teacher)
    client.post(appeal_url(failed_case), filled(failed_case))
    failed_case.refresh_from_db()

    client.post(send_url(failed_case), {"revision": failed_case.revision})
    response = client.post(send_url(failed_case), {"revision": failed_case.revision})

    assert response.status_code == 409
    assert "此申請目前的狀態為「申復審查 (受理中)」，無法執行「申復」。" in text_of(response.content.decode())
    assert Appeal.objects.filter(case=failed_case).count() == 1
    assert CaseEvent.objects.filter(case=failed_case, action="appeal").count() == 1


def test_a_stale_page_files_nothing(client, teacher, failed_case):
    client.force_login(teacher)
    client.post(appeal_url(failed_case), filled(failed_case))

    response = client.post(send_url(failed_case), {"revision": failed_case.revision - 1})

    assert response.status_code == 409
    assert "此頁面的資料已經更新，請重新整理後再操作。" in text_of(response.content.decode())
    assert not Appeal.objects.filed().exists()
    assert Case.objects.get(pk=failed_case.pk).state == State.FIRST_FAILED


def test_a_save_from_another_tab_is_not_overwritten(client, teacher, failed_case):
    client.force_login(teacher)
    first_tab = filled(failed_case)
    client.post(appeal_url(failed_case), first_tab)

    response = client.post(appeal_url(failed_case), {**first_tab, "appeal_opinion": "另一個分頁的內容"})

    assert response.status_code == 409
    assert "此表單已在其他視窗儲存過" in text_of(response.content.decode())
    assert "另一個分頁的內容" in response.content.decode()  # kept on the page to copy
    assert Appeal.objects.get(case=failed_case).data["appeal_opinion"] == OPINIONS["appeal_opinion"]


def test_appeal_in_another_state_is_refused(client, teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    walk(case, TO_FIRST_FAILED[:-1], teacher, taipei_officer)
    client.force_login(teacher)

    saved = client.post(appeal_url(case), filled(case))
    sent = client.post(send_url(case), {"revision": case.revision})

    for response in (saved, sent):
        assert response.status_code == 409
        assert "此申請目前的狀態為「初審判定」，無法執行「申復」。" in text_of(response.content.decode())
    assert not Appeal.objects.exists()
    response = client.get(appeal_url(case), follow=True)  # nothing filed to read either
    assert response.redirect_chain == [(reverse("certification:case", args=[case.pk]), 302)]
    assert "此申請沒有申復資料。" in text_of(response.content.decode())


def test_the_workflow_refuses_an_appeal_without_its_form(teacher, failed_case):
    with pytest.raises(DomainError) as refused:
        workflow.transition(failed_case, "appeal", actor=teacher)

    assert "請先於編輯表單列表的「申覆文件」填寫認證審查結果申復表並儲存" in refused.value.message
    assert Case.objects.get(pk=failed_case.pk).state == State.FIRST_FAILED


def test_only_the_teacher_saves_and_files(client, failed_case, taipei_officer, admin_user, reviewer):
    other = factories.teacher(name="王其他", account="t-other")
    form = filled(failed_case)

    client.force_login(other)
    assert client.post(appeal_url(failed_case), form).status_code == 404
    assert client.post(send_url(failed_case), {"revision": failed_case.revision}).status_code == 404
    assert client.get(appeal_url(failed_case)).status_code == 404
    for staff in (taipei_officer, admin_user, reviewer):
        client.force_login(staff)
        assert client.post(appeal_url(failed_case), form).status_code == 403
        assert client.post(send_url(failed_case), {"revision": failed_case.revision}).status_code == 403
    assert not Appeal.objects.exists()


def test_the_office_never_reads_a_draft(client, teacher, failed_case, taipei_officer):
    client.force_login(teacher)
    client.post(appeal_url(failed_case), filled(failed_case, file=pdf("補充.pdf")))
    draft = Appeal.objects.get(case=failed_case)

    client.force_login(taipei_officer)
    response = client.get(appeal_url(failed_case), follow=True)
    assert "此申請沒有申復資料。" in text_of(response.content.decode())
    assert client.get(reverse("review:case", args=[failed_case.pk]) + f"?appeal_file={draft.pk}").status_code == 404


def test_the_teacher_and_the_office_read_the_filed_appeal_and_its_pdf(
    client, teacher, failed_case, taipei_officer, taichung_officer
):
    client.force_login(teacher)
    appeal(client, failed_case, file=pdf("補充.pdf"))

    for user in (teacher, taipei_officer):
        client.force_login(user)
        html = client.get(appeal_url(failed_case)).content.decode()
        text = text_of(html)
        assert "認證審查結果申復表" in text and OPINIONS["appeal_opinion"] in text
        assert "初審結果之申復：受理中" in text
        assert "<textarea" not in html
        response = client.get(appeal_url(failed_case) + "?file=1")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        served = b"".join(response.streaming_content)
        assert hashlib.sha256(served).hexdigest() == Appeal.objects.get(case=failed_case).file_sha256

    client.force_login(taichung_officer)
    assert client.get(appeal_url(failed_case)).status_code == 404


def test_the_pages_old_addresses_lead_to_them(client, teacher, failed_case):
    client.force_login(teacher)

    old = f"/certification/cases/{failed_case.pk}"
    assert client.get(f"{old}/appeal/").url == reverse("review:appeal", args=[failed_case.pk])
    assert client.get(f"{old}/reviews/").url == reverse("review:reviews", args=[failed_case.pk])


def test_the_saved_drafts_pdf_opens_for_the_teacher_only(client, teacher, failed_case, taipei_officer):
    client.force_login(teacher)
    client.post(appeal_url(failed_case), filled(failed_case, file=pdf("補充.pdf")))

    served = client.get(appeal_url(failed_case) + "?draft_file=1")
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF-")

    client.force_login(taipei_officer)
    response = client.get(appeal_url(failed_case) + "?draft_file=1", follow=True)
    assert "此申請沒有申復資料。" in text_of(response.content.decode())
