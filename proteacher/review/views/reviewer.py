"""委員 workspace: the cases assigned to them, and each one's forms, files and 審查標準表."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.documents import engine
from proteacher.errors import DomainError
from proteacher.posted import posted_revision
from proteacher.review import reviewing, selectors, submitted
from proteacher.review.views import committee_forms

PAGE_SIZE = 50


@roles_required(Role.REVIEWER)
def my_cases(request):
    """審查案件: only this 委員's assignments, the ones still to do first."""
    assignments = selectors.assignments_of(request.user)
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    open_count = assignments.filter(submitted_at__isnull=True).count()
    return render(request, "review/my_cases.html", {"page": page, "open_count": open_count, "now": timezone.now()})


@roles_required(Role.REVIEWER)
def review_form(request, assignment_id):
    """The case's forms and files (read-only) and the 委員's 審查標準表: 儲存 and 送出."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    assignment = selectors.assignment_for(request.user, assignment_id)
    if request.method != "POST":
        return _page(request, assignment, assignment.data)
    page_url = reverse("review:review_form", args=[assignment.pk])
    reason = reviewing.readonly_reason(assignment)
    if reason:
        messages.error(request, reason)
        return redirect(page_url)
    data, missing, errors = reviewing.read_form(assignment, request.POST)
    if errors:
        return _page(request, assignment, data, errors=errors, revision=request.POST.get("revision"), status=400)
    try:
        pressed = reviewing.press(
            assignment,
            data,
            missing,
            submit=request.POST.get("action") == "submit",
            expected_revision=posted_revision(request.POST),
        )
    except DomainError as refusal:
        messages.error(request, refusal.message)
        fresh = selectors.assignment_for(request.user, assignment.pk)
        if reviewing.readonly_reason(fresh):
            return redirect(page_url)
        return _page(request, fresh, data, revision=request.POST.get("revision"), status=409)
    getattr(messages, pressed.level)(request, pressed.message)
    return redirect(page_url)


def _page(request, assignment, data, *, errors=None, revision=None, status=200):
    case = assignment.case
    reason = reviewing.readonly_reason(assignment, case)
    template = reviewing.template_for(assignment)
    form = engine.form_for(template)
    # What this round reviews: the submission frozen when the teacher sent it.
    shown = submitted.for_round(case, request.user, assignment.round)
    return render(
        request,
        "review/review_form.html",
        {
            "assignment": assignment,
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "rows": submitted.rows(case, shown),
            "submission": shown,
            "earlier": committee_forms.earlier_results(case, assignment.round),
            "previous": submitted.previous(case, request.user, shown) if shown else None,
            "template": template,
            "sections": form.bind(data or {}, errors, editable=not reason),
            "error_list": form.error_list(errors or {}),
            "editable": not reason,
            "readonly_reason": reason,
            "revision": assignment.revision if revision is None else revision,
            "recommendation": reviewing.recommendation_label(assignment) if assignment.recommendation else "",
        },
        status=status,
    )
