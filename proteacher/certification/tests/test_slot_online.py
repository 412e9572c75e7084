"""The online form page (表單 · 取消 / 儲存) and its printable view, as a teacher uses them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.certification import answers, workflow
from proteacher.certification.models import CertificationType, FormSlot, SlotAnswer
from proteacher.documents import engine
from proteacher.documents.catalogue import get_template
from proteacher.errors import DomainError

pytestmark = pytest.mark.django_db

HEADER = {
    "teacher": "王大明",
    "grade": "五年級",
    "subject": "數學",
    "observer": "黃測試老師",
    "unit": "分數的加減",
    "date": "2020-02-25",
    "place": "五年三班教室",
}
ANECDOTE = {"records-0-time": "09:05", "records-0-behavior": "教師提問", "records-0-facts": "三位學生舉手回答"}


@pytest.fixture
def case(teacher):
    basic = CertificationType.objects.get(code="basic")
    return workflow.open_case(teacher, basic, 113, {})


def form_url(case, slot="observation", template="anecdotal_record"):
    return reverse("certification:slot_edit", args=[case.pk, slot]) + f"?template={template}"


def post(client, case, data, slot="observation", template="anecdotal_record", revision="0", follow=True):
    payload = {"template": template, "revision": revision, "action": "save", **data}
    return client.post(form_url(case, slot, template), payload, follow=follow)


def answer_of(case, slot="observation"):
    return SlotAnswer.objects.get(case=case, slot_code=slot)


def fill_every_slot_completely(case):
    """Complete answers in the three 初階 slots, so 送出審查文件 goes through."""
    complete = {
        "pre_conference": ("pre_conference_a", HEADER),
        "observation": ("anecdotal_record", {**HEADER, **ANECDOTE}),
        "post_conference": ("post_conference_a", HEADER),
    }
    for slot_code, (code, posted) in complete.items():
        template = get_template(code)
        data, missing, errors = engine.validate(template, posted)
        assert not missing and not errors
        slot = FormSlot.objects.get(certification_type=case.certification_type, code=slot_code)
        answers.save_answer(case, slot, template, data=data, is_complete=True, expected_revision=None)


def test_new_form_shows_the_header_with_the_teacher_as_observer(client, teacher, case):
    client.force_login(teacher)
    page = client.get(form_url(case)).content.decode()
    assert "<h1" in page and "表單" in page and "軼事紀錄表" in page
    assert 'value="黃測試老師"' in page
    assert "授課教師" in page and "教學節次" in page and "公開授課/教學觀察日期" in page
    assert "備註：本紀錄表由觀課人員依據客觀具體事實填寫。" in page
    assert "時間(課堂時間或現實時間皆可)" in page and "事實摘要敘述" in page
    assert page.count(">儲存</button>") == 2 and page.count(">取消</a>") == 2


def test_required_fields_are_marked_with_a_star(client, teacher, case):
    client.force_login(teacher)
    page = client.get(form_url(case, "pre_conference", "pre_conference_a")).content.decode()
    assert '<label for="f-teacher">授課教師</label><span class="req" aria-hidden="true">*</span>' in page
    assert '<label for="f-date">觀察前會談日期</label><span class="req" aria-hidden="true">*</span>' in page
    assert '<label for="f-community">備課社群（選填）</label></th>' in page
    assert 'type="date"' in page and 'type="time"' in page


def test_saving_a_draft_keeps_it_and_names_what_is_missing(client, teacher, case):
    client.force_login(teacher)
    response = post(client, case, {"teacher": "王大明", "observer": "黃測試老師"})
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == form_url(case)
    assert (
        "已儲存。尚未填寫：任教年級、任教領域/科目、教學單元、公開授課/教學觀察日期、地點、軼事紀錄（至少一列）" in page
    )
    answer = answer_of(case)
    assert answer.data["teacher"] == "王大明"
    assert answer.is_complete is False
    assert (answer.template_code, answer.template_version) == ("anecdotal_record", 1)


def test_a_reopened_form_shows_the_saved_values(client, teacher, case):
    client.force_login(teacher)
    post(client, case, {**HEADER, **ANECDOTE, "periods": "2", "period": "1"})
    page = client.get(form_url(case)).content.decode()
    assert 'value="王大明"' in page and 'value="2020-02-25"' in page and 'value="09:05"' in page
    assert ">三位學生舉手回答</textarea>" in page
    assert 'name="periods" value="2"' in page


def test_a_complete_form_is_saved_as_complete(client, teacher, case):
    client.force_login(teacher)
    page = post(client, case, {**HEADER, **ANECDOTE}).content.decode()
    assert "已儲存。" in page and "尚未填寫" not in page
    assert answer_of(case).is_complete is True


def test_a_malformed_value_blocks_the_save_and_keeps_everything_typed(client, teacher, case):
    client.force_login(teacher)
    response = post(client, case, {**HEADER, "date": "2020-02-30", "periods": "-1", **ANECDOTE}, follow=False)
    page = response.content.decode()
    assert response.status_code == 200
    assert "以下欄位的內容格式不正確，尚未儲存" in page
    assert "「公開授課/教學觀察日期」請輸入正確的日期，例如 2020-02-25。" in page
    assert "「教學節次（共幾節）」不能小於 1。" in page
    assert 'value="2020-02-30"' in page and 'value="-1"' in page and 'value="王大明"' in page
    assert ">三位學生舉手回答</textarea>" in page
    assert not SlotAnswer.objects.filter(case=case).exists()


def test_a_save_from_a_stale_page_is_refused_and_keeps_the_typing(client, teacher, case):
    client.force_login(teacher)
    post(client, case, {**HEADER, "teacher": "第一次"})
    post(client, case, {**HEADER, "teacher": "另一個視窗"}, revision="1")
    response = post(client, case, {**HEADER, "teacher": "舊視窗"}, revision="1", follow=False)
    page = response.content.decode()
    assert "此表單已在其他視窗儲存過，請重新開啟後再修改，以免覆蓋較新的內容。" in page
    assert 'value="舊視窗"' in page
    assert answer_of(case).data["teacher"] == "另一個視窗"


def test_a_new_form_opened_before_another_tab_saved_is_refused(client, teacher, case):
    client.force_login(teacher)
    post(client, case, {**HEADER, "teacher": "先存的"})
    page = post(client, case, {**HEADER, "teacher": "後存的"}, revision="0", follow=False).content.decode()
    assert "此表單已在其他視窗儲存過" in page
    assert answer_of(case).data["teacher"] == "先存的"


def test_a_save_of_the_form_in_use_writes_it_without_reading_it_again(client, teacher, case):
    client.force_login(teacher)
    post(client, case, {**HEADER, "teacher": "第一次"})

    with CaptureQueriesContext(connection) as captured:
        post(client, case, {**HEADER, "teacher": "第二次"}, revision="1", follow=False)

    answer_reads = [q["sql"] for q in captured if q["sql"].startswith('SELECT "certification_slotanswer"')]
    assert len(answer_reads) == 1  # the page's own read, before the case is locked
    # ... which reads the case with them: no query of its own for the case.
    assert 'INNER JOIN "certification_case"' in answer_reads[0]
    assert not [q for q in captured if q["sql"].startswith('SELECT "certification_case"')]
    assert (answer_of(case).data["teacher"], answer_of(case).revision) == ("第二次", 2)


def _observation(case):
    return FormSlot.objects.get(certification_type=case.certification_type, code="observation")


def _typed(name):
    return engine.validate(get_template("anecdotal_record"), {**HEADER, **ANECDOTE, "teacher": name}).data


def test_an_answer_saved_between_the_read_and_the_lock_is_still_refused_as_stale(teacher, case):
    slot, template = _observation(case), get_template("anecdotal_record")
    answers.save_answer(case, slot, template, data=_typed("第一次"), is_complete=True, expected_revision=0)
    read_by_the_page = answer_of(case)
    answers.save_answer(case, slot, template, data=_typed("另一個視窗"), is_complete=True, expected_revision=1)

    with pytest.raises(DomainError, match="此表單已在其他視窗儲存過"):
        answers.save_answer(
            case, slot, template, data=_typed("舊的"), is_complete=True, expected_revision=1, known=read_by_the_page
        )
    assert (answer_of(case).data["teacher"], answer_of(case).revision) == ("另一個視窗", 2)


def test_an_answer_set_aside_between_the_read_and_the_lock_comes_back_in_use(teacher, case):
    slot, template = _observation(case), get_template("anecdotal_record")
    answers.save_answer(case, slot, template, data=_typed("軼事"), is_complete=True, expected_revision=0)
    read_by_the_page = answer_of(case)
    other = get_template(next(code for code in slot.template_codes if code != template.code))
    answers.save_answer(case, slot, other, data={}, is_complete=False, expected_revision=0)  # another tab

    answers.save_answer(
        case, slot, template, data=_typed("軼事改"), is_complete=True, expected_revision=1, known=read_by_the_page
    )

    in_use = SlotAnswer.objects.in_use().get(case=case, slot_code="observation")
    assert (in_use.template_code, in_use.data["teacher"], in_use.revision) == (template.code, "軼事改", 2)
    assert SlotAnswer.objects.get(case=case, template_code=other.code).in_use is False


def test_another_teacher_cannot_open_or_save_the_form(client, taichung_teacher, teacher, case):
    post_as_owner = engine.validate(get_template("anecdotal_record"), HEADER).data
    slot = FormSlot.objects.get(certification_type=case.certification_type, code="observation")
    answers.save_answer(
        case, slot, get_template("anecdotal_record"), data=post_as_owner, is_complete=False, expected_revision=None
    )
    client.force_login(taichung_teacher)
    assert client.get(form_url(case)).status_code == 404
    assert post(client, case, {**HEADER, "teacher": "入侵"}, follow=False).status_code == 404
    assert client.get(reverse("certification:slot_print", args=[case.pk, "observation"])).status_code == 404
    assert answer_of(case).data["teacher"] == "王大明"


def test_after_sending_the_form_is_read_only(client, teacher, case):
    fill_every_slot_completely(case)
    workflow.transition(case, "submit", actor=teacher)
    client.force_login(teacher)
    page = client.get(form_url(case)).content.decode()
    assert "此申請已送出審查，表單僅供檢視，無法修改。" in page
    assert ">儲存</button>" not in page and "<input" not in page.split('name="revision"')[1].split("</form>")[0]
    assert "王大明" in page and "三位學生舉手回答" in page


def test_after_sending_a_post_is_refused(client, teacher, case):
    fill_every_slot_completely(case)
    workflow.transition(case, "submit", actor=teacher)
    client.force_login(teacher)
    page = post(client, case, {**HEADER, "teacher": "偷改"}, revision="1").content.decode()
    assert "此申請已送出審查，表單僅供檢視，無法修改。" in page
    assert answer_of(case).data["teacher"] == "王大明"


def test_rows_keep_their_order_and_empty_rows_are_dropped(client, teacher, case):
    client.force_login(teacher)
    rows = {
        "records-0-behavior": "第一件事",
        "records-1-behavior": "",
        "records-4-behavior": "第二件事",
        "records-2-facts": "第三件事",
    }
    post(client, case, {**HEADER, **rows})
    assert [r["behavior"] or r["facts"] for r in answer_of(case).data["records"]] == [
        "第一件事",
        "第三件事",
        "第二件事",
    ]


def test_changing_the_seating_size_redraws_without_saving(client, teacher, case):
    client.force_login(teacher)
    payload = {**HEADER, "chart-rows": "2", "chart-columns": "3", "chart-1-1-ts": "4", "action": "layout"}
    response = client.post(
        form_url(case, template="verbal_flow"), {"template": "verbal_flow", "revision": "0", **payload}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="seat"') == 6
    assert 'name="chart-1-1-ts" value="4"' in page
    assert not SlotAnswer.objects.filter(case=case).exists()


def test_print_view_lays_out_the_paper_form_without_navigation(client, teacher, case):
    client.force_login(teacher)
    post(client, case, {**HEADER, **ANECDOTE, "periods": "2", "period": "1"})
    response = client.get(reverse("certification:slot_print", args=[case.pk, "observation"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "113學年度教師專業發展實踐方案" in page and "軼事紀錄表" in page
    assert "王大明" in page and "三位學生舉手回答" in page and "共 2 節" in page
    assert "主選單" not in page and "<input" not in page
    assert "css/forms.css" in page


def test_the_form_page_links_to_the_print_view_once_saved(client, teacher, case):
    client.force_login(teacher)
    assert ">列印</a>" not in client.get(form_url(case)).content.decode()
    post(client, case, HEADER)
    page = client.get(form_url(case)).content.decode()
    assert reverse("certification:slot_print", args=[case.pk, "observation"]) in page and ">列印</a>" in page


def test_an_officer_of_the_county_can_print_the_form(client, teacher, taipei_officer, case):
    client.force_login(teacher)
    post(client, case, HEADER)
    client.force_login(taipei_officer)
    page = client.get(reverse("certification:slot_print", args=[case.pk, "observation"])).content.decode()
    assert "王大明" in page and "返回表單" not in page


def test_a_link_to_an_empty_slot_with_several_forms_leads_to_the_choice_not_a_404(client, teacher, case):
    """送出審查文件's check lists each missing slot as a link without a template: with several
    forms to choose from, the teacher is taken to 流程進度's list to choose one."""
    client.force_login(teacher)
    response = client.get(reverse("certification:slot_edit", args=[case.pk, "observation"]), follow=True)
    assert response.redirect_chain == [(reverse("certification:case", args=[case.pk]), 302)]
    assert "請先於「觀察紀錄表」的下拉式選單選擇表件，再按「新增」。" in response.content.decode()


def test_a_link_to_an_empty_slot_with_one_form_opens_it(client, teacher, case):
    slot = FormSlot.objects.get(certification_type=case.certification_type, code="observation")
    slot.template_codes = ["anecdotal_record"]
    slot.save()
    client.force_login(teacher)
    response = client.get(reverse("certification:slot_edit", args=[case.pk, "observation"]))
    assert response.status_code == 200
    assert "軼事紀錄" in response.content.decode()
