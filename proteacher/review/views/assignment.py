"""分發委員 (one case, or a whole queue at once) and 審查委員 (the 委員, their schools and loads)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role, User
from proteacher.certification import workflow
from proteacher.errors import DomainError
from proteacher.posted import posted_revision
from proteacher.review import assignment as services
from proteacher.review.assignment_forms import QueueForm, ReviewerChoiceForm, ReviewerForm
from proteacher.review.forms import ExtendDueForm
from proteacher.review.models import Assignment, Reviewer
from proteacher.review.selectors import case_for, cases_visible_to
from proteacher.review.short_panels import CONFIRM_FIELD, CONFIRM_LABEL, ShortPanel
from proteacher.text import clean_text

PAGE_SIZE = 50
# The queue page lists this many of the cases it is about to assign (the count shows them all).
QUEUE_PREVIEW = 50


def _names(users) -> str:
    return "、".join(str(user) for user in users)


@roles_required(Role.COUNTY, Role.ADMIN)
def assign(request, pk):
    """分發委員 for the round the case waits in (初審 / 複審 / 申復分發委員)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    case = case_for(request.user, pk)
    if request.method != "POST":
        return _assign_page(request, case)
    round = services.round_to_assign(case)
    chosen = ReviewerChoiceForm(request.POST)
    posted_ids = set(request.POST.getlist("reviewers"))
    if round is None:
        messages.error(request, services.not_assigning(case))
        return _assign_page(request, case, status=409)
    if not chosen.is_valid():
        messages.error(request, chosen.first_error())
        return _assign_page(request, case, posted_ids, status=400)
    reviewers = list(chosen.cleaned_data["reviewers"])
    try:
        services.assign_reviewers(
            case,
            round,
            reviewers,
            request.user,
            posted_revision(request.POST),
            short_confirmed=chosen.cleaned_data["short_confirmed"],
        )
    except ShortPanel as refusal:
        messages.error(request, refusal.message)
        return _assign_page(request, case, posted_ids, status=400, ask_to_confirm=True)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return _assign_page(request, case_for(request.user, pk), posted_ids, status=409)
    step = workflow.BY_ACTION[workflow.round_action(round, route="review:assign")]
    messages.success(request, step.done.format(round=workflow.ROUNDS[round], names=_names(reviewers)))
    return redirect("review:case", pk=case.pk)


def _assign_page(request, case, chosen_ids=None, status=200, ask_to_confirm=False):
    round = services.round_to_assign(case)
    options = services.reviewer_options(case) if round else []
    if chosen_ids is None:
        chosen_ids = {str(option.user.pk) for option in options if option.suggested}
    # Said before saving: conflicts leave fewer 委員 than the count.
    shortage = services.shortage(case, [option.user for option in options]) if round else None
    return render(
        request,
        "review/assign.html",
        {
            "case": case,
            "type": case.certification_type,
            "state_label": workflow.label(case.state),
            "round_label": workflow.ROUNDS[round] if round else "",
            "assign_label": workflow.label_of(workflow.round_action(round, route="review:assign")) if round else "",
            "not_assigning": "" if round else services.not_assigning(case),
            "options": options,
            "chosen_ids": chosen_ids,
            "per_case": services.reviewers_per_case(),
            "shortage": shortage,
            "ask_to_confirm": ask_to_confirm or shortage is not None,
            "confirm_field": CONFIRM_FIELD,
            "confirm_label": CONFIRM_LABEL,
        },
        status=status,
    )


def _queue_cases(user, form: QueueForm):
    data = form.cleaned_data
    cases = cases_visible_to(user).filter(state=data["state"])
    if data.get("certification_type"):
        cases = cases.filter(certification_type=data["certification_type"])
    if data.get("academic_year"):
        cases = cases.filter(academic_year=data["academic_year"])
    # First in, first assigned: the time the case entered the queue, then its number.
    return cases.order_by("updated_at", "pk")


@roles_required(Role.COUNTY, Role.ADMIN)
def assign_queue(request):
    """Assign every case of one queue at once, each to the least-loaded 委員 free of conflict."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    source = request.POST if request.method == "POST" else request.GET
    # Without a chosen queue the page opens on 初審分發委員.
    form = QueueForm(source if "state" in source else {"state": services.ASSIGN_STATES[0]})
    run = None
    chosen_ids: set[str] = set()
    refused_short = None
    status = 200
    if form.is_valid() and request.method == "POST":
        chosen_ids = set(request.POST.getlist("reviewers"))
        chosen = ReviewerChoiceForm(request.POST)
        if not chosen.is_valid():
            messages.error(request, chosen.first_error())
            status = 400
        else:
            cases = list(_queue_cases(request.user, form))
            try:
                run = services.assign_queue(
                    cases,
                    list(chosen.cleaned_data["reviewers"]),
                    request.user,
                    form.cleaned_data["per_case"],
                    short_confirmed=chosen.cleaned_data["short_confirmed"],
                )
            except ShortPanel as refusal:
                messages.error(request, refusal.message)
                refused_short = refusal.shortages
                status = 400
            except DomainError as refusal:
                messages.error(request, refusal.message)
                status = 409
            else:
                _report(request, run)
    elif request.method == "POST":
        messages.error(request, "資料有誤，請依欄位下方的說明修正後再送出。")
        status = 400
    return _queue_page(request, form, run, chosen_ids, status, refused_short)


def _report(request, run) -> None:
    if not run.results:
        messages.info(request, "此條件下沒有待分發的申請。")
    elif run.skipped:
        messages.warning(request, f"已分發 {run.assigned} 件，{run.skipped} 件未分發（原因見下表）。")
    else:
        messages.success(request, f"已分發 {run.assigned} 件。")


def _queue_page(request, form, run, chosen_ids, status, refused_short=None):
    in_scope = cases_visible_to(request.user)
    counts = dict(
        in_scope.filter(state__in=list(services.ASSIGN_STATES))
        .values_list("state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    tabs = [
        {"state": state, "label": workflow.label(state), "count": counts.get(state, 0)}
        for state in services.ASSIGN_STATES
    ]
    cases, total = [], 0
    if form.is_valid():
        queue = _queue_cases(request.user, form)
        total = queue.count()
        cases = list(queue[:QUEUE_PREVIEW])
    reviewers = list(services.assignable_reviewers())
    loads = run.loads if run else services.reviewer_load(reviewers)
    # Said before saving: the listed cases conflicts leave short of 委員 (among every 委員 offered,
    # or among those chosen when a post was refused for it).
    per_case = form.cleaned_data["per_case"] if form.is_valid() else services.reviewers_per_case()
    if refused_short is not None:
        shortages = refused_short
    elif run is None:
        shortages = [found for case in cases if (found := services.shortage(case, reviewers, per_case))]
    else:
        shortages = []
    rows = [{"user": user, "school": services.school_of(user), "load": loads.get(user.pk, 0)} for user in reviewers]
    after = []
    if run:
        after = [
            {"user": user, "school": services.school_of(user), "load": run.loads.get(user.pk, 0)}
            for user in sorted(run.reviewers, key=lambda u: (u.name or u.username, u.pk))
        ]
    return render(
        request,
        "review/assign_queue.html",
        {
            "form": form,
            "tabs": tabs,
            "cases": cases,
            "total": total,
            "preview_size": QUEUE_PREVIEW,
            "reviewer_rows": rows,
            "chosen_ids": chosen_ids,
            "run": run,
            "loads_after": after,
            "selected_state": form.cleaned_data.get("state") if form.is_valid() else "",
            "shortages": shortages,
            "short_ids": {shortage.case.pk for shortage in shortages},
            "confirm_field": CONFIRM_FIELD,
            "confirm_label": CONFIRM_LABEL,
        },
        status=status,
    )


def _search_term(request) -> str:
    """The ?q= of the 委員 searches, as the filters use it: its control characters dropped."""
    return clean_text(request.GET.get("q", "")).strip()[:50]


@roles_required(Role.COUNTY, Role.ADMIN)
def reviewer_list(request):
    """審查委員: every active 委員 account, its 服務學校 and open load; 管理者 edits them."""
    query = _search_term(request)
    users = services.reviewer_users()
    if query:
        users = users.filter(
            Q(name__icontains=query) | Q(username__icontains=query) | Q(reviewer__school__name__icontains=query)
        )
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    loads = services.reviewer_load(page.object_list)
    rows = [
        {
            "user": user,
            "school": services.school_of(user),
            "types": [kind.name for kind in services.review_types(user)],
            "is_active": services.unavailable(user) is None,
            "load": loads.get(user.pk, 0),
        }
        for user in page.object_list
    ]
    return render(
        request,
        "review/reviewer_list.html",
        {"page": page, "rows": rows, "query": query, "page_query": urlencode({"q": query}) if query else ""},
    )


@roles_required(Role.ADMIN)
def reviewer_edit(request, pk):
    """A 委員's 服務學校 and 可分發; the Reviewer row is created here on first save."""
    user = get_object_or_404(User.objects.filter(role=Role.REVIEWER).select_related("reviewer__school"), pk=pk)
    record = Reviewer.objects.filter(user=user).select_related("school__county").first()
    current = record.school if record else None
    query = _search_term(request)
    if request.method == "POST":
        form = ReviewerForm(request.POST)
        if form.is_valid():
            services.update_reviewer(
                user, school=form.cleaned_data["school"], is_active=form.cleaned_data["is_active"], actor=request.user
            )
            messages.success(request, f"已更新「{user}」的服務學校與分發設定。")
            return redirect("review:reviewers")
        messages.error(request, "資料有誤，請依欄位下方的說明修正後再送出。")
        status = 400
    elif request.method in ("GET", "HEAD"):
        form = ReviewerForm(initial={"school": current, "is_active": record.is_active if record else True})
        status = 200
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    complete = form.limit_schools(query, current)
    return render(
        request,
        "review/reviewer_edit.html",
        {
            "reviewer_user": user,
            "form": form,
            "query": query,
            "complete": complete,
            "current": current,
            "load": services.reviewer_load([user]).get(user.pk, 0),
        },
        status=status,
    )


@roles_required(Role.COUNTY, Role.ADMIN)
@require_POST
def extend_review_due(request, pk, assignment_id):
    """延長委員審查期限: one 委員's date for a case in the office's scope (another county's: 404)."""
    case = case_for(request.user, pk)
    assignment = get_object_or_404(Assignment, pk=assignment_id, case=case)
    form = ExtendDueForm(request.POST)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("review:case", pk=case.pk)
    try:
        services.extend_due(assignment, request.user, form.cleaned_data["deadline"], form.cleaned_data["reason"])
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, "已延長委員審查期限。")
    return redirect("review:case", pk=case.pk)
