"""送出審查文件 in the workflow: the forms check that runs inside transition(case, "submit", ...)."""

import pytest

from proteacher.certification import answers, submission, workflow
from proteacher.certification.models import Case, CaseEvent, FormSlot
from proteacher.certification.workflow import State
from proteacher.documents.catalogue import get_template
from proteacher.errors import DomainError
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(teacher):
    return factories.case(teacher, "advanced")


def test_the_forms_check_is_declared_for_submit():
    assert submission.every_slot_complete in workflow.BY_ACTION["submit"].checks


def test_it_names_every_missing_slot_in_list_order(case, teacher):
    factories.answer(case, "implementation")
    factories.answer(case, "pre_conference")

    with pytest.raises(DomainError) as refused:
        workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)

    assert refused.value.message == "尚有表單未完成：社群參與證明、觀察紀錄表、觀察後回饋會談紀錄表、認證檢核表。"


def test_a_draft_with_missing_fields_counts_as_missing(case, teacher):
    factories.fill_every_slot(case)
    case.answers.filter(slot_code="observation").update(is_complete=False)

    with pytest.raises(DomainError) as refused:
        workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)

    assert refused.value.message == "尚有表單未完成：觀察紀錄表。"


def test_a_refused_submit_changes_nothing(case, teacher):
    before = Case.objects.get(pk=case.pk)

    with pytest.raises(DomainError):
        workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)

    after = Case.objects.get(pk=case.pk)
    assert (after.state, after.revision, after.updated_at) == (State.PREPARING, before.revision, before.updated_at)
    assert list(CaseEvent.objects.filter(case=case).values_list("action", flat=True)) == ["apply"]


def test_a_complete_case_goes_to_formal_review_with_its_event(case, teacher):
    factories.fill_every_slot(case)
    before = Case.objects.get(pk=case.pk)

    workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)

    after = Case.objects.get(pk=case.pk)
    assert after.state == State.FORMAL_REVIEW
    assert after.revision == before.revision + 1
    assert after.updated_at > before.updated_at
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "submit",
        State.PREPARING,
        State.FORMAL_REVIEW,
        teacher,
    )


def test_the_check_follows_the_type_slots(teacher):
    basic = factories.case(teacher, "basic")
    for slot in FormSlot.objects.filter(certification_type__code="basic"):
        factories.answer(basic, slot.code)

    workflow.transition(basic, "submit", actor=teacher, expected_revision=basic.revision)

    assert Case.objects.get(pk=basic.pk).state == State.FORMAL_REVIEW


def test_another_teacher_cannot_send_the_case(case, teacher, taichung_teacher):
    factories.fill_every_slot(case)

    with pytest.raises(DomainError) as refused:
        workflow.transition(case, "submit", actor=taichung_teacher, expected_revision=case.revision)

    assert refused.value.message == "您沒有執行此操作的權限。"
    assert Case.objects.get(pk=case.pk).state == State.PREPARING


def test_a_sent_case_refuses_form_saves_and_discards(case, teacher):
    factories.fill_every_slot(case)
    workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)
    slot = FormSlot.objects.get(certification_type=case.certification_type, code="implementation")
    answer = case.answers.get(slot_code="implementation")

    with pytest.raises(DomainError) as save_refused:
        answers.save_answer(
            case,
            slot,
            get_template(answer.template_code),
            data={"changed": True},
            is_complete=True,
            expected_revision=answer.revision,
        )
    with pytest.raises(DomainError) as discard_refused:
        answers.discard_answer(case, slot, answer.template_code)

    assert save_refused.value.message == discard_refused.value.message == "此申請已送出審查，表單僅供檢視，無法修改。"
    assert case.answers.get(slot_code="implementation").data == answer.data


def test_the_documented_diagram_is_the_table():
    from pathlib import Path

    from proteacher.certification.workflow import diagram

    doc = (Path(__file__).resolve().parents[3] / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert diagram() in doc
