"""送出審查文件: the forms check that runs inside workflow.transition(case, "submit", ...).

Registered as the "submit" action's side effect (CertificationConfig.ready), so it runs after
the case row is locked: a form saved in another tab either committed before this check or waits
for the lock and then finds the case sent (documents.services refuses it).
"""

from proteacher.certification.models import Case, FormSlot, SlotAnswer
from proteacher.certification.workflow import WorkflowError


def missing_slots(case: Case) -> list[FormSlot]:
    """The case type's slots without a complete answer, in the order of 編輯表單列表."""
    complete = set(SlotAnswer.objects.filter(case=case, is_complete=True).values_list("slot_code", flat=True))
    slots = FormSlot.objects.filter(certification_type_id=case.certification_type_id).order_by("sort_order", "id")
    return [slot for slot in slots if slot.code not in complete]


def require_every_slot_complete(case: Case, actor, data: dict) -> None:
    missing = missing_slots(case)
    if missing:
        raise WorkflowError(f"尚有表單未完成：{'、'.join(slot.label for slot in missing)}。")
