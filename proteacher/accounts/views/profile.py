"""個人資訊: 基本資訊 and 研習時數 of the signed-in teacher (認證證號, its third tab, is certification's).

Every page reads request.user's own records only; there is no teacher id in any URL here.
"""

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from proteacher.accounts import verification as services
from proteacher.accounts.decorators import verified_teacher_required
from proteacher.accounts.models import TeacherProfile
from proteacher.accounts.profile_forms import EmailCodeForm, TeacherDetailsForm
from proteacher.accounts.views.verification import send_code_with_message, tell_if_used_again
from proteacher.registry.models import TrainingRecord


def _own_profile(request: HttpRequest) -> TeacherProfile:
    return TeacherProfile.objects.select_related("school", "title_code", "user__county").get(user=request.user)


@verified_teacher_required
@require_http_methods(["GET", "POST"])
def basic(request: HttpRequest) -> HttpResponse:
    """基本資訊: SSO data read-only; the teacher's own details editable, the email only through a code."""
    profile = _own_profile(request)
    user = request.user
    initial = {**TeacherDetailsForm.initial_for(profile), "email": user.email}
    if request.method == "POST":
        form = TeacherDetailsForm(request.POST, initial=initial)
        if form.is_valid():
            form.save_details(profile)
            email = form.cleaned_data["email"]
            if email.lower() == user.email.lower():
                if profile.pending_email:
                    # Typing the current address again drops a change that was never confirmed.
                    services.cancel_pending_email(user)
                messages.success(request, "基本資訊已儲存。")
                return redirect("accounts:profile")
            profile.pending_email = email
            profile.save(update_fields=["pending_email", "updated_at"])
            messages.success(request, "基本資訊已儲存。新的Email須輸入驗證碼後才會生效。")
            send_code_with_message(request, email, keep_usable=True)
            return redirect("accounts:profile_email")
    else:
        form = TeacherDetailsForm(initial=initial)
    return render(request, "accounts/profile_basic.html", {"form": form, "profile": profile, "tab": "basic"})


@verified_teacher_required
@require_http_methods(["GET", "POST"])
def email_code(request: HttpRequest) -> HttpResponse:
    """The code that confirms a new address typed under 基本資訊."""
    profile = _own_profile(request)
    action = request.POST.get("action", "verify") if request.method == "POST" else ""
    if not profile.pending_email:
        if action == "verify":
            tell_if_used_again(request)
        return redirect("accounts:profile")
    if action == "resend":
        send_code_with_message(request, profile.pending_email, keep_usable=False)
        return redirect("accounts:profile_email")
    if action == "cancel":
        services.cancel_pending_email(request.user)
        messages.info(request, "已取消變更Email。")
        return redirect("accounts:profile")

    form = EmailCodeForm(request.POST if action == "verify" else None)
    if action == "verify" and form.is_valid():
        try:
            email = services.confirm_email(request.user, form.cleaned_data["code"])
        except services.VerificationError as error:
            if error.code == "already_verified":
                messages.info(request, error.message)
                return redirect("accounts:profile")
            form.add_error("code", error.message)
        else:
            messages.success(request, f"Email已變更為 {email}。")
            return redirect("accounts:profile")
    context = {
        "form": form,
        "tab": "basic",
        "pending_email": profile.pending_email,
        "code_usable": services.usable_code(request.user, profile.pending_email) is not None,
    }
    return render(request, "accounts/profile_email.html", context)


@verified_teacher_required
def training(request: HttpRequest) -> HttpResponse:
    """研習時數: the teacher's courses, with the hours added up per academic year (one query)."""
    account = request.user.inservice_account
    records = (
        list(TrainingRecord.objects.filter(inservice_account=account).order_by("-academic_year", "-completed_on", "id"))
        if account
        else []
    )
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for record in records:
        totals[record.academic_year] += record.hours
    context = {
        "records": records,
        "year_totals": sorted(totals.items(), reverse=True),
        "grand_total": sum(totals.values(), Decimal(0)),
        "tab": "training",
    }
    return render(request, "accounts/profile_training.html", context)
