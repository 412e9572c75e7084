"""A case's page (流程進度), the template chosen for each slot, and the teacher's state actions.
Its 查看表單列表 links to the back office's forms the reader may see (review's pages)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from proteacher.accounts.decorators import teacher_required
from proteacher.accounts.models import Role
from proteacher.certification import answers, drafts, history, selectors, submission, workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import CaseEvent
from proteacher.certification.selectors import case_for, own_case_for, slot_of
from proteacher.documents.catalogue import title_of
from proteacher.errors import DomainError
from proteacher.posted import posted_revision

# Stands for a slot's code in an address reversed once for every row.
SLOT = "slot-code"


def _slot_rows(case) -> list[selectors.SlotRow]:
    """編輯表單列表: each slot with its answer and the templates its drop-down offers."""
    rows = selectors.slot_rows(case, with_set_aside=True)
    # One reverse() per address, not one per row (a slot code is a slug: it needs no quoting).
    urls = {
        name: reverse(f"certification:{name}", args=[case.pk, SLOT])
        for name in ("slot_edit", "slot_file", "slot_print", "slot_use", "slot_discard")
    }
    for row in rows:
        row.urls = {name: url.replace(SLOT, row.slot.code) for name, url in urls.items()}
        codes = list(row.slot.template_codes)
        if row.answer is not None and row.answer.template_code not in codes:
            # A template 管理者 removed from the slot after the teacher used it still shows.
            codes.insert(0, row.answer.template_code)
        row.choices = [(code, title_of(code)) for code in codes]
        row.set_aside_titles = [
            (answer, selectors.template_title(answer.template_code, answer.template_version))
            for answer in row.set_aside
        ]
    return rows


def _is_office(user) -> bool:
    return user.role in (Role.COUNTY, Role.ADMIN)


def _review_forms(case, events: list[CaseEvent], *, office: bool) -> list[dict]:
    """查看表單列表 on the case page, read from the events the page loads anyway (no query of its
    own): the review forms, and the 申復表 once filed."""
    reviews_url = reverse("review:reviews", args=[case.pk])
    forms = []
    if history.formal_decided(events):
        forms.append({"url": f"{reviews_url}#formal", "title": "形式審查表"})
    for round_code in history.shown_rounds(events, office=office):
        title = f"{case.certification_type.standard_form_name} {workflow.ROUNDS[round_code]}"
        forms.append({"url": f"{reviews_url}#{round_code}", "title": title})
    if any(event.action == "appeal" for event in events):
        forms.append({"url": reverse("review:appeal", args=[case.pk]), "title": "認證審查結果申復表"})
    return forms


def _next_step(case, events: list[CaseEvent]) -> str:
    spec = workflow.BY_STATE.get(case.state)
    if spec is None:
        return ""
    arrived_by = events[-1].action if events else ""
    return spec.next_step_after.get(arrived_by, spec.next_step)


def _action_url(case, step) -> str:
    url = reverse(step.route, args=[case.pk])
    return (
        f"{url}?{urlencode({'action': step.action})}" if step.opens_page and step.route == "certification:act" else url
    )


def _actions(case, user) -> list[dict]:
    """The teacher's buttons of the state (送出審查文件, 送出複審資料, 申復 …), as the table offers them."""
    return [
        {
            "step": step,
            "reason": reason,
            "url": _action_url(case, step),
            "is_link": step.opens_page,
            "hidden": step.hidden_when_unavailable and reason is not None,
        }
        for step, reason in workflow.available_actions(case, user)
        if workflow.TEACHER in step.roles and step.route
    ]


@login_required
def case_page(request, pk):
    """流程進度: the teacher edits here; 縣市 of the case's county and 管理者 read it."""
    case = case_for(request.user, pk)
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
            "reason": history.state_reason(rows),
            "rows": _slot_rows(case),
            "editable": is_owner and case.state in workflow.EDITABLE_STATES,
            "is_owner": is_owner,
            "actions": _actions(case, request.user),
            "appeal_deadline": format_deadline(case.appeal_deadline) if in_window else "",
            # 請於 116-03-31 23:59 前送出複審資料: the deadline the teacher acts by now, if any.
            "due_line": workflow.due_line(case),
            "review_forms": _review_forms(case, events, office=_is_office(request.user)),
            "was_sent": history.was_sent(events),
            "history": rows,
        },
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def submit(request, pk):
    """送出審查文件: GET asks first (every form, its state and what follows); POST sends."""
    return _take(request, pk, "certification:submit", default="submit")


@teacher_required
@require_http_methods(["GET", "POST"])
def act(request, pk):
    """送出複審資料 / 申復重新送審 (the action named in the address or the form)."""
    return _take(request, pk, "certification:act")


def _take(request, pk, route: str, default: str = ""):
    """A teacher's button of 流程進度: the workflow checks the state, the page's freshness and
    (the rows' check) that every form is complete; only actions the table offers on `route`."""
    case = own_case_for(request.user, pk)
    source = request.POST if request.method == "POST" else request.GET
    step = workflow.BY_ACTION.get(source.get("action") or default)
    if step is None or step.route != route:
        messages.error(request, workflow.NO_SUCH_ACTION)
        return redirect("certification:case", pk=case.pk)
    if request.method != "POST":
        return _ask_before_sending(request, case, step)
    try:
        workflow.transition(case, step.action, actor=request.user, expected_revision=posted_revision(request.POST))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, step.done)
    return redirect("certification:case", pk=case.pk)


def _ask_before_sending(request, case, step):
    """確認送出: every slot with its template and state, what is missing, and what follows."""
    problem = workflow.unavailable_reason(case, step.action, request.user)
    if problem:
        messages.error(request, problem)
        return redirect("certification:case", pk=case.pk)
    missing = submission.missing_slots(case)
    rows = selectors.slot_rows(case, with_set_aside=True)
    unsaved = drafts.unsaved(case, [row.slot.code for row in rows])
    for row in rows:
        row.unsaved_at = unsaved.get(row.slot.code, "")
    return render(
        request,
        "certification/case_send.html",
        {
            "case": case,
            "type": case.certification_type,
            "step": step,
            "rows": rows,
            "missing": missing,
            "post_url": reverse(step.route, args=[case.pk]),
        },
    )


def _go(request, url: str):
    # htmx follows a plain redirect inside its request and would swap the next page into the
    # dialog; tell it to navigate instead.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@teacher_required
@require_POST
def use_answer(request, pk, slot_code):
    """改用: a set-aside answer becomes the slot's answer again."""
    case = own_case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    try:
        answer = answers.use_answer(case, slot, request.POST.get("template", ""))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        title = selectors.template_title(answer.template_code, answer.template_version)
        messages.success(request, f"「{slot.label}」已改用「{title}」。")
    return redirect("certification:case", pk=case.pk)


@teacher_required
@require_POST
def discard_answer(request, pk, slot_code):
    """刪除 a set-aside answer: asks first (a dialog, or a page without script), then deletes."""
    case = own_case_for(request.user, pk)
    slot = slot_of(case, slot_code)
    case_url = reverse("certification:case", args=[case.pk])
    code = request.POST.get("template", "")
    answer = selectors.answer_with(case, slot, code, set_aside_only=True)
    if answer is None:
        messages.error(request, answers.NOTHING_SET_ASIDE)
        return _go(request, case_url)
    title = selectors.template_title(answer.template_code, answer.template_version)
    if request.POST.get("confirm") != "1":
        page = "case_discard_dialog.html" if request.htmx else "case_discard.html"
        context = {"case": case, "type": case.certification_type, "slot": slot, "answer": answer, "title": title}
        return render(request, f"certification/{page}", context)
    try:
        # As it was when asked: a save since then is refused (the teacher agreed to lose that, not more).
        answers.discard_answer(case, slot, code, expected_revision=posted_revision(request.POST, "answer_revision"))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已刪除未使用的「{title}」。")
    return _go(request, case_url)
