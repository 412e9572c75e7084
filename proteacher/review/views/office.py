"""功能專區 認證審查 for 縣市 and 管理者: the queue, its Excel export, the case, 形式審查."""

import copy
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST, require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.models import CaseEvent, SlotAnswer
from proteacher.certification.selectors import case_for
from proteacher.certification.views.cases import EVENT_LABELS
from proteacher.certification.workflow import WorkflowError
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate, get_template, title_of
from proteacher.documents.views import upload
from proteacher.review import appeals, office, reviewing, selectors
from proteacher.review.assignment import ASSIGN_STATES
from proteacher.review.forms import AppealIntakeForm, DecisionForm, FormalReviewForm, QueueFilterForm
from proteacher.review.models import Appeal, Assignment, FormalReview, ReviewRound

PAGE_SIZE = 50
OFFICE = (Role.COUNTY, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_HEADER = ["教師", "全教網帳號", "學校", "縣市", "認證類別", "學年度", "狀態", "最後更新時間"]

ASSIGN_ACTIONS = ("assign_first", "assign_second", "assign_appeal")
APPEAL_ACTIONS = ("appeal_accept", "appeal_reject")
ISSUING_ACTIONS = ("approve", "issue")


# --- The queue and its export -----------------------------------------------------------------


def _filter_form(request) -> QueueFilterForm:
    user = request.user
    return QueueFilterForm(
        request.GET,
        types=selectors.certification_types(),
        years=selectors.academic_years(user),
        counties=selectors.counties() if user.role == Role.ADMIN else None,
    )


def _query(request, **changes) -> str:
    """The page's query string with some parameters changed (an empty value removes one), without page."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


@roles_required(*OFFICE)
@require_safe
def queue(request):
    """認證審查: a tab per state with its count, the filters, and the matching cases, 50 a page."""
    form = _filter_form(request)
    filters = form.filters()
    cases = selectors.office_cases(request.user, filters)
    counts = selectors.state_counts(cases)
    page = Paginator(selectors.queue_list(cases, filters.state), PAGE_SIZE).get_page(request.GET.get("page"))
    base = reverse("review:queue")

    def tab(state: str, text: str, count: int) -> dict:
        return {"state": state, "label": text, "count": count, "url": f"{base}?{_query(request, state=state)}"}

    return render(
        request,
        "review/queue.html",
        {
            "form": form,
            "filters": filters,
            "state_label": workflow.label(filters.state) if filters.state else "",
            "all_tab": tab("", "全部", sum(counts.values())),
            "office_tabs": [tab(s, workflow.label(s), counts.get(s, 0)) for s in selectors.OFFICE_STATES],
            "other_tabs": [tab(s, workflow.label(s), counts.get(s, 0)) for s in selectors.OTHER_STATES],
            "page": page,
            "rows": [{"case": case, "state_label": workflow.label(case.state)} for case in page.object_list],
            "page_query": _query(request),
            "export_url": f"{reverse('review:export')}?{_query(request)}",
            "assign_queue_url": _assign_queue_url(filters),
            "clear_url": base,
            "fixed_county": request.user.county if request.user.role == Role.COUNTY else None,
        },
    )


def _assign_queue_url(filters) -> str:
    """整批分發委員 for the 分發委員 tab on show, with the filters that page also takes (type, year).

    County, school and search do not carry over: that page assigns the whole queue in the user's scope.
    """
    if filters.state not in ASSIGN_STATES:
        return ""
    query = {"state": filters.state}
    if filters.certification_type:
        query["certification_type"] = filters.certification_type
    if filters.academic_year:
        query["academic_year"] = filters.academic_year
    return f"{reverse('review:assign_queue')}?{urlencode(query)}"


def _text_cell(sheet, value) -> WriteOnlyCell:
    # Always text: a name such as "=1+1" must not become a formula in the office's spreadsheet.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def _export_name(filters) -> str:
    year = f"{filters.academic_year}學年度" if filters.academic_year else "全部學年度"
    state = f"_{workflow.label(filters.state)}" if filters.state else ""
    return f"認證審查_{year}{state}.xlsx"


@roles_required(*OFFICE)
@require_safe
def export(request):
    """The queue's filtered list, every page of it, as an Excel file."""
    form = _filter_form(request)
    filters = form.filters()
    cases = selectors.queue_list(selectors.office_cases(request.user, filters), filters.state)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("認證審查")
    for column, width in zip("ABCDEFGH", (14, 16, 28, 10, 24, 8, 18, 18), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([_text_cell(sheet, title) for title in EXPORT_HEADER])
    # Streamed from the database in chunks: a national list does not sit in memory as objects.
    for case in cases.iterator(chunk_size=1000):
        sheet.append(
            [
                _text_cell(sheet, case.teacher.name),
                _text_cell(sheet, case.teacher.inservice_account or ""),
                _text_cell(sheet, case.school.name if case.school else ""),
                _text_cell(sheet, case.county.name if case.county else ""),
                _text_cell(sheet, case.certification_type.name),
                case.academic_year,
                _text_cell(sheet, workflow.label(case.state)),
                # Text in Asia/Taipei, as the page shows it: Excel has no time zones.
                _text_cell(sheet, timezone.localtime(case.updated_at).strftime("%Y-%m-%d %H:%M")),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _export_name(filters))
    response["Cache-Control"] = "private, no-store"
    return response


# --- The case as the office sees it -------------------------------------------------------------


def _template_of(code: str, version: int | None):
    # The version the answer was made with: an old case keeps its old names.
    try:
        return get_template(code, version)
    except UnknownTemplate:
        return None


def _slot_rows(case, slots) -> list[dict]:
    # The answers' JSON can be large and the list needs none of it: the forms open in print view.
    answers = {answer.slot_code: answer for answer in SlotAnswer.objects.filter(case=case).defer("data")}
    rows = []
    for slot in slots:
        answer = answers.get(slot.code)
        template = _template_of(answer.template_code, answer.template_version) if answer else None
        rows.append(
            {
                "slot": slot,
                "answer": answer,
                "title": (template.title if template else title_of(answer.template_code)) if answer else "",
                "is_upload": bool(answer and answer.file),
                "is_online": bool(template and not template.is_upload),
                "status": "未填寫" if answer is None else ("已完成" if answer.is_complete else "尚未完成"),
            }
        )
    return rows


def _history(case) -> list[dict]:
    # Staff see who acted; the teacher's page shows the same history without names.
    events = CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id")
    return [
        {
            "at": event.at,
            "change": (
                f"{workflow.label(event.from_state)} → {workflow.label(event.to_state)}"
                if event.from_state
                else workflow.label(event.to_state)
            ),
            "action": EVENT_LABELS.get(event.action, event.action),
            "reason": event.reason,
            "actor": event.actor.header_name if event.actor else "系統",
        }
        for event in events
    ]


def _formal_reviews(case, slots) -> list[dict]:
    labels = {slot.code: slot.label for slot in slots}
    reviews = FormalReview.objects.filter(case=case).select_related("officer")
    rows = []
    for review in reviews:
        # In the type's slot order (a JSON object keeps no order on PostgreSQL); a slot since
        # removed from the type still shows, last.
        codes = [code for code in labels if code in review.slots]
        codes += sorted(code for code in review.slots if code not in labels)
        results = [
            {
                "label": labels.get(code, code),
                "ok": review.slots[code].get("ok"),
                "reason": review.slots[code].get("reason", ""),
            }
            for code in codes
        ]
        rows.append({"review": review, "slots": results})
    return rows


def _assignments(case) -> list[dict]:
    """Each round's reviewers, whether they handed in the 審查標準表, and what it says."""
    order = {value: index for index, value in enumerate(ReviewRound.values)}
    assignments = sorted(
        Assignment.objects.filter(case=case).select_related("reviewer"),
        key=lambda a: (order.get(a.round, 99), a.assigned_at, a.pk),
    )
    rows = []
    for assignment in assignments:
        row = {"assignment": assignment, "title": "審查標準表", "recommendation": "", "sections": []}
        if assignment.template_code:
            try:
                # The form as made for its round, in the version the 委員 was given.
                template = reviewing.template_for(assignment)
            except UnknownTemplate:
                template = None
            if template is not None:
                row["title"] = template.title
                if assignment.submitted_at:
                    row["recommendation"] = reviewing.recommendation_label(assignment)
                    row["sections"] = engine.bound_sections(template, assignment.data or {}, editable=False)
        rows.append(row)
    return rows


def _appeals(case) -> list[dict]:
    """The teacher's 認證審查結果申復表, newest first, drawn read-only as the teacher filled it."""
    return [
        {
            "appeal": appeal,
            "sections": engine.bound_sections(appeals.template_of(appeal), appeal.data or {}, editable=False),
            "file_url": f"{reverse('review:case', args=[case.pk])}?appeal_file={appeal.pk}" if appeal.file else "",
        }
        for appeal in Appeal.objects.filter(case=case).order_by("-filed_at", "-id")
    ]


def _panels(case, user) -> dict:
    """Which of the office's forms and links the case's state offers this user, with greyed reasons."""
    available = {step.action: (step, reason) for step, reason in workflow.available_actions(case, user)}
    return {
        "formal": "formal_pass" in available or "formal_return" in available,
        "formal_reasons": [
            reason for action in ("formal_pass", "formal_return") if (reason := available.get(action, (None, None))[1])
        ],
        "assign": next((available[action] for action in ASSIGN_ACTIONS if action in available), None),
        "decisions": [available[action] for action in office.DECISIONS if action in available],
        "appeal": any(action in available for action in APPEAL_ACTIONS),
        "issuing": next((available[action] for action in ISSUING_ACTIONS if action in available), None),
    }


def render_case(request, case, *, formal_form=None, decision_form=None, appeal_form=None, status=200):
    """The office's case page; the POST views render it again with their form's errors."""
    user = request.user
    is_office = user.role in OFFICE
    slots = office.case_slots(case)
    panels = _panels(case, user) if is_office else {}
    if panels.get("formal") and formal_form is None:
        formal_form = FormalReviewForm(slots, initial={"revision": case.revision})
    if panels.get("decisions") and decision_form is None:
        decision_form = DecisionForm([step for step, _ in panels["decisions"]], initial={"revision": case.revision})
    if panels.get("appeal") and appeal_form is None:
        appeal_form = AppealIntakeForm(initial={"revision": case.revision})
    history = _history(case)
    return render(
        request,
        "review/office_case.html",
        {
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "is_office": is_office,
            "rows": _slot_rows(case, slots),
            "history": history if is_office else [],
            "reason": history[-1]["reason"] if history else "",
            "formal_reviews": _formal_reviews(case, slots) if is_office else [],
            "assignments": _assignments(case) if is_office else [],
            "appeals": _appeals(case),
            "panels": panels,
            "formal_form": formal_form,
            "decision_form": decision_form,
            "appeal_form": appeal_form,
        },
        status=status,
    )


@login_required
@require_safe
def case_view(request, pk):
    """The case with every form and file; for 縣市 and 管理者 also its history and the state's action.

    A teacher reads their case on 流程進度 (no reviewers' names there), so this page is not theirs.
    """
    if request.user.role == Role.TEACHER:
        raise PermissionDenied
    case = case_for(request.user, pk)
    if "appeal_file" in request.GET:
        return _appeal_file(request, case, request.GET["appeal_file"])
    return render_case(request, case)


def _appeal_file(request, case, appeal_pk: str):
    """The PDF filed with a 申復表, shown in the browser's viewer (only an appeal of this case)."""
    appeal = Appeal.objects.filter(case=case, pk=appeal_pk if appeal_pk.isdigit() else 0).exclude(file="").first()
    if appeal is None:
        raise Http404("此申復沒有上傳的檔案。")
    # The same response as a slot's PDF (inline, never cached by shared caches), which this page
    # frames: the platform's own pages may (the middleware keeps a header already set).
    response = upload.serve_file(request, case, None, appeal)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response


def posted_revision(request) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1  # no revision posted: treated as a stale page


def as_shown(case, request):
    """The case as the posted page showed it (its state), so that the workflow tells a second
    click, which finds the state moved on, from a page that is only out of date."""
    shown = copy.copy(case)
    if request.POST.get("state") in workflow.STATE_LABELS:
        shown.state = request.POST["state"]
    return shown


def is_current(case, request, actions) -> bool:
    """The page was drawn from the case as it is now, and the action is open to this user."""
    offered = {step.action for step, _ in workflow.available_actions(case, request.user)}
    return posted_revision(request) == case.revision and any(action in offered for action in actions)


def done(request, case, text: str):
    messages.success(request, f"{text}目前狀態為「{workflow.label(case.state)}」。")
    return redirect("review:case", pk=case.pk)


def refused(request, case, error: WorkflowError):
    messages.error(request, error.message)
    return redirect("review:case", pk=case.pk)


@roles_required(*OFFICE)
@require_POST
def formal_review(request, pk):
    """形式審查表 → 通過 (準備分發委員) or 退件 (退回再編輯修正)."""
    case = case_for(request.user, pk)
    form = FormalReviewForm(office.case_slots(case), request.POST)
    valid = form.is_valid()
    if not valid and is_current(case, request, ("formal_pass", "formal_return")):
        messages.error(request, "形式審查表尚未填寫完整，請依提示修正後再送出。")
        return render_case(request, case, formal_form=form, status=400)
    # An invalid form on a stale page or a second click: the workflow says what happened.
    passed = form.cleaned_data.get("decision") == FormalReviewForm.PASS if valid else True
    try:
        record = office.formal_review(
            as_shown(case, request),
            request.user,
            form.slot_results() if valid else {},
            passed,
            form.cleaned_data.get("reason", "") if valid else "",
            expected_revision=posted_revision(request),
        )
    except WorkflowError as error:
        return refused(request, case, error)
    return done(request, record.case, "形式審查已通過 (準備分發委員)。" if passed else "已退件 (退回再編輯修正)。")
