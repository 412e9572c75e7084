"""A case's page (流程進度), the template chosen for each slot, the teacher's state actions, and
查看表單列表 (the 形式審查表 and 審查標準表 the page's reader may see)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from proteacher.accounts.decorators import teacher_required
from proteacher.accounts.models import Role
from proteacher.certification import answers, formal_verdicts, history, selectors, workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import CaseEvent, SlotAnswer
from proteacher.certification.selectors import case_page_for, case_slots, own_case_for, slot_of
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate, get_template, title_of
from proteacher.errors import DomainError
from proteacher.posted import posted_revision
from proteacher.review.models import Assignment, FormalReview

# The 形式審查表 exists once an officer decided by one of these actions.
FORMAL_ACTIONS = frozenset(step.action for step in workflow.offered_on("review:formal"))
# 委員一, 委員二 …: how the teacher tells the reviewers' forms apart without their names.
NUMERALS = "一二三四五六七八九十"


def _slot_rows(case) -> list[selectors.SlotRow]:
    """編輯表單列表: each slot with its answer and the templates its drop-down offers."""
    rows = selectors.slot_rows(case)
    for row in rows:
        codes = list(row.slot.template_codes)
        if row.answer is not None and row.answer.template_code not in codes:
            # A template 管理者 removed from the slot after the teacher used it still shows.
            codes.insert(0, row.answer.template_code)
        row.choices = [(code, title_of(code)) for code in codes]
    return rows


def _is_office(user) -> bool:
    return user.role in (Role.COUNTY, Role.ADMIN)


def _standard_form_name(case) -> str:
    """進階審查標準表 for 進階認證: the reviewers' form as SPEC §5.2 names it for the type."""
    return f"{case.certification_type.short_name.removesuffix('認證')}審查標準表"


def _shown_rounds(events: list[CaseEvent], *, office: bool) -> list[str]:
    """The rounds whose 審查標準表 the reader may see: decided ones; for the office also those
    whose reviews are all in (the office decides on them)."""
    actions = {event.action for event in events}
    return [
        round_code
        for round_code in workflow.ROUNDS
        if actions & set(workflow.decisions_of(round_code))
        or (office and workflow.round_action(round_code, roles=(workflow.SYSTEM,)) in actions)
    ]


def _review_forms(case, events: list[CaseEvent], *, office: bool) -> list[dict]:
    """查看表單列表 on the case page, read from the events the page loads anyway (no query of its
    own): the review forms, and the 申復表 once filed."""
    reviews_url = reverse("certification:reviews", args=[case.pk])
    forms = []
    if any(event.action in FORMAL_ACTIONS for event in events):
        forms.append({"url": f"{reviews_url}#formal", "title": "形式審查表"})
    for round_code in _shown_rounds(events, office=office):
        title = f"{_standard_form_name(case)} {workflow.ROUNDS[round_code]}"
        forms.append({"url": f"{reviews_url}#{round_code}", "title": title})
    if any(event.action == "appeal" for event in events):
        forms.append({"url": reverse("certification:appeal", args=[case.pk]), "title": "認證審查結果申復表"})
    return forms


def _next_step(case, events: list[CaseEvent]) -> str:
    spec = workflow.BY_STATE.get(case.state)
    if spec is None:
        return ""
    arrived_by = events[-1].action if events else ""
    return spec.next_step_after.get(arrived_by, spec.next_step)


def _actions(case, user) -> list[dict]:
    """The teacher's buttons of the state (送出審查文件, 送出複審資料, 申復 …), as the table offers them."""
    return [
        {
            "step": step,
            "reason": reason,
            "url": reverse(step.route, args=[case.pk]),
            "is_link": step.opens_page,
            "hidden": step.hidden_when_unavailable and reason is not None,
        }
        for step, reason in workflow.available_actions(case, user)
        if workflow.TEACHER in step.roles and step.route
    ]


@login_required
def case_page(request, pk):
    """流程進度: the teacher edits here; 縣市 of the case's county and 管理者 read it."""
    case = case_page_for(request.user, pk)
    is_owner = case.teacher_id == request.user.pk
    events = history.case_events(case)
    rows = history.history(events)
    in_window = case.state in workflow.APPEALABLE_STATES and case.appeal_deadline is not None
    return render(
        request,
        "certification/case.html",
        {
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "next_step": _next_step(case, events),
            # 原因訊息: why the case came to this state (退件, 修正後複審 …), as the office wrote it.
            "reason": rows[-1]["reason"] if rows else "",
            "rows": _slot_rows(case),
            "editable": is_owner and case.state in workflow.EDITABLE_STATES,
            "is_owner": is_owner,
            "actions": _actions(case, request.user),
            "appeal_deadline": format_deadline(case.appeal_deadline) if in_window else "",
            "review_forms": _review_forms(case, events, office=_is_office(request.user)),
            "history": rows,
        },
    )


def _standard_forms(assignments: list[Assignment], *, office: bool) -> list[dict]:
    forms = []
    for number, assignment in enumerate(assignments):
        try:
            template = get_template(assignment.template_code, assignment.template_version)
        except UnknownTemplate:
            template = None
        if office:
            who = assignment.reviewer.name or assignment.reviewer.username
        else:
            who = f"委員{NUMERALS[number]}" if number < len(NUMERALS) else f"委員{number + 1}"
        forms.append(
            {
                "who": who,
                "submitted_at": assignment.submitted_at,
                "title": template.title if template else "",
                "sections": engine.bound_sections(template, assignment.data, editable=False) if template else [],
                "recommendation": assignment.recommendation,
            }
        )
    return forms


@login_required
def reviews(request, pk):
    """查看表單列表: the 形式審查表 and each round's 審查標準表, read-only. The teacher reads their
    own case's, with the reviewers as 委員一, 委員二 … and only rounds already decided; the office
    reads its cases' with names. A 委員 reads their own form on their own page, not here."""
    case = case_page_for(request.user, pk)
    office = _is_office(request.user)
    if not office and case.teacher_id != request.user.pk:
        raise Http404("沒有這個申請。")
    events = history.case_events(case)
    formal = None
    if any(event.action in FORMAL_ACTIONS for event in events):
        formal = FormalReview.objects.filter(case=case).select_related("officer").first()
    rounds = _shown_rounds(events, office=office)
    assignments = (
        Assignment.objects.filter(case=case, round__in=rounds, submitted_at__isnull=False)
        .select_related("reviewer")
        .order_by("assigned_at", "pk")
    )
    by_round: dict[str, list[Assignment]] = {}
    for assignment in assignments:
        by_round.setdefault(assignment.round, []).append(assignment)
    decisions = {event.action: event for event in events}
    standard = []
    for round_code in rounds:
        decided = next((decisions[a] for a in workflow.decisions_of(round_code) if a in decisions), None)
        standard.append(
            {
                "anchor": round_code,
                "title": f"{_standard_form_name(case)} {workflow.ROUNDS[round_code]}",
                "forms": _standard_forms(by_round.get(round_code, []), office=office),
                "decision": workflow.label_of(decided.action) if decided else "",
                "reason": decided.reason if decided else "",
            }
        )
    return render(
        request,
        "certification/reviews.html",
        {
            "case": case,
            "type": case.certification_type,
            "office": office,
            "formal": formal,
            "formal_rows": formal_verdicts.rows(case_slots(case), formal.slots) if formal else [],
            "formal_labels": {step.action: step.label for step in workflow.offered_on("review:formal")},
            "standard": standard,
        },
    )


@teacher_required
@require_POST
def submit(request, pk):
    """送出審查文件."""
    return _take(request, pk, "certification:submit", default="submit")


@teacher_required
@require_POST
def act(request, pk):
    """送出複審資料 / 申復重新送審 (the posted action)."""
    return _take(request, pk, "certification:act")


def _take(request, pk, route: str, default: str = ""):
    """A teacher's button of 流程進度: the workflow checks the state, the page's freshness and
    (the rows' check) that every form is complete; only actions the table offers on `route`."""
    case = own_case_for(request.user, pk)
    step = workflow.BY_ACTION.get(request.POST.get("action") or default)
    if step is None or step.route != route:
        messages.error(request, "沒有這個操作。")
        return redirect("certification:case", pk=case.pk)
    try:
        workflow.transition(case, step.action, actor=request.user, expected_revision=posted_revision(request.POST))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, step.done)
    return redirect("certification:case", pk=case.pk)


def _go(request, url: str):
    # htmx follows a plain redirect inside its request and would swap the next page into the
    # dialog; tell it to navigate instead.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@teacher_required
@require_POST
def change_template(request, pk, slot_code):
    """Choose another template for a filled slot: asks first, discards the old answer on 確定變更."""
    case = own_case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    case_url = reverse("certification:case", args=[case.pk])
    reason = answers.readonly_reason(case)
    if reason:
        messages.error(request, reason)
        return _go(request, case_url)
    wanted = request.POST.get("template", "")
    if wanted not in slot.template_codes:
        messages.error(request, f"「{slot.label}」沒有這個表件，請重新選擇。")
        return _go(request, case_url)
    edit_url = reverse("certification:slot_edit", args=[case.pk, slot.code]) + "?" + urlencode({"template": wanted})
    answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code).defer("data").first()
    if answer is None or answer.template_code == wanted:
        return _go(request, edit_url)
    if request.POST.get("confirm") != "1":
        page = "case_change_template_dialog.html" if request.htmx else "case_change_template.html"
        return render(
            request,
            f"certification/{page}",
            {
                "case": case,
                "type": case.certification_type,
                "slot": slot,
                "current_title": selectors.template_title(answer.template_code, answer.template_version),
                "wanted": wanted,
                "wanted_title": title_of(wanted),
                "answer": answer,
            },
        )
    try:
        # As it was when asked: a save since then is refused (the teacher agreed to lose that, not more).
        answers.discard_answer(case, slot, expected_revision=posted_revision(request.POST, "answer_revision"))
    except DomainError as error:
        messages.error(request, error.message)
        return _go(request, case_url)
    current = selectors.template_title(answer.template_code, answer.template_version)
    messages.success(request, f"已刪除「{current}」的內容，請填寫「{title_of(wanted)}」。")
    return _go(request, edit_url)
