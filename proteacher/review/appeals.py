"""The teacher's 申復 as the seed shows it: on the failed case, 編輯表單列表 has the row 申覆文件 ·
認證審查結果申復表; the teacher fills it and saves it as a draft (儲存), then presses 申復 on 流程進度,
which files it, within the window the failing decision opened (the window itself is
certification.deadlines', checked by the workflow's "appeal" row).
"""

from django.db import transaction
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.audit.log import record
from proteacher.certification import answers, workflow
from proteacher.certification.deadlines import TAIPEI, format_deadline
from proteacher.certification.models import Case
from proteacher.documents import engine, pdf_rules
from proteacher.documents.catalogue import FormTemplate, UnknownTemplate, get_template
from proteacher.errors import DomainError
from proteacher.review.models import Appeal

TEMPLATE_CODE = "appeal_form"
# Where the template's version is kept beside the answers (Appeal has no column for it), so an
# old appeal still renders after the form gains a version.
VERSION_KEY = "_template_version"


class AppealFormIncomplete(DomainError):
    """The 申復表 itself needs fixing (a required answer, the PDF)."""


SAVED = "已儲存認證審查結果申復表。請於{deadline}前在流程進度按「申復」送出。"
NO_DRAFT = "請先於編輯表單列表的「申覆文件」填寫認證審查結果申復表並儲存，再按「申復」。"


def appeal_template() -> FormTemplate:
    return get_template(TEMPLATE_CODE)


def template_of(appeal: Appeal) -> FormTemplate:
    try:
        return get_template(TEMPLATE_CODE, appeal.data.get(VERSION_KEY))
    except UnknownTemplate:
        return appeal_template()


def initial_data(case: Case) -> dict:
    """A new 申復表: 認證教師, 縣市, 學校 and 申請日期 filled in from the case."""
    return engine.form_for(appeal_template()).initial(
        {
            "teacher": case.teacher.name,
            "county": case.county.name if case.county_id else "",
            "school": case.school.name if case.school_id else "",
            "today": timezone.localdate(timezone=TAIPEI).isoformat(),
        }
    )


def _checked_upload(uploads: list) -> pdf_rules.CheckedPdf | None:
    if not [f for f in uploads if f is not None]:
        return None
    try:
        return pdf_rules.check_pdf(uploads)
    except DomainError as error:
        raise AppealFormIncomplete(error.message) from error


def saved_message(case: Case) -> str:
    """What 儲存 of a complete 申復表 tells the teacher: the deadline to press 申復 by."""
    deadline = f" {format_deadline(case.appeal_deadline)} " if case.appeal_deadline else "申復期限"
    return SAVED.format(deadline=deadline)


def draft_of(case: Case) -> Appeal | None:
    """The 申覆文件 the teacher saved and has not filed yet."""
    return Appeal.objects.drafts().filter(case=case).first()


def _open_for(case: Case, teacher: User) -> None:
    """申復 is the teacher's, in a failed state, inside the window; else DomainError saying why."""
    problem = workflow.unavailable_reason(case, "appeal", teacher)
    if problem:
        raise DomainError(problem)


def save_draft(case: Case, teacher: User, *, data: dict, uploads: list, expected_revision: int | None) -> Appeal:
    """儲存 of the 認證審查結果申復表: kept as a draft, complete or not, with at most one PDF (a new
    one replaces the saved one). Only inside the window; `expected_revision` is the draft's
    revision the form showed (0 for a new one), so another tab's save is never overwritten. The
    audit entry is written in the same transaction."""
    _open_for(case, teacher)
    upload = _checked_upload(uploads)
    template = appeal_template()
    with transaction.atomic():
        # The case row first, as 申復 takes it: a save and a 申復 never interleave.
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _open_for(locked, teacher)
        draft = Appeal.objects.select_for_update().drafts().filter(case=locked).first()
        current = draft.revision if draft is not None else 0
        if expected_revision is not None and current != expected_revision:
            raise DomainError(answers.STALE)
        draft = draft or Appeal(case=locked)
        draft.data = {**data, VERSION_KEY: template.version}
        draft.is_complete = not engine.missing_labels(template, data)
        replaced = draft.file if draft.file and upload is not None else None
        if upload is not None:
            draft.file = pdf_rules.stored_file(upload)
            draft.file_name = pdf_rules.display_name(upload.name)
            draft.file_sha256 = upload.sha256
        draft.revision += 1
        draft.updated_at = timezone.now()
        draft.save()
        data = {"revision": draft.revision, "complete": draft.is_complete}
        if upload is not None:
            data |= {"file_name": draft.file_name, "sha256": draft.file_sha256}
        record("appeal.save", actor=teacher, subject=teacher, case=locked.pk, target=template.title, data=data)
        if replaced is not None:
            name, storage = replaced.name, replaced.storage
            transaction.on_commit(lambda: storage.delete(name))
    return draft


def file_appeal(case: Case, teacher: User, *, expected_revision: int | None) -> Appeal:
    """申復 on 流程進度: the saved 申覆文件 is filed within the window; the move to 申復審查 (受理中)
    and the filing are one transaction, so a refused or doubled 申復 changes nothing.

    Raises DomainError with the teacher's message when refused (the window, the page's
    freshness); AppealFormIncomplete when the 申復表 is missing or incomplete.
    """
    _open_for(case, teacher)
    draft = draft_of(case)
    if draft is None:
        raise AppealFormIncomplete(NO_DRAFT)
    missing = engine.missing_labels(template_of(draft), draft.data)
    if missing:
        raise AppealFormIncomplete(
            f"認證審查結果申復表尚未填寫：{'、'.join(missing)}。請編輯申覆文件並儲存後再按「申復」。"
        )
    # The result appealed against (初審 or 複審): the round of the failed state the page showed,
    # which the transition confirms on the locked case.
    shown = case.state
    with transaction.atomic():
        moved = workflow.transition(
            case,
            "appeal",
            actor=teacher,
            expected_state=shown,
            expected_revision=expected_revision,
            appeal_form=draft.data,
        )
        draft = Appeal.objects.select_for_update().get(pk=draft.pk)
        draft.round = workflow.BY_STATE[shown].round
        draft.filed_at = moved.updated_at
        draft.save(update_fields=["round", "filed_at"])
    return draft
