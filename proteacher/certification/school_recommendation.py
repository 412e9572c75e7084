"""The school's 推薦表: a 學校承辦人 fills, for a teacher of the school who applied for a type that
needs the school's recommendation (教學輔導教師 and its renewal), the slot the school fills
(FormSlot.filled_by = school).

The answer is a SlotAnswer like any other (written by certification.answers, under the case's
lock, refused once the case has left an editable state), so 送出審查文件 freezes it with the
teacher's forms and the office and the 委員 read it as any other answer of the submission. The
audit entry is the officer's (school.recommend). The teacher reads it and cannot change it
(answers.ensure_teacher_fills).
"""

from proteacher.accounts.school_officers import holds_grant
from proteacher.certification import answers
from proteacher.certification.models import Case, FormSlot, SlotAnswer
from proteacher.documents.catalogue import FormTemplate
from proteacher.errors import DomainError

NO_GRANT = "您不是此學校的學校承辦人，無法填寫推薦表。"
NOT_THE_SCHOOLS = "「{slot}」由教師本人填寫，學校無法代填。"


def save(
    case: Case,
    slot: FormSlot,
    template: FormTemplate,
    *,
    officer,
    data: dict,
    is_complete: bool,
    expected_revision: int | None,
    known: SlotAnswer | None = None,
) -> SlotAnswer:
    """儲存 of the 推薦表 by a 學校承辦人 of the case's school."""
    if case.school_id is None or not holds_grant(officer, case.school_id):
        raise DomainError(NO_GRANT)
    if not slot.is_filled_by_school:
        raise DomainError(NOT_THE_SCHOOLS.format(slot=slot.label))
    return answers.save_answer(
        case,
        slot,
        template,
        data=data,
        is_complete=is_complete,
        expected_revision=expected_revision,
        known=known,
        school_officer=officer,
    )
