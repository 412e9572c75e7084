"""自動儲存: what a teacher types into an online form, kept by the server before 儲存. The one place
that writes SlotDraft.

A draft holds whatever was typed (nothing in it is refused: 儲存 checks it) and the answer
revision its page was opened with. It is written without a lock, in one statement, with its audit
entry (one more INSERT) in the same transaction: a draft is never read by the review, and whether
it still fits the saved answer is decided when it is shown, by comparing that revision with the
answer's (`is_current`). 儲存 deletes the draft in the same transaction as it writes the answer
(`save_form`).
"""

import datetime
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.certification import answers
from proteacher.certification.models import Case, FormSlot, SlotAnswer, SlotDraft
from proteacher.documents.catalogue import FormTemplate

LOADED = "已載入 {time} 自動儲存的草稿，請按「儲存」確認。"
LOADED_OVER_NEWER = (
    "已載入 {time} 自動儲存的草稿。此表單之後曾在其他視窗儲存過，按「儲存」會以畫面上的內容取代已儲存的內容。"
)
OFFERED = "此表單有一份 {time} 自動儲存的草稿，但之後已在其他視窗儲存過較新的內容，所以沒有套用這份草稿。"


class Kept(NamedTuple):
    saved_at: datetime.datetime
    # The page was opened before the answer's last save (another tab, or a second click).
    stale: bool
    # False only for a stale page when a draft of the up-to-date page is there: that one is kept.
    stored: bool


def time_of(moment: datetime.datetime) -> str:
    """hh:mm in Asia/Taipei, as the page says when a draft was kept."""
    return timezone.localtime(moment).strftime("%H:%M")


def keep(
    case: Case,
    slot_code: str,
    template: FormTemplate,
    data: dict,
    *,
    base_revision: int,
    answer_revision: int | None,
    saved_at: datetime.datetime | None = None,
) -> Kept:
    """Store what the page holds as the draft of the slot and template.

    `base_revision` is the answer revision the page was opened with, `answer_revision` the saved
    answer's now (None while there is none). A stale page's draft replaces only a draft as stale
    as itself, never the draft of a page that is up to date.
    """
    answers.ensure_editable(case)
    saved_at = saved_at or timezone.now()
    stale = answer_revision is not None and base_revision != answer_revision
    key = {"case": case, "slot_code": slot_code, "template_code": template.code}
    values = {"template_version": template.version, "data": data, "base_revision": base_revision, "saved_at": saved_at}
    with transaction.atomic():
        if not stale:
            SlotDraft.objects.bulk_create(
                [SlotDraft(**key, **values)],
                update_conflicts=True,
                unique_fields=list(key),
                update_fields=list(values),
            )
            stored = True
        else:
            stored = SlotDraft.objects.filter(**key).exclude(base_revision=answer_revision).update(**values) > 0
            if not stored:
                _, stored = SlotDraft.objects.get_or_create(**key, defaults=values)
        if stored:
            _audit(case, slot_code, template, base_revision=base_revision, stale=stale)
    return Kept(saved_at, stale=stale, stored=stored)


def _audit(case: Case, slot_code: str, template: FormTemplate, **data) -> None:
    # Only the case's teacher types into its forms (the views check it).
    record(
        "slot.autosave",
        actor=case.teacher,
        subject=case.teacher_id,
        case=case.pk,
        target=template.title,
        data={"slot": slot_code, "template": template.code, **data},
    )


def draft_of(case: Case, slot_code: str, template_code: str) -> SlotDraft | None:
    return SlotDraft.objects.filter(case=case, slot_code=slot_code, template_code=template_code).first()


def unsaved(case: Case, slot_codes: list[str]) -> dict[str, str]:
    """{slot code: hh:mm} of the drafts that hold more than the answer a 送出 would send: typed
    (自動儲存) but never saved, on the template in use or on a slot still empty. Two queries."""
    drafts = [d for d in SlotDraft.objects.filter(case=case).order_by("saved_at") if d.slot_code in slot_codes]
    if not drafts:
        return {}
    in_use = {
        code: (template_code, data)
        for code, template_code, data in SlotAnswer.objects.in_use()
        .filter(case=case, slot_code__in={d.slot_code for d in drafts})
        .values_list("slot_code", "template_code", "data")
    }
    found = {}
    for draft in drafts:
        answer = in_use.get(draft.slot_code)
        if answer is None or (answer[0] == draft.template_code and draft.data != answer[1]):
            found[draft.slot_code] = time_of(draft.saved_at)
    return found


def is_current(draft: SlotDraft, answer: SlotAnswer | None, template: FormTemplate) -> bool:
    """The draft continues the saved answer (or there is none): the page shows it in the fields."""
    if draft.template_version != template.version:
        return False
    return answer is None or draft.base_revision == answer.revision


def save_form(
    case: Case,
    slot: FormSlot,
    template: FormTemplate,
    *,
    data: dict,
    is_complete: bool,
    expected_revision: int | None,
    known: SlotAnswer | None = None,
) -> SlotAnswer:
    """儲存 of an online form: the answer saved (answers.save_answer, with its checks; `known` as
    there) and the draft of that slot and template deleted in the same transaction; a refused save
    keeps the draft."""

    def delete_draft():
        SlotDraft.objects.filter(case=case, slot_code=slot.code, template_code=template.code).delete()

    return answers.save_answer(
        case,
        slot,
        template,
        data=data,
        is_complete=is_complete,
        expected_revision=expected_revision,
        known=known,
        also=delete_draft,
    )
