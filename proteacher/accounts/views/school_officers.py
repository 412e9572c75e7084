"""功能專區 → 學校承辦人: the 縣市 grants and revokes the role for its county's schools (管理者 for
any school). The rules are accounts.school_officers'."""

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render

from proteacher.accounts import school_officers
from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.accounts.staff_forms import SchoolOfficerForm
from proteacher.errors import DomainError
from proteacher.posted import posted_number


@roles_required(Role.COUNTY, Role.ADMIN)
def school_officer_list(request):
    """The live grants in scope, the 新增 form, and each grant's 撤銷 (posted back here)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    schools = school_officers.grantable_schools(request.user)
    form = SchoolOfficerForm(request.POST if request.method == "POST" else None, schools=schools)
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            return _revoke(request)
        if form.is_valid():
            try:
                grant = school_officers.grant(request.user, form.cleaned_data["school"], form.cleaned_data["teacher"])
            except DomainError as refusal:
                form.add_error(None, refusal.message)
            else:
                messages.success(request, f"已授權「{grant.user.name}」為「{grant.school.name}」的學校承辦人。")
                return redirect("accounts:school_officers")
    grants = school_officers.grants_visible_to(request.user)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/school_officers.html", {"form": form, "grants": grants}, status=status)


def _revoke(request):
    try:
        grant = school_officers.revoke(request.user, posted_number(request.POST.get("grant")) or 0)
    except DomainError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, f"已撤銷「{grant.user.name}」的「{grant.school.name}」學校承辦人授權。")
    return redirect("accounts:school_officers")
