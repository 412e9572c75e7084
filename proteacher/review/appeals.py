"""申復: the 10-day window a failing decision opens, the teacher's 認證審查結果申復表, and the job
that closes the windows nobody used.

The window is counted as the teacher reads a calendar in Taiwan: the notice's clock time, ten
calendar days later (holidays included). It is stored on the case (Case.appeal_deadline) when the
case enters 初審未通過 / 複審未通過 and cleared when it leaves, so the job finds expired cases with
one indexed query. The workflow's guard on "appeal" refuses a late 申復 (workflow.py).
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.certification import workflow
from proteacher.certification.models import Case
from proteacher.certification.workflow import State, WorkflowError
from proteacher.documents import engine, pdf_rules
from proteacher.documents.catalogue import FormTemplate, UnknownTemplate, get_template
from proteacher.documents.services import FormError
from proteacher.review.models import Appeal, ReviewRound

TEMPLATE_CODE = "appeal_form"
WINDOW_DAYS = 10
# The window is Taiwan's, whatever zone a server or a request runs in.
TAIPEI = ZoneInfo("Asia/Taipei")
# The result each appealable state appeals against.
APPEALED_ROUND = {State.FIRST_FAILED: ReviewRound.FIRST, State.SECOND_FAILED: ReviewRound.SECOND}
APPEALABLE_STATES = tuple(APPEALED_ROUND)
# Where the template's version is kept beside the answers (Appeal has no column for it), so an
# old appeal still renders after the form gains a version.
VERSION_KEY = "_template_version"


def deadline_after(notice_at: datetime.datetime) -> datetime.datetime:
    """The last moment 申復 may be pressed after a notice sent at `notice_at`: the same wall-clock
    time ten calendar days later in Asia/Taipei (zoneinfo adds days on the wall clock)."""
    return notice_at.astimezone(TAIPEI) + datetime.timedelta(days=WINDOW_DAYS)


def format_deadline(deadline: datetime.datetime) -> str:
    return f"{deadline.astimezone(TAIPEI):%Y-%m-%d %H:%M}"


# --- side effects of the workflow (registered in ReviewConfig.ready) ----------------------------


def open_window(case: Case, actor: User | None, data: dict) -> None:
    """first_fail / second_fail: the notice goes out with this transition, so the window starts now."""
    case.appeal_deadline = deadline_after(timezone.now())
    case.save(update_fields=["appeal_deadline"])


def close_window(case: Case, actor: User | None, data: dict) -> None:
    """appeal / appeal_expire: the case leaves the failed state, and the job must not see it again."""
    case.appeal_deadline = None
    case.save(update_fields=["appeal_deadline"])


class AppealFormIncomplete(WorkflowError):
    """The 申復表 itself needs fixing (a required answer, the PDF): the form is shown again."""


@dataclass
class AppealForm:
    """What the teacher filed, handed to the "appeal" transition (not JSON, so it stays out of the
    event's extra); `appeal` is the row the side effect wrote."""

    template: FormTemplate
    data: dict
    upload: UploadedFile | None = None
    appeal: Appeal | None = None


def record_appeal(case: Case, actor: User | None, data: dict) -> None:
    """appeal: write the 申復表 inside the transition, after the lock and the checks, so a refused
    or doubled 申復 leaves no row behind and an accepted one never lacks its form."""
    form = data.get("appeal_form")
    if not isinstance(form, AppealForm):
        raise WorkflowError("請填寫認證審查結果申復表後再按「申復」。")
    appeal = Appeal(
        case=case,
        round=APPEALED_ROUND[case.state],
        filed_at=timezone.now(),
        data={**form.data, VERSION_KEY: form.template.version},
    )
    if form.upload is not None:
        appeal.file = pdf_rules.stored_file(form.upload)
        appeal.file_name = pdf_rules.display_name(form.upload.name)
    appeal.save()
    form.appeal = appeal


# --- the teacher's 申復 ------------------------------------------------------------------------


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


def file_appeal(case: Case, teacher: User, *, data: dict, uploads: list, expected_revision: int | None) -> Appeal:
    """申復: the 申復表 (answers already read by the documents engine) and at most one PDF, filed
    within the window; the Appeal row and the move to 申復審查 (受理中) are one transaction.

    Raises WorkflowError with the teacher's message and changes nothing when refused;
    AppealFormIncomplete (a WorkflowError) when the form itself needs fixing.
    """
    template = appeal_template()
    missing = engine.missing_labels(template, data)
    if missing:
        raise AppealFormIncomplete(f"尚未填寫：{'、'.join(missing)}。")
    upload = None
    if [f for f in uploads if f is not None]:
        try:
            upload = pdf_rules.check_pdf(uploads)
        except FormError as error:
            raise AppealFormIncomplete(error.message) from error
    form = AppealForm(template, data, upload)
    workflow.transition(case, "appeal", teacher, expected_revision=expected_revision, appeal_form=form)
    return form.appeal


# --- the job that closes expired windows ---------------------------------------------------------


def close_expired_windows(now: datetime.datetime | None = None) -> int:
    """Move each case whose appeal window has passed to 不合格; returns how many moved.

    One case per transaction, so a failure stops at one case and a long run holds no lock for
    long. SKIP LOCKED lets several workers share the work, and passes over a case a teacher is
    appealing this instant: it is looked at again on the next run, when the state has moved on
    (or not). Running it twice moves nothing more.
    """
    now = now or timezone.now()
    moved = 0
    passed_over: set[int] = set()
    while True:
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(skip_locked=True)
                .filter(state__in=APPEALABLE_STATES, appeal_deadline__lt=now)
                .exclude(pk__in=passed_over)
                .order_by("appeal_deadline", "pk")
                .first()
            )
            if case is None:
                return moved
            deadline = format_deadline(case.appeal_deadline)
            try:
                workflow.transition(case, "appeal_expire", None, reason=f"未於申復期限（{deadline}）內提出申復。")
            except WorkflowError:
                passed_over.add(case.pk)
                continue
        moved += 1
