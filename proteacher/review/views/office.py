"""The case as 縣市 and 管理者 (and an assigned 委員) see it: every form and file, the history, and
the form of the office's action in the state (posted to decisions.py). Each form and file shown
is recorded as a look at the teacher's data (certification.access_log)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from proteacher.accounts.models import Role
from proteacher.certification import formal_verdicts, history, workflow
from proteacher.certification.access_log import looked_at
from proteacher.certification.selectors import case_slots, issued_certificate, slot_of
from proteacher.certification.views import slots
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate
from proteacher.posted import posted_number
from proteacher.review import appeals, reviewing, submitted
from proteacher.review.certificate_forms import CertificateStatusForm
from proteacher.review.forms import AppealIntakeForm, DecisionForm, ExtendDeadlineForm, FormalReviewForm
from proteacher.review.models import Appeal, Assignment, FormalReview
from proteacher.review.selectors import case_for

OFFICE = (Role.COUNTY, Role.ADMIN)


def _formal_reviews(case, slots) -> list[dict]:
    return [
        {"review": review, "slots": formal_verdicts.rows(slots, review.slots)}
        for review in FormalReview.objects.filter(case=case).select_related("officer")
    ]


def _assignments(case) -> list[dict]:
    """Each round's reviewers, whether they handed in the 審查標準表, and what it says."""
    order = {code: index for index, code in enumerate(workflow.ROUNDS)}
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


def _appeals(request, case) -> list[dict]:
    """The teacher's 認證審查結果申復表, newest first, drawn read-only as the teacher filled it
    (each one shown is a look at the teacher's form: certification.access_log)."""
    shown = []
    for appeal in Appeal.objects.filed().filter(case=case).order_by("-filed_at", "-id"):
        template = appeals.template_of(appeal)
        looked_at(request, case, template.title, appeal=appeal.pk)
        shown.append(
            {
                "appeal": appeal,
                "sections": engine.bound_sections(template, appeal.data or {}, editable=False),
                "file_url": f"{reverse('review:case', args=[case.pk])}?appeal_file={appeal.pk}" if appeal.file else "",
            }
        )
    return shown


def _panels(case, user) -> dict:
    """Which of the office's forms and links the case's state offers this user, with greyed
    reasons: the table says which page offers each action."""
    available = workflow.available_actions(case, user)

    def on(route: str) -> list:
        return [(step, reason) for step, reason in available if step.route == route]

    formal = on("review:formal")
    return {
        "formal": formal,
        "formal_reasons": [reason for _, reason in formal if reason],
        "assign": next(iter(on("review:assign")), None),
        "decisions": on("review:decide"),
        "appeal": on("review:appeal_intake"),
        "issuing": next(iter(on("review:issuing")), None),
        "certificate": next(iter(on("review:certificate_status")), None),
        "extend": next(iter(on("review:extend_deadline")), None),
    }


def render_case(
    request,
    case,
    *,
    formal_form=None,
    decision_form=None,
    appeal_form=None,
    certificate_form=None,
    extend_form=None,
    status=200,
):
    """The office's case page; the POST views render it again with their form's errors."""
    user = request.user
    is_office = user.role in OFFICE
    slots = case_slots(case)
    panels = _panels(case, user) if is_office else {}
    if panels.get("formal") and formal_form is None:
        formal_form = FormalReviewForm(slots, initial={"revision": case.revision})
    if panels.get("decisions") and decision_form is None:
        decision_form = DecisionForm([step for step, _ in panels["decisions"]], initial={"revision": case.revision})
    if panels.get("appeal") and appeal_form is None:
        appeal_form = AppealIntakeForm(initial={"revision": case.revision})
    if panels.get("certificate") and certificate_form is None:
        certificate_form = CertificateStatusForm(initial={"revision": case.revision})
    if panels.get("extend") and extend_form is None:
        extend_form = ExtendDeadlineForm(initial={"revision": case.revision})
    events = history.history(history.case_events(case, with_actors=True), with_actors=True)
    # What the teacher sent last, frozen: while they revise, the office still reads what was sent.
    shown = submitted.for_round(case, user, None)
    return render(
        request,
        "review/office_case.html",
        {
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "is_office": is_office,
            "rows": submitted.rows(case, shown),
            "submission": shown,
            "previous": submitted.previous(case, user, shown) if shown else None,
            "history": events if is_office else [],
            "reason": history.state_reason(events),
            # 請於 116-03-31 23:59 前送出複審資料: the deadline the teacher acts by now, if any.
            "due_line": workflow.due_line(case),
            "formal_reviews": _formal_reviews(case, slots) if is_office else [],
            "formal_labels": {step.action: step.label for step in workflow.offered_on("review:formal")},
            "assignments": _assignments(case) if is_office else [],
            "appeals": _appeals(request, case),
            "panels": panels,
            "formal_form": formal_form,
            "decision_form": decision_form,
            "appeal_form": appeal_form,
            "certificate": issued_certificate(case) if is_office else None,
            "certificate_form": certificate_form,
            "extend_form": extend_form,
        },
        status=status,
    )


def _staff_case(request, pk):
    """The case for the office (its scope) or an assigned 委員. A teacher reads their case on
    流程進度 (no reviewers' names there), so these pages are not theirs."""
    if request.user.role == Role.TEACHER:
        raise PermissionDenied
    return case_for(request.user, pk)


# The case page shows each form and PDF inside the page (an <iframe>); other sites may not frame them.
@xframe_options_sameorigin
@login_required
@require_safe
def slot_print(request, pk, slot_code):
    case = _staff_case(request, pk)
    return slots.print_answer(request, case, slot_of(case, slot_code))


@xframe_options_sameorigin
@login_required
@require_safe
def slot_file(request, pk, slot_code):
    case = _staff_case(request, pk)
    return slots.file_of(request, case, slot_of(case, slot_code))


@login_required
@require_safe
def case_view(request, pk):
    """The case with every form and file; for 縣市 and 管理者 also its history and the state's action.

    A teacher reads their case on 流程進度 (no reviewers' names there), so this page is not theirs.
    """
    case = _staff_case(request, pk)
    if "appeal_file" in request.GET:
        return _appeal_file(request, case, request.GET["appeal_file"])
    return render_case(request, case)


def _appeal_file(request, case, appeal_pk: str):
    """The PDF filed with a 申復表, shown in the browser's viewer (only an appeal of this case)."""
    appeal = Appeal.objects.filed().filter(case=case, pk=posted_number(appeal_pk) or 0).exclude(file="").first()
    if appeal is None:
        raise Http404("此申復沒有上傳的檔案。")
    title = appeals.template_of(appeal).title
    looked_at(request, case, title, file=True, appeal=appeal.pk, file_name=appeal.file_name)
    # The same response as a slot's PDF (inline, never cached by shared caches), which this page
    # frames: the platform's own pages may (the middleware keeps a header already set).
    response = slots.serve_file(request, appeal)
    response["X-Frame-Options"] = "SAMEORIGIN"
    return response
