"""形式審查: the 形式審查表 (per slot 資料齊全且正確 and a reason) → 通過 or 退件."""

import pytest
from django.urls import reverse

from proteacher.certification import answers, formal_verdicts, workflow
from proteacher.certification.models import Case, CaseEvent, FormSlot
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.review import office
from proteacher.review.models import FormalReview
from proteacher.review.tests.test_decisions import advance, messages_of
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

ADVANCED_SLOTS = ["implementation", "community", "pre_conference", "observation", "post_conference", "checklist"]


@pytest.fixture
def sent(teacher, taipei_officer) -> Case:
    """A 臺北市 進階 case the teacher has sent: 形式審查."""
    return advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, taipei_officer)


def slot_codes(case) -> list[str]:
    return list(
        FormSlot.objects.filter(certification_type_id=case.certification_type_id)
        .order_by("sort_order", "id")
        .values_list("code", flat=True)
    )


def formal_post(client, case, decision="pass", reason="", problems=None, revision=None, state=None, unchecked=()):
    """Post the 形式審查表: every slot 是, except those in `problems` ({code: reason}: 否)."""
    problems = problems or {}
    data = {
        "revision": case.revision if revision is None else revision,
        "state": state or case.state,
        "decision": decision,
        "reason": reason,
    }
    for code in slot_codes(case):
        if code in unchecked:
            continue
        data[f"{code}-ok"] = "no" if code in problems else "yes"
        data[f"{code}-reason"] = problems.get(code, "")
    return client.post(reverse("review:formal", args=[case.pk]), data)


def snapshot(case) -> tuple:
    case.refresh_from_db()
    return (
        case.state,
        case.revision,
        list(CaseEvent.objects.filter(case=case).values_list("pk", flat=True)),
        FormalReview.objects.filter(case=case).count(),
    )


def test_the_slots_are_those_of_the_type(sent):
    assert slot_codes(sent) == ADVANCED_SLOTS


def test_the_officer_sees_the_form_with_both_buttons(client, sent, taipei_officer):
    client.force_login(taipei_officer)

    page = client.get(reverse("review:case", args=[sent.pk])).content.decode()

    assert "形式審查表" in page
    for code in ADVANCED_SLOTS:
        assert f'name="{code}-ok"' in page
        assert f'name="{code}-reason"' in page
    assert ">通過 (準備分發委員)</button>" in page
    assert ">退件 (退回再編輯修正)</button>" in page
    assert f'name="revision" value="{sent.revision}"' in page


def test_pass_moves_the_case_to_first_assign_and_stores_the_form(client, sent, taipei_officer):
    client.force_login(taipei_officer)

    response = formal_post(client, sent, "pass")

    assert response.status_code == 302
    assert response["Location"] == reverse("review:case", args=[sent.pk])
    assert messages_of(response) == ["形式審查已通過 (準備分發委員)。目前狀態為「初審分發委員」。"]
    sent.refresh_from_db()
    assert sent.state == State.FIRST_ASSIGN
    record = FormalReview.objects.get(case=sent)
    assert (record.passed, record.officer, record.reason) == (True, taipei_officer, "")
    assert record.slots == dict.fromkeys(ADVANCED_SLOTS, {"ok": True, "reason": ""})
    event = CaseEvent.objects.filter(case=sent).last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "formal_pass",
        State.FORMAL_REVIEW,
        State.FIRST_ASSIGN,
        taipei_officer,
    )


def test_return_sends_the_case_back_with_per_slot_reasons(client, sent, taipei_officer):
    client.force_login(taipei_officer)

    response = formal_post(
        client,
        sent,
        "return",
        reason="公開授課實施證明缺少校長核章，請補正後重新送出。",
        problems={"implementation": "缺少校長核章。"},
    )

    assert messages_of(response) == ["已退件 (退回再編輯修正)。目前狀態為「準備資料」。"]
    sent.refresh_from_db()
    assert sent.state == State.PREPARING
    record = FormalReview.objects.get(case=sent)
    assert record.passed is False
    assert record.slots["implementation"] == {"ok": False, "reason": "缺少校長核章。"}
    assert record.slots["observation"] == {"ok": True, "reason": ""}
    event = CaseEvent.objects.filter(case=sent).last()
    assert (event.action, event.to_state, event.reason) == (
        "formal_return",
        State.PREPARING,
        "公開授課實施證明缺少校長核章，請補正後重新送出。",
    )


def test_after_a_return_the_teacher_edits_and_sends_again(client, sent, taipei_officer, teacher):
    client.force_login(taipei_officer)
    formal_post(client, sent, "return", reason="請補正。", problems={"implementation": "缺少核章。"})

    client.force_login(teacher)
    page = client.get(reverse("certification:case", args=[sent.pk])).content.decode()
    assert "編輯表單列表" in page
    assert "請補正。" in page
    answers.ensure_editable(Case.objects.get(pk=sent.pk))  # raises DomainError when locked

    sent.refresh_from_db()
    client.post(reverse("certification:submit", args=[sent.pk]), {"revision": sent.revision})
    assert Case.objects.get(pk=sent.pk).state == State.FORMAL_REVIEW


def test_the_case_page_shows_the_stored_form(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    formal_post(client, sent, "return", reason="請補正。", problems={"checklist": "檢核表未簽名。"})

    page = client.get(reverse("review:case", args=[sent.pk])).content.decode()

    record = page.split('class="formal-review-record')[1]
    assert "退件 (退回再編輯修正)" in record
    labels = ["實施證明", "社群參與證明", "觀察前會談紀錄表", "觀察紀錄表", "觀察後回饋會談紀錄表", "認證檢核表"]
    positions = [record.index(f'<th scope="row">{label}</th>') for label in labels]
    assert positions == sorted(positions)
    assert "檢核表未簽名。" in record
    assert "臺北市教專中心" in record


# --- What the form requires -------------------------------------------------------------------


def test_a_return_needs_a_reason(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(sent)

    response = formal_post(client, sent, "return", reason="  ")

    assert response.status_code == 400
    assert "退件請填寫原因訊息。" in response.content.decode()
    assert snapshot(sent) == before


def test_a_slot_marked_not_ok_needs_its_reason(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(sent)

    response = formal_post(client, sent, "return", reason="請補正。", problems={"observation": ""})

    assert response.status_code == 400
    assert "請填寫「觀察紀錄表」不齊全或不正確的原因。" in response.content.decode()
    assert snapshot(sent) == before


def test_every_slot_must_be_checked(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(sent)

    response = formal_post(client, sent, "pass", unchecked=("community",))

    assert response.status_code == 400
    assert "請勾選「社群參與證明」是否資料齊全且正確。" in response.content.decode()
    assert snapshot(sent) == before


def test_pass_is_refused_while_a_slot_is_not_ok(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(sent)

    response = formal_post(client, sent, "pass", problems={"observation": "缺頁。"})

    assert response.status_code == 400
    assert formal_verdicts.PASS_WITH_PROBLEMS.format(return_label="退件 (退回再編輯修正)") in response.content.decode()
    assert snapshot(sent) == before


def test_the_refused_form_keeps_what_was_typed(client, sent, taipei_officer):
    client.force_login(taipei_officer)

    response = formal_post(client, sent, "return", reason="", problems={"observation": "缺頁。"})

    page = response.content.decode()
    assert "缺頁。" in page
    assert 'value="no" class="form-check-input" id="id_observation-ok_1" checked' in page


# --- Refusals: wrong role, wrong state, stale page, double click --------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "teacher"])
def test_other_roles_are_forbidden(client, sent, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot(sent)

    response = formal_post(client, sent, "pass")

    assert response.status_code == 403
    assert snapshot(sent) == before


def test_another_county_finds_no_such_case(client, sent, taichung_officer):
    client.force_login(taichung_officer)
    before = snapshot(sent)

    response = formal_post(client, sent, "pass")

    assert response.status_code == 404
    assert snapshot(sent) == before


def test_the_admin_reviews_any_county(client, sent, admin_user):
    client.force_login(admin_user)

    formal_post(client, sent, "pass")

    assert Case.objects.get(pk=sent.pk).state == State.FIRST_ASSIGN


def test_a_case_not_yet_sent_is_refused(client, teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    client.force_login(taipei_officer)
    before = snapshot(case)

    response = formal_post(client, case, "pass")

    assert response.status_code == 302
    assert messages_of(response) == ["此申請目前的狀態為「準備資料」，無法執行「通過 (準備分發委員)」。"]
    assert snapshot(case) == before


def test_a_double_click_reviews_once(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    revision, state = sent.revision, sent.state

    formal_post(client, sent, "pass", revision=revision, state=state)
    second = formal_post(client, sent, "pass", revision=revision, state=state)

    assert messages_of(second) == ["此申請已經處理過，目前的狀態為「初審分發委員」。"]
    assert FormalReview.objects.filter(case=sent).count() == 1
    assert CaseEvent.objects.filter(case=sent, action="formal_pass").count() == 1


def test_a_page_from_before_a_return_and_resubmission_is_stale(client, sent, taipei_officer, teacher, admin_user):
    client.force_login(taipei_officer)
    old_revision = sent.revision
    # Another officer returned the case and the teacher sent it again: same state, newer case.
    office.formal_review(
        sent, admin_user, {code: {"ok": True} for code in slot_codes(sent)}, False, "請補正。", sent.revision
    )
    workflow.transition(sent, "submit", actor=teacher, expected_revision=sent.revision)
    before = snapshot(sent)

    response = formal_post(client, sent, "pass", revision=old_revision)

    assert messages_of(response) == ["此頁面的資料已經更新，請重新整理後再操作。"]
    assert snapshot(sent) == before


def test_an_incomplete_form_on_a_stale_page_hears_about_the_page(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    revision, state = sent.revision, sent.state
    formal_post(client, sent, "pass")

    response = formal_post(client, sent, "return", reason="", revision=revision, state=state)

    assert response.status_code == 302
    assert messages_of(response) == ["此申請已經處理過，目前的狀態為「初審分發委員」。"]


# --- The service -----------------------------------------------------------------------------


def test_the_service_stores_only_the_types_slots(sent, taipei_officer):
    results = {code: {"ok": True, "reason": "ignored"} for code in slot_codes(sent)} | {"other": {"ok": False}}

    record = office.formal_review(sent, taipei_officer, results, True, "", sent.revision)

    assert sorted(record.slots) == sorted(ADVANCED_SLOTS)
    assert record.slots["observation"] == {"ok": True, "reason": ""}


def test_the_service_refuses_a_teacher_before_reading_the_form(sent, teacher):
    with pytest.raises(DomainError) as refused:
        office.formal_review(sent, teacher, {}, True, "", sent.revision)

    assert refused.value.message == "您沒有執行此操作的權限。"


def test_a_refused_form_leaves_no_trace(sent, taipei_officer):
    before = snapshot(sent)

    with pytest.raises(DomainError):
        office.formal_review(sent, taipei_officer, {}, False, "", sent.revision)

    assert sent.state == State.FORMAL_REVIEW
    assert snapshot(sent) == before


def test_a_form_sent_without_either_button_asks_for_one(client, sent, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(sent)

    response = formal_post(client, sent, "")

    assert response.status_code == 400
    assert "請按「通過 (準備分發委員)」或「退件 (退回再編輯修正)」。" in response.content.decode()
    assert snapshot(sent) == before
