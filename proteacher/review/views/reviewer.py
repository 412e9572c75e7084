"""委員 workspace: the cases assigned to them, and each one's forms, files and 審查標準表."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.models import FormSlot, SlotAnswer
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate, get_template, title_of
from proteacher.review import reviewing
from proteacher.review.models import Assignment

PAGE_SIZE = 50


@roles_required(Role.REVIEWER)
def my_cases(request):
    """審查案件: only this 委員's assignments, the ones still to do first."""
    assignments = (
        Assignment.objects.filter(reviewer=request.user)
        .select_related("case__certification_type", "case__school")
        .defer("data")
        .order_by(F("submitted_at").desc(nulls_first=True), "-assigned_at", "-pk")
    )
    page = Paginator(assignments, PAGE_SIZE).get_page(request.GET.get("page"))
    open_count = Assignment.objects.filter(reviewer=request.user, submitted_at__isnull=True).count()
    return render(request, "review/my_cases.html", {"page": page, "open_count": open_count})


@dataclass
class FormRow:
    """One of the teacher's forms, as the 委員 reads it."""

    slot: FormSlot
    answer: SlotAnswer | None

    @property
    def title(self) -> str:
        if self.answer is None:
            return ""
        try:
            return get_template(self.answer.template_code, self.answer.template_version).title
        except UnknownTemplate:
            return title_of(self.answer.template_code)

    @property
    def has_file(self) -> bool:
        return bool(self.answer and self.answer.file)


def _form_rows(case) -> list[FormRow]:
    slots = FormSlot.objects.filter(certification_type_id=case.certification_type_id).order_by("sort_order", "id")
    answers = {answer.slot_code: answer for answer in SlotAnswer.objects.filter(case=case).defer("data")}
    return [FormRow(slot, answers.get(slot.code)) for slot in slots]


def _posted_revision(post) -> int:
    try:
        return int(post.get("revision", ""))
    except ValueError:
        return -1  # no revision posted: treated as a page opened elsewhere


@roles_required(Role.REVIEWER)
def review_form(request, assignment_id):
    """The case's forms and files (read-only) and the 委員's 審查標準表: 儲存 and 送出."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    assignment = reviewing.assignment_for(request.user, assignment_id)
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
    # 送出 with something missing keeps what was typed as a draft and says what is missing.
    submit = request.POST.get("action") == "submit" and not missing
    try:
        reviewing.save_review(assignment, data, submit=submit, expected_revision=_posted_revision(request.POST))
    except reviewing.ReviewError as refusal:
        messages.error(request, refusal.message)
        fresh = reviewing.assignment_for(request.user, assignment.pk)
        if reviewing.readonly_reason(fresh):
            return redirect(page_url)
        return _page(request, fresh, data, revision=request.POST.get("revision"), status=409)
    if submit:
        messages.success(request, "已送出審查標準表。")
    elif request.POST.get("action") == "submit":
        messages.warning(request, f"已儲存為草稿，尚未送出。尚未填寫：{'、'.join(missing)}。")
    elif missing:
        messages.success(request, f"已儲存。尚未填寫：{'、'.join(missing)}")
    else:
        messages.success(request, "已儲存。")
    return redirect(page_url)


def _page(request, assignment, data, *, errors=None, revision=None, status=200):
    case = assignment.case
    reason = reviewing.readonly_reason(assignment, case)
    template = reviewing.template_for(assignment)
    form = engine.form_for(template)
    return render(
        request,
        "review/review_form.html",
        {
            "assignment": assignment,
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "rows": _form_rows(case),
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
