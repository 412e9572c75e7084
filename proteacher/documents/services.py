"""Saving what a teacher puts into a slot. The one place that writes SlotAnswer."""

from django.db import transaction
from django.utils import timezone

from proteacher.certification.models import Case, FormSlot, SlotAnswer
from proteacher.certification.workflow import EDITABLE_STATES
from proteacher.documents.catalogue import FormTemplate
from proteacher.errors import DomainError


def ensure_editable(case: Case) -> None:
    if case.state not in EDITABLE_STATES:
        raise DomainError("此申請已送出審查，表單僅供檢視，無法修改。")


def ensure_allowed(slot: FormSlot, template: FormTemplate) -> None:
    if template.code not in slot.template_codes:
        raise DomainError(f"「{slot.label}」不能使用「{template.title}」。")


def lock_case_for_edit(case: Case) -> Case:
    """Inside a transaction: lock the case so a form save and 送出審查文件 cannot interleave."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    ensure_editable(locked)
    return locked


def save_answer(
    case: Case,
    slot: FormSlot,
    template: FormTemplate,
    *,
    data: dict | None = None,
    is_complete: bool,
    expected_revision: int | None,
    file=None,
    file_name: str | None = None,
) -> SlotAnswer:
    """Store the slot's answer (replacing another template's answer in that slot).

    `expected_revision` is the answer revision the form was opened with (None for a new one);
    a different current revision means another tab or a double click saved first.
    """
    ensure_allowed(slot, template)
    with transaction.atomic():
        locked = lock_case_for_edit(case)
        answer = SlotAnswer.objects.select_for_update().filter(case=locked, slot_code=slot.code).first()
        if answer is not None and expected_revision is not None and answer.revision != expected_revision:
            raise DomainError("此表單已在其他視窗儲存過，請重新開啟後再修改，以免覆蓋較新的內容。")
        if answer is None:
            answer = SlotAnswer(case=locked, slot_code=slot.code)
        answer.template_code = template.code
        answer.template_version = template.version
        if data is not None:
            answer.data = data
        if file is not None:
            answer.file = file
            answer.file_name = file_name or ""
        answer.is_complete = is_complete
        answer.revision += 1
        answer.save()
        Case.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
    return answer


def discard_answer(case: Case, slot: FormSlot) -> None:
    """Empty a slot (the teacher chose another template and confirmed losing the old answer)."""
    with transaction.atomic():
        locked = lock_case_for_edit(case)
        answer = SlotAnswer.objects.filter(case=locked, slot_code=slot.code).first()
        if answer is not None:
            if answer.file:
                # Delete the stored file after commit, so a rollback never leaves a row without its file.
                stored, storage = answer.file.name, answer.file.storage
                transaction.on_commit(lambda: storage.delete(stored))
            answer.delete()
            Case.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
