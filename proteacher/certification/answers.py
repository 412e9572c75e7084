"""What a teacher puts into a slot of 編輯表單列表: an online form's answers or an uploaded PDF.
The one place that writes SlotAnswer.

Every save locks the case row first, so a save and 送出審查文件 (whose forms check runs on the same
locked row) never interleave, and refuses once the case has left an editable state. Each answer
carries its own revision: a form posts the revision it showed, and a save from another tab or a
second click in between is refused instead of overwriting what the teacher never saw.

A slot keeps one answer per template. Saving one makes it the slot's answer in use and sets the
others aside, untouched: choosing another template never deletes anything. The teacher switches
back (`use_answer`) or discards a set-aside answer (`discard_answer`, a separate, confirmed step).
A stored file that a submission names (certification.submissions) is never deleted.

Each change writes its audit entry (the teacher, the case, the template's title) in its own
transaction: one INSERT, no read, as 儲存 is on the deadline crowd's path. A refused change
leaves none.
"""

from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.certification import submissions, workflow
from proteacher.certification.models import Case, FormSlot, SlotAnswer
from proteacher.certification.selectors import template_title
from proteacher.documents import pdf_rules
from proteacher.documents.catalogue import FormTemplate
from proteacher.errors import DomainError

READ_ONLY = "此申請已送出審查，表單僅供檢視，無法修改。"
STALE = "此表單已在其他視窗儲存過，請重新開啟後再修改，以免覆蓋較新的內容。"
NOT_OFFERED = "「{slot}」不能使用「{template}」。"
NOTHING_TO_REMOVE = "目前沒有已上傳的檔案。"
NOTHING_SET_ASIDE = "找不到這份未使用的表件，可能已被刪除或改用，請重新整理頁面。"
SCHOOL_FILLS = "「{slot}」由學校填寫，教師無法填寫或修改。"


def switch_notice(case: Case, slot: FormSlot, template: FormTemplate, answer: SlotAnswer | None) -> str:
    """What a form page says when its template is not the slot's answer in use ("" when it is)."""
    if answer is not None and answer.in_use or readonly_reason(case):
        return ""
    if answer is not None:
        return (
            f"此表件目前未使用（「{slot.label}」使用其他表件）。按「儲存」後改用此表件，"
            "原本使用的表件會保留，可於流程進度頁改回。"
        )
    current = SlotAnswer.objects.in_use().filter(case=case, slot_code=slot.code).only("template_code").first()
    if current is None:
        return ""
    return (
        f"「{slot.label}」目前使用其他表件。儲存「{template.title}」後將改用此表件，"
        "原本的內容會保留，可於流程進度頁改回；按「取消」則不會有任何變更。"
    )


def readonly_reason(case: Case) -> str:
    """Why the teacher can no longer change the case's forms ("" while they can)."""
    return "" if case.state in workflow.EDITABLE_STATES else READ_ONLY


def ensure_editable(case: Case) -> None:
    reason = readonly_reason(case)
    if reason:
        raise DomainError(reason)


def ensure_teacher_fills(slot: FormSlot) -> None:
    """A slot the school fills (the 推薦表) is never the teacher's to save, upload, switch or
    discard: only certification.school_recommendation writes it, with a 學校承辦人's grant."""
    if slot.is_filled_by_school:
        raise DomainError(SCHOOL_FILLS.format(slot=slot.label))


def _lock_for_edit(case: Case) -> Case:
    """Inside a transaction: lock the case so a form save and 送出審查文件 cannot interleave, and
    refuse once it has left an editable state. The lock is taken by writing the case's 最後更新時間
    (one statement for both; a refusal rolls the write back with the rest)."""
    editable = Case.objects.filter(pk=case.pk, state__in=workflow.EDITABLE_STATES)
    if not editable.update(updated_at=timezone.now()):
        raise DomainError(READ_ONLY)
    return case


def _answer_for(case: Case, slot: FormSlot, template_code: str) -> SlotAnswer | None:
    # Read under the case's lock: every writer of a case's answers takes it first.
    return SlotAnswer.objects.filter(case=case, slot_code=slot.code, template_code=template_code).first()


def _audit(action: str, case: Case, slot: FormSlot, title: str, **data) -> None:
    # Only the case's teacher edits its forms (the views check it): they act on their own data.
    data = {"slot": slot.code, **data}
    record(action, actor=case.teacher, subject=case.teacher_id, case=case.pk, target=title, data=data)


def _put_in_use(case: Case, slot: FormSlot, answer: SlotAnswer) -> None:
    """`answer` becomes the slot's answer; the slot's other answers are set aside as they are."""
    SlotAnswer.objects.filter(case=case, slot_code=slot.code, in_use=True).exclude(pk=answer.pk).update(in_use=False)
    answer.in_use = True


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
    file_sha256: str = "",
    known: SlotAnswer | None = None,
    also: Callable[[], object] | None = None,
    audited_as: str = "slot.save",
    school_officer=None,
) -> SlotAnswer:
    """Store the slot's answer with this template and make it the one in use (another template's
    answer in the slot is set aside, not deleted).

    `expected_revision` is the revision of this template's answer the form was opened with (0 for
    a new one; None not to check); a different current revision means another tab or a double
    click saved first. `known` is that answer as the caller read it before the save (the form's
    page reads it anyway): while it is still so, it is written in one statement without reading
    it again. `also` runs in the same transaction once the answer is written; `audited_as` is
    the audit action of the save (an upload's is slot.upload).

    `school_officer` is the 學校承辦人 saving a slot the school fills (the caller,
    certification.school_recommendation, has checked the grant): the audit entry is theirs. Without
    one, such a slot is refused.
    """
    if school_officer is None:
        ensure_teacher_fills(slot)
    elif not slot.is_filled_by_school:
        raise DomainError(NOT_OFFERED.format(slot=slot.label, template=template.title))
    if template.code not in slot.template_codes:
        raise DomainError(NOT_OFFERED.format(slot=slot.label, template=template.title))
    with transaction.atomic():
        locked = _lock_for_edit(case)
        if known is not None and _rewrite_if_unchanged(known, template, data, is_complete, expected_revision):
            _audit_save(audited_as, locked, slot, template, known, school_officer)
            if also is not None:
                also()
            return known
        answer = _answer_for(locked, slot, template.code)
        current = answer.revision if answer is not None else 0
        if expected_revision is not None and current != expected_revision:
            raise DomainError(STALE)
        if answer is None:
            answer = SlotAnswer(case=locked, slot_code=slot.code, template_code=template.code)
        answer.template_version = template.version
        if data is not None:
            answer.data = data
        if file is not None:
            answer.file = file
            answer.file_name = file_name or ""
            answer.file_sha256 = file_sha256
        answer.is_complete = is_complete
        answer.revision += 1
        if not answer.in_use or answer.pk is None:
            _put_in_use(locked, slot, answer)
        answer.save()
        _audit_save(audited_as, locked, slot, template, answer, school_officer)
        if also is not None:
            also()
    return answer


def _audit_save(
    action: str, case: Case, slot: FormSlot, template: FormTemplate, answer: SlotAnswer, school_officer=None
) -> None:
    data = {"template": template.code, "revision": answer.revision, "complete": answer.is_complete}
    if school_officer is not None:
        data |= {"slot": slot.code, "school": case.school_id}
        record(
            "school.recommend",
            actor=school_officer,
            subject=case.teacher_id,
            case=case.pk,
            target=template.title,
            data=data,
        )
        return
    if action == "slot.upload":
        data |= {"file_name": answer.file_name, "sha256": answer.file_sha256}
    _audit(action, case, slot, template.title, **data)


def _rewrite_if_unchanged(
    known: SlotAnswer, template: FormTemplate, data: dict | None, is_complete: bool, expected_revision: int | None
) -> bool:
    """Under the case's lock: write an online answer in use in one UPDATE that holds only while
    the row is as `known` (same revision, still in use). False when it is not, or for anything
    else (a file, a new answer, another template, a set-aside answer): the caller then reads the
    row and decides as for any save."""
    if data is None or known.pk is None or not known.in_use or known.template_code != template.code:
        return False
    if expected_revision is not None and expected_revision != known.revision:
        return False
    fields = {
        "template_version": template.version,
        "data": data,
        "is_complete": is_complete,
        "revision": known.revision + 1,
        "updated_at": timezone.now(),
    }
    unchanged = SlotAnswer.objects.filter(pk=known.pk, revision=known.revision, in_use=True)
    if not unchanged.update(**fields):
        return False
    for name, value in fields.items():
        setattr(known, name, value)
    return True


def _delete_after_commit(stored_file) -> None:
    # After commit, so a rollback never leaves a row without its file; never a file a
    # submission names (what a round reviewed is kept for good).
    name, storage = stored_file.name, stored_file.storage
    if submissions.file_is_kept(name):
        return
    transaction.on_commit(lambda: storage.delete(name))


def save_upload(
    case: Case, slot: FormSlot, template: FormTemplate, uploads: list[UploadedFile], *, expected_revision: int | None
) -> SlotAnswer:
    """儲存 of an upload form: the PDF checked on its content and rewritten (documents.pdf_rules),
    stored with its SHA-256 under a name the platform makes up, and the file it replaces deleted
    once the change is committed.

    儲存 with no new file keeps the saved one (and makes it the slot's answer again if it was set
    aside).
    """
    ensure_teacher_fills(slot)
    ensure_editable(case)
    current = SlotAnswer.objects.filter(case=case, slot_code=slot.code, template_code=template.code).first()
    if current is not None and current.file and not any(uploads):
        return use_answer(case, slot, template.code) if not current.in_use else current
    max_bytes, max_files = pdf_rules.file_rules(template)
    upload = pdf_rules.check_pdf(uploads, max_bytes=max_bytes, max_files=max_files)
    with transaction.atomic():
        locked = _lock_for_edit(case)
        answer = _answer_for(locked, slot, template.code)
        replaced = answer.file if answer is not None and answer.file else None
        saved = save_answer(
            locked,
            slot,
            template,
            is_complete=True,
            expected_revision=expected_revision if answer is not None else None,
            file=pdf_rules.stored_file(upload),
            file_name=pdf_rules.display_name(upload.name),
            file_sha256=upload.sha256,
            audited_as="slot.upload",
        )
        if replaced is not None and replaced.name != saved.file.name:
            # The row now names the new file; the old one is referenced by nothing.
            _delete_after_commit(replaced)
    return saved


def remove_upload(case: Case, slot: FormSlot, template: FormTemplate, *, expected_revision: int | None) -> str:
    """點擊取消上傳此檔案: an upload answer is its file alone, so the answer goes (新增 again).
    Returns the removed file's name."""
    ensure_teacher_fills(slot)
    with transaction.atomic():
        locked = _lock_for_edit(case)
        answer = _answer_for(locked, slot, template.code)
        if answer is None or not answer.file:
            raise DomainError(NOTHING_TO_REMOVE)
        if expected_revision is not None and answer.revision != expected_revision:
            raise DomainError(STALE)
        name = answer.file_name
        _discard(locked, answer)
        _audit("slot.remove_upload", locked, slot, template.title, template=template.code, file_name=name)
    return name


def use_answer(case: Case, slot: FormSlot, template_code: str) -> SlotAnswer:
    """改用: a set-aside answer becomes the slot's answer again, exactly as it was saved."""
    ensure_teacher_fills(slot)
    with transaction.atomic():
        locked = _lock_for_edit(case)
        answer = _answer_for(locked, slot, template_code)
        if answer is None:
            raise DomainError(NOTHING_SET_ASIDE)
        if not answer.in_use:
            _put_in_use(locked, slot, answer)
            answer.revision += 1
            answer.save(update_fields=["in_use", "revision"])
            title = template_title(answer.template_code, answer.template_version)
            _audit("slot.use", locked, slot, title, template=template_code, revision=answer.revision)
    return answer


def discard_answer(case: Case, slot: FormSlot, template_code: str, *, expected_revision: int | None = None) -> None:
    """刪除 a set-aside answer: the teacher confirmed losing it as it was when asked
    (`expected_revision`); a save since then is refused as stale. The answer in use is never
    discarded this way (an upload's file is removed on its own page)."""
    ensure_teacher_fills(slot)
    with transaction.atomic():
        locked = _lock_for_edit(case)
        answer = _answer_for(locked, slot, template_code)
        if answer is None or answer.in_use:
            raise DomainError(NOTHING_SET_ASIDE)
        if expected_revision is not None and answer.revision != expected_revision:
            raise DomainError(workflow.STALE_PAGE)
        _discard(locked, answer)
        title = template_title(answer.template_code, answer.template_version)
        _audit("slot.discard", locked, slot, title, template=template_code, revision=answer.revision)


def _discard(case: Case, answer: SlotAnswer) -> None:
    if answer.file:
        _delete_after_commit(answer.file)
    answer.delete()
