"""流程進度: what a teacher, a 縣市 officer and 管理者 see on a case's page, and choosing templates."""

import re

import pytest
from django.urls import reverse

from proteacher.certification import answers, workflow
from proteacher.certification.models import FormSlot, SlotAnswer
from proteacher.documents.catalogue import get_template, title_of
from proteacher.testing import factories
from proteacher.testing.workflow import take

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(teacher):
    return factories.case(teacher, "advanced")


def page_of(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("certification:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def slot_row(html: str, slot_code: str) -> str:
    return html.split(f'data-slot="{slot_code}"', 1)[1].split("</tr>", 1)[0]


def submit(case, teacher):
    factories.fill_every_slot(case)
    workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)
    case.refresh_from_db()


def test_the_title_and_header_rows_read_as_in_the_seed(client, teacher, case):
    html = page_of(client, teacher, case)
    text = text_of(html)

    assert "<title>進階認證 - 流程進度" in html
    assert "流程名稱 進階認證" in text
    assert "狀態 準備資料" in text
    assert "學校 臺北市立測試國小" in text
    assert "教師 黃測試老師" in text
    assert "相關訊息 請完成下列所有表單後，按「送出審查文件」。" in text


def test_each_slot_of_the_type_is_a_row_with_its_allowed_templates(client, teacher, case):
    html = page_of(client, teacher, case)

    assert "編輯表單列表" in html
    labels = re.findall(r'<tr data-slot="[^"]+">\s*<th scope="row">([^<]+)</th>', html)
    assert labels == [
        "實施證明",
        "社群參與證明",
        "觀察前會談紀錄表",
        "觀察紀錄表",
        "觀察後回饋會談紀錄表",
        "認證檢核表",
    ]
    options = re.findall(r'<option value="([^"]*)"(?: selected)?>([^<]+)</option>', slot_row(html, "observation"))
    assert options[0] == ("", "請選擇表件")
    assert [code for code, _ in options[1:]] == [
        "observation_rubric_105",
        "observation_rubric_101",
        "anecdotal_record",
        "verbal_flow",
        "at_task",
        "teacher_movement",
        "flanders",
        "selective_verbatim",
    ]
    assert [title for _, title in options[1:]] == [title_of(code) for code, _ in options[1:]]
    assert ">公開授課實施證明</option>" in slot_row(html, "implementation")


def test_an_empty_slot_offers_a_greyed_add_button_that_opens_the_chosen_template(client, teacher, case):
    row = slot_row(page_of(client, teacher, case), "observation")

    assert f'method="get" action="{reverse("certification:slot_edit", args=[case.pk, "observation"])}"' in row
    assert '<button type="submit" class="btn btn-secondary" data-add disabled>新增</button>' in row
    assert "編輯" not in row
    assert "未填寫" in row


def test_a_filled_slot_offers_edit_with_its_template_chosen(client, teacher, case):
    factories.answer(case, "observation", "anecdotal_record", complete=False)

    row = slot_row(page_of(client, teacher, case), "observation")

    assert f'<option value="anecdotal_record" selected>{title_of("anecdotal_record")}</option>' in row
    assert f'href="{reverse("certification:slot_edit", args=[case.pk, "observation"])}" data-edit>編輯</a>' in row
    assert "尚未完成" in row


def test_a_complete_upload_shows_done_and_its_file_name(client, teacher, case):
    factories.answer(case, "implementation", "implementation_proof", upload=True, file_name="SA1.pdf")

    row = slot_row(page_of(client, teacher, case), "implementation")

    assert "已完成" in row
    assert f'<a href="{reverse("certification:slot_file", args=[case.pk, "implementation"])}">SA1.pdf</a>' in row


def test_the_teacher_in_preparation_gets_the_submit_button_and_its_check_the_case_revision(client, teacher, case):
    html = page_of(client, teacher, case)
    url = reverse("certification:submit", args=[case.pk])
    assert f'<a class="btn btn-success btn-lg" href="{url}">送出審查文件</a>' in html

    check = client.get(url).content.decode()

    form = check.split(f'action="{url}"', 1)[1].split("</form>", 1)[0]
    assert f'name="revision" value="{case.revision}"' in form
    assert 'name="action" value="submit"' in form


def test_the_history_lists_each_change_without_names(client, teacher, case, taipei_officer):
    submit(case, teacher)
    take(case, "formal_return", taipei_officer, reason="實施證明缺少核章。")

    text = text_of(page_of(client, teacher, case))

    history = text.split("歷程紀錄", 1)[1]
    assert "時間 狀態變更 說明" in history
    assert "準備資料 申請" in history
    assert "準備資料 → 形式審查 送出審查文件" in history
    assert "形式審查 → 準備資料 退件 (退回再編輯修正)：實施證明缺少核章。" in history
    assert "臺北市教專中心" not in text
    assert "原因訊息 實施證明缺少核章。" in text


def test_the_case_times_are_shown_as_dates(client, teacher, case):
    text = text_of(page_of(client, teacher, case))

    assert re.search(r"建立時間 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    assert re.search(r"最後更新時間 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)


def test_after_sending_the_forms_are_listed_read_only(client, teacher, case):
    submit(case, teacher)

    html = page_of(client, teacher, case)
    text = text_of(html)

    assert "狀態 形式審查" in text
    assert "相關訊息 已送出審查文件，縣市教專中心正在進行形式審查。" in text
    assert "編輯表單列表" not in html and "表單列表" in html
    assert "<select" not in html
    assert ">新增<" not in html and ">編輯<" not in html
    assert ">送出審查文件</button>" not in html
    assert f'href="{reverse("certification:slot_edit", args=[case.pk, "observation"])}">檢視' in html


def test_the_county_officer_reads_the_case_without_edit_or_submit(client, teacher, case, taipei_officer):
    factories.answer(case, "observation", "anecdotal_record")
    factories.answer(case, "implementation", "implementation_proof", upload=True, file_name="SA1.pdf")

    html = page_of(client, taipei_officer, case)

    assert "狀態 準備資料" in text_of(html)
    assert "<select" not in html and ">送出審查文件</button>" not in html
    assert f'href="{reverse("certification:slot_print", args=[case.pk, "observation"])}">檢視' in html
    assert f'href="{reverse("certification:slot_file", args=[case.pk, "implementation"])}">SA1.pdf' in html
    assert f'href="{reverse("certification:slot_edit", args=[case.pk, "observation"])}"' not in html


def test_the_administrator_reads_any_county_case(client, taichung_teacher, admin_user):
    case = factories.case(taichung_teacher, "basic")

    text = text_of(page_of(client, admin_user, case))

    assert "流程名稱 初階認證" in text
    assert "學校 臺中市立測試國小" in text


# --- Choosing another template for a slot ---------------------------------------------------


def edit_url(case, slot_code, template=None):
    url = reverse("certification:slot_edit", args=[case.pk, slot_code])
    return f"{url}?template={template}" if template else url


def test_choosing_a_template_for_an_empty_slot_opens_its_form(client, teacher, case):
    html = page_of(client, teacher, case)
    row = slot_row(html, "observation")
    assert f'action="{edit_url(case, "observation")}"' in row and 'name="template"' in row

    response = client.get(edit_url(case, "observation", "flanders"))

    assert response.status_code == 200 and title_of("flanders") in response.content.decode()


def test_choosing_another_template_opens_its_form_and_keeps_the_answer(client, teacher, case):
    answer = factories.answer(case, "observation", "anecdotal_record")
    client.force_login(teacher)

    form = client.get(edit_url(case, "observation", "flanders")).content.decode()

    assert "按「取消」則不會有任何變更" in text_of(form)
    kept = SlotAnswer.objects.get(pk=answer.pk)
    assert kept.in_use and kept.template_code == "anecdotal_record" and kept.data == answer.data


def set_aside(case, teacher):
    """The teacher saved 觀察紀錄 with anecdotal_record, then with flanders."""
    old = factories.answer(case, "observation", "anecdotal_record", data={"notes": "第一份"})
    slot = FormSlot.objects.get(certification_type=case.certification_type, code="observation")
    answers.save_answer(
        case, slot, get_template("flanders"), data={"topic": "新的"}, is_complete=False, expected_revision=0
    )
    return SlotAnswer.objects.get(pk=old.pk)


def test_saving_another_template_sets_the_old_answer_aside_on_the_case_page(client, teacher, case):
    old = set_aside(case, teacher)

    html = page_of(client, teacher, case)

    assert not old.in_use and old.data == {"notes": "第一份"}
    row = text_of(slot_row(html, "observation"))
    assert f"未使用：「{title_of('anecdotal_record')}」" in row
    assert "改用" in row and "刪除" in row


def test_switching_back_uses_the_old_answer_as_it_was(client, teacher, case):
    old = set_aside(case, teacher)
    client.force_login(teacher)

    response = client.post(
        reverse("certification:slot_use", args=[case.pk, "observation"]), {"template": "anecdotal_record"}
    )

    used = SlotAnswer.objects.get(pk=old.pk)
    assert used.in_use and used.data == {"notes": "第一份"}
    assert not SlotAnswer.objects.get(case=case, slot_code="observation", template_code="flanders").in_use
    assert (
        f"「觀察紀錄表」已改用「{title_of('anecdotal_record')}」。" in client.get(response["Location"]).content.decode()
    )


def test_discarding_a_set_aside_answer_asks_first_in_a_dialog(client, teacher, case):
    old = set_aside(case, teacher)
    client.force_login(teacher)

    response = client.post(
        reverse("certification:slot_discard", args=[case.pk, "observation"]),
        {"template": "anecdotal_record"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert "<dialog" in html and "<html" not in html
    assert "已填寫的內容將無法復原，確定要刪除嗎？" in text_of(html)
    assert SlotAnswer.objects.filter(pk=old.pk).exists()


def test_confirming_discards_only_the_set_aside_answer(client, teacher, case):
    old = set_aside(case, teacher)
    client.force_login(teacher)

    response = client.post(
        reverse("certification:slot_discard", args=[case.pk, "observation"]),
        {"template": "anecdotal_record", "confirm": "1", "answer_revision": str(old.revision)},
    )

    assert response["Location"] == reverse("certification:case", args=[case.pk])
    assert list(
        SlotAnswer.objects.filter(case=case, slot_code="observation").values_list("template_code", flat=True)
    ) == ["flanders"]


def test_the_answer_in_use_cannot_be_discarded(client, teacher, case):
    factories.answer(case, "observation", "anecdotal_record")
    client.force_login(teacher)

    response = client.post(
        reverse("certification:slot_discard", args=[case.pk, "observation"]),
        {"template": "anecdotal_record", "confirm": "1", "answer_revision": "1"},
    )

    assert SlotAnswer.objects.filter(case=case, slot_code="observation").exists()
    assert answers.NOTHING_SET_ASIDE in client.get(response["Location"]).content.decode()


def test_a_confirmation_from_before_a_newer_save_is_refused(client, teacher, case):
    old = set_aside(case, teacher)
    SlotAnswer.objects.filter(pk=old.pk).update(revision=old.revision + 1)
    client.force_login(teacher)

    response = client.post(
        reverse("certification:slot_discard", args=[case.pk, "observation"]),
        {"template": "anecdotal_record", "confirm": "1", "answer_revision": str(old.revision)},
    )

    assert SlotAnswer.objects.filter(pk=old.pk).exists()
    followed = client.get(response["Location"]).content.decode()
    assert "此頁面的資料已經更新，請重新整理後再操作。" in followed


def test_a_template_the_slot_does_not_allow_is_no_form(client, teacher, case):
    client.force_login(teacher)

    assert client.get(edit_url(case, "implementation", "flanders")).status_code == 404


def test_no_template_changes_after_sending(client, teacher, case):
    old = set_aside(case, teacher)
    submit(case, teacher)
    client.force_login(teacher)

    used = client.post(
        reverse("certification:slot_use", args=[case.pk, "observation"]), {"template": "anecdotal_record"}
    )
    discarded = client.post(
        reverse("certification:slot_discard", args=[case.pk, "observation"]),
        {"template": "anecdotal_record", "confirm": "1", "answer_revision": str(old.revision)},
    )

    assert used["Location"] == discarded["Location"] == reverse("certification:case", args=[case.pk])
    assert not SlotAnswer.objects.get(pk=old.pk).in_use
    followed = client.get(used["Location"]).content.decode()
    assert "此申請已送出審查，表單僅供檢視，無法修改。" in followed


def test_the_page_for_a_type_with_three_slots(client, teacher):
    case = factories.case(teacher, "basic")

    html = page_of(client, teacher, case)

    assert "<title>初階認證 - 流程進度" in html
    assert len(re.findall(r'<tr data-slot="', html)) == 3


# --- 確認送出: the check before sending ---


def test_sending_opens_a_check_of_every_form_and_what_follows(client, teacher, case):
    factories.fill_every_slot(case)
    html = page_of(client, teacher, case)
    assert f'href="{reverse("certification:submit", args=[case.pk])}"' in html

    response = client.get(reverse("certification:submit", args=[case.pk]))

    text = text_of(response.content.decode())
    assert response.status_code == 200
    assert "確認送出審查文件" in text
    assert "送出後，所有表單將鎖定，無法再修改；縣市教專中心將進行形式審查" in text
    for label in ("實施證明", "社群參與證明", "觀察前會談紀錄表", "觀察紀錄表", "觀察後回饋會談紀錄表", "認證檢核表"):
        assert label in text
    assert "確認送出" in text and "返回修改" in text
    case.refresh_from_db()
    assert case.state == workflow.State.PREPARING


def test_the_check_names_what_is_missing_and_cannot_be_sent(client, teacher, case):
    factories.answer(case, "observation", "anecdotal_record")
    client.force_login(teacher)

    html = client.get(reverse("certification:submit", args=[case.pk])).content.decode()

    problems = text_of(html.split('id="send-problems"', 1)[1].split("</div>", 1)[0])
    assert "尚有表單未完成" in problems and "實施證明" in problems and "觀察紀錄表" not in problems
    assert re.search(r"<button type=\"submit\"[^>]*disabled[^>]*>確認送出", html)


def test_confirming_sends_the_case(client, teacher, case):
    factories.fill_every_slot(case)
    client.force_login(teacher)

    response = client.post(
        reverse("certification:submit", args=[case.pk]), {"action": "submit", "revision": case.revision}
    )

    case.refresh_from_db()
    assert case.state == workflow.State.FORMAL_REVIEW
    assert "已送出審查文件。" in client.get(response["Location"]).content.decode()


def test_the_revision_check_asks_for_送出複審資料(client, teacher, case, taipei_officer):
    from proteacher.testing.workflow import advance

    advance(case, workflow.State.FIRST_REVISION, taipei_officer)
    html = page_of(client, teacher, case)
    url = reverse("certification:act", args=[case.pk]) + "?action=resubmit"
    assert f'href="{url}"' in html

    text = text_of(client.get(url).content.decode())

    assert "確認送出複審資料" in text and "縣市教專中心將分發委員進行複審" in text


def test_the_check_of_a_case_already_sent_goes_back_with_the_reason(client, teacher, case):
    submit(case, teacher)
    client.force_login(teacher)

    response = client.get(reverse("certification:submit", args=[case.pk]))

    assert response["Location"] == reverse("certification:case", args=[case.pk])
    assert "「送出審查文件」" in client.get(response["Location"]).content.decode()


def test_the_breadcrumb_ends_in_申請認證_as_the_seed_shows(client, teacher, case):
    html = page_of(client, teacher, case)

    crumbs = text_of(html.split('<ol class="breadcrumb">', 1)[1].split("</ol>", 1)[0])
    assert crumbs.split() == ["首頁", "認證專區", "進階專業回饋人才認證", "申請認證"]


def test_the_check_names_typed_text_that_was_never_saved(client, teacher, case):
    from proteacher.certification import drafts

    factories.fill_every_slot(case)
    answer = SlotAnswer.objects.in_use().get(case=case, slot_code="observation")
    template = get_template(answer.template_code)
    drafts.keep(
        case,
        "observation",
        template,
        {**answer.data, "unit": "還沒儲存的教學單元"},
        base_revision=answer.revision,
        answer_revision=answer.revision,
    )
    client.force_login(teacher)

    html = client.get(reverse("certification:submit", args=[case.pk])).content.decode()

    row = text_of(slot_row(html, "observation"))
    assert "自動儲存的內容尚未按「儲存」，不會送出" in row
    assert "自動儲存" not in text_of(slot_row(html, "community"))
