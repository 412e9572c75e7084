"""管理者's 發證 page: 通過 cases → 核定可產證 in batches, 通過可產證 cases → 發證.

A batch is confirmed on a second page (the chosen cases listed, 確定 / 取消) before anything moves;
確定 queues it for the worker (review.issuing) and opens the batch's page, whose progress bar
follows the worker (htmx asks for it every second while the batch runs) and which lists each case
that was refused and why.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_safe

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.models import CertificationType
from proteacher.errors import DomainError
from proteacher.posted import posted_number
from proteacher.registry.models import County
from proteacher.review import issuing as services
from proteacher.review.models import IssuingBatch
from proteacher.review.selectors import cases_visible_to
from proteacher.text import clean_text

# The page's two batches, as the table offers them on review:issuing: 核定可產證 takes 通過 cases,
# 發證 takes 通過可產證 cases.
ACTIONS = {step.action: step for step in workflow.offered_on("review:issuing")}
FILTER_KEYS = ("type", "year", "county")
REFUSALS_SHOWN = 200
TOKEN_LENGTH = 32


def _filters(source) -> dict[str, str]:
    return {key: clean_text(source.get(key, "")).strip() for key in FILTER_KEYS}


def _filtered(cases, filters: dict[str, str]):
    if filters["type"]:
        cases = cases.filter(certification_type__code=filters["type"])
    year, county = posted_number(filters["year"]), posted_number(filters["county"])
    if year is not None:
        cases = cases.filter(academic_year=year)
    if county is not None:
        cases = cases.filter(county_id=county)
    return cases


def _page_url(filters: dict[str, str]) -> str:
    query = urlencode({key: value for key, value in filters.items() if value})
    return reverse("review:issuing") + (f"?{query}" if query else "")


def _selection(post) -> list[tuple[int, int | None]]:
    """The ticked cases as (id, the revision the page showed): each box posts "id:revision"."""
    chosen = []
    for value in post.getlist("case"):
        pk, _, revision = value.partition(":")
        if posted_number(pk) is not None:
            shown = posted_number(revision)
            chosen.append((posted_number(pk), shown if shown is not None else -1))
    return chosen


def _cases(user, state: str, filters: dict[str, str]):
    return list(
        _filtered(cases_visible_to(user).filter(state=state), filters).order_by(
            "county__sort_order", "certification_type__sort_order", "academic_year", "pk"
        )
    )


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def issuing(request):
    filters = _filters(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST":
        return _batch(request, filters)
    passed = _cases(request.user, workflow.State.PASSED, filters)
    approved = _cases(request.user, workflow.State.APPROVED, filters)
    years = (
        cases_visible_to(request.user)
        .filter(state__in=(workflow.State.PASSED, workflow.State.APPROVED))
        .order_by("-academic_year")
        .values_list("academic_year", flat=True)
        .distinct()
    )
    context = {
        "filters": filters,
        "types": CertificationType.objects.all(),
        "years": list(years),
        "counties": County.objects.all(),
        "passed": passed,
        "approved": approved,
        "actions": ACTIONS,
        "state_labels": {
            workflow.State.PASSED: workflow.label(workflow.State.PASSED),
            workflow.State.APPROVED: workflow.label(workflow.State.APPROVED),
        },
        "batches": services.recent_batches(),
    }
    return render(request, "review/issuing.html", context)


def _batch(request, filters: dict[str, str]):
    action = ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, workflow.NO_SUCH_ACTION)
        return redirect(_page_url(filters))
    selection = _selection(request.POST)
    if not selection:
        messages.error(request, f"請勾選要{action.label}的案件。")
        return redirect(_page_url(filters))
    if request.POST.get("confirm") != "1":
        chosen = {pk for pk, _ in selection}
        cases = list(
            cases_visible_to(request.user)
            .filter(state=action.sources[0], pk__in=chosen)
            .order_by("county__sort_order", "certification_type__sort_order", "academic_year", "pk")
        )
        context = {
            "action_code": request.POST["action"],
            "action": action,
            "cases": cases,
            "selection": selection,
            "missing": len(chosen) - len(cases),
            "filters": filters,
            "back_url": _page_url(filters),
            "token": services.new_token(),
        }
        return render(request, "review/issuing_confirm.html", context)
    token = request.POST.get("token", "")
    if len(token) != TOKEN_LENGTH or not all(char in "0123456789abcdef" for char in token):
        # A confirmation page from before batches had tokens: one batch all the same.
        token = services.new_token()
    try:
        batch = services.create_batch(action.action, selection, request.user, token)
    except DomainError as refusal:
        messages.error(request, refusal.message)
        return redirect(_page_url(filters))
    messages.success(
        request, f"已建立「{action.label}」批次，共 {batch.total} 件，系統正在背景處理，可離開此頁稍後再回來查看。"
    )
    return redirect("review:issuing_batch", pk=batch.pk)


def _batch_context(batch: IssuingBatch) -> dict:
    step = workflow.BY_ACTION[batch.action]
    return {
        "batch": batch,
        "running": batch.status != IssuingBatch.Status.DONE,
        "handled": batch.done + batch.refused,
        "done_message": step.done.format(count=batch.done),
        "refusals": list(services.refused_items(batch, REFUSALS_SHOWN)) if batch.refused else [],
        "refusals_shown": REFUSALS_SHOWN,
    }


@roles_required(Role.ADMIN)
@require_safe
def issuing_batch(request, pk):
    batch = get_object_or_404(IssuingBatch.objects.select_related("created_by"), pk=pk)
    return render(request, "review/issuing_batch.html", _batch_context(batch))


@roles_required(Role.ADMIN)
@require_safe
def issuing_batch_progress(request, pk):
    """The batch's state, bar and refusals, which its page asks for every second while it runs."""
    batch = get_object_or_404(IssuingBatch, pk=pk)
    return render(request, "review/issuing_progress.html", _batch_context(batch))
