"""功能專區 for 縣市 and 管理者: 帳號管理 (staff accounts) and 教師名單 (teachers in scope)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from proteacher.accounts import selectors, services
from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.accounts.staff_forms import StaffAccountForm, TeacherSearchForm
from proteacher.errors import DomainError
from proteacher.posted import posted_number

PAGE_SIZE = 50


@roles_required(Role.ADMIN)
def staff_list(request):
    """帳號管理; its buttons (解除鎖定, 停用, 啟用) post back here."""
    if request.method == "POST":
        return _staff_action(request)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    page = Paginator(selectors.staff_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/staff_list.html", {"page": page, "accounts": page.object_list})


def _staff_action(request):
    # Only accounts the selector offers may be changed; anything else does not exist for this user.
    pk = posted_number(request.POST.get("account")) or 0
    account = get_object_or_404(selectors.staff_visible_to(request.user), pk=pk)
    action = request.POST.get("action")
    try:
        if action == "unlock":
            services.unlock_staff_account(account, actor=request.user)
            messages.success(request, f"已解除「{account}」的鎖定。")
        elif action in ("deactivate", "activate"):
            services.set_staff_account_active(account, action == "activate", actor=request.user)
            messages.success(request, f"已{'啟用' if action == 'activate' else '停用'}「{account}」。")
        else:
            messages.error(request, "無法辨識的操作。")
    except DomainError as refusal:
        messages.error(request, str(refusal))
    return redirect("accounts:staff_list")


@roles_required(Role.ADMIN)
def staff_create(request):
    form = StaffAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.create_staff_account(**form.cleaned_data, created_by=request.user)
        except ValidationError as invalid:
            form.add_error(None, invalid)
        else:
            messages.success(request, f"已建立帳號「{account.username}」。")
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_create.html", {"form": form})


def flagged_teachers() -> Q:
    """Teachers whose SSO data matched no master data (the query form of unmatched_master_data())."""
    return Q(profile__school__isnull=True) | Q(county__isnull=True) | Q(profile__title_code__isnull=True)


@roles_required(Role.COUNTY, Role.ADMIN)
def teacher_list(request):
    """教師名單: only what teachers_visible_to() returns, searched and filtered inside that scope."""
    search = TeacherSearchForm(request.GET)
    search.is_valid()
    query, flagged = search.cleaned_data.get("q", "").strip(), search.cleaned_data.get("flagged", False)

    teachers = selectors.teachers_visible_to(request.user).select_related("profile__title_code")
    if query:
        teachers = teachers.filter(
            Q(name__icontains=query)
            | Q(profile__school_name__icontains=query)
            | Q(profile__school__name__icontains=query)
        )
    if flagged:
        teachers = teachers.filter(flagged_teachers())
    teachers = teachers.order_by(F("county__sort_order").asc(nulls_last=True), "name", "pk")

    page = Paginator(teachers, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_teacher_row(teacher) for teacher in page.object_list]
    kept = {key: value for key, value in (("q", query), ("flagged", "1" if flagged else "")) if value}
    return render(
        request,
        "accounts/teacher_list.html",
        {
            "search": search,
            "query": query,
            "flagged": flagged,
            "page": page,
            "rows": rows,
            "page_query": urlencode(kept),
            "clear_url": reverse("accounts:teacher_list"),
        },
    )


def _teacher_row(teacher) -> dict:
    # A teacher row without a profile can exist only if SSO stopped half-way; show it as flagged.
    profile = getattr(teacher, "profile", None)
    if profile is None:
        return {"teacher": teacher, "profile": None, "problems": ["尚無教師資料"]}
    return {"teacher": teacher, "profile": profile, "problems": profile.unmatched_master_data()}
