"""The forms check of 送出審查文件, 送出複審資料 and 申復重新送審 (the workflow rows name it).

It runs inside workflow.transition(), after the case row is locked: a form saved in another tab
either committed before this check or waits for the lock and then finds the case sent (the
answer services refuse it).
"""

from proteacher.certification.models import Case, FormSlot, SlotAnswer
from proteacher.certification.selectors import case_slots
from proteacher.errors import DomainError


def missing_slots(case: Case) -> list[FormSlot]:
    """The case type's slots without a complete answer, in the order of 編輯表單列表."""
    complete = set(SlotAnswer.objects.in_use().filter(case=case, is_complete=True).values_list("slot_code", flat=True))
    return [slot for slot in case_slots(case) if slot.code not in complete]


def missing_message(missing: list[FormSlot]) -> str:
    """What 送出 says of the missing slots: the teacher's to finish, and the school's still to come
    (「推薦表」尚未由學校填寫: the teacher cannot fill it, only ask the school)."""
    teachers = [slot.label for slot in missing if not slot.is_filled_by_school]
    schools = [f"「{slot.label}」" for slot in missing if slot.is_filled_by_school]
    parts = []
    if teachers:
        parts.append(f"尚有表單未完成：{'、'.join(teachers)}。")
    if schools:
        parts.append(f"{'、'.join(schools)}尚未由學校填寫，請洽服務學校的學校承辦人。")
    return "".join(parts)


def every_slot_complete(change) -> None:
    missing = missing_slots(change.case)
    if missing:
        raise DomainError(missing_message(missing))
