"""The teacher's 申復: the 認證審查結果申復表, filed with 申復 within the window the failing decision
opened (the window itself is certification.deadlines', checked by the workflow's "appeal" row).
"""

from django.db import transaction
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.certification import workflow
from proteacher.certification.deadlines import TAIPEI
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
    """The 申復表 itself needs fixing (a required answer, the PDF): the form is shown again."""


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


def file_appeal(case: Case, teacher: User, *, data: dict, uploads: list, expected_revision: int | None) -> Appeal:
    """申復: the 申復表 (answers already read by the documents engine) and at most one PDF, filed
    within the window; the move to 申復審查 (受理中) and the Appeal row are one transaction, so a
    refused or doubled 申復 leaves no row behind and an accepted one never lacks its form.

    Raises DomainError with the teacher's message and changes nothing when refused;
    AppealFormIncomplete when the form itself needs fixing.
    """
    template = appeal_template()
    missing = engine.missing_labels(template, data)
    if missing:
        raise AppealFormIncomplete(f"尚未填寫：{'、'.join(missing)}。")
    upload = _checked_upload(uploads)
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
            appeal_form=data,
        )
        appeal = Appeal(
            case=moved,
            round=workflow.BY_STATE[shown].round,
            filed_at=moved.updated_at,
            data={**data, VERSION_KEY: template.version},
        )
        if upload is not None:
            appeal.file = pdf_rules.stored_file(upload)
            appeal.file_name = pdf_rules.display_name(upload.name)
            appeal.file_sha256 = upload.sha256
        appeal.save()
    return appeal
