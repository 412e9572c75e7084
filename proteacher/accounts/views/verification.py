"""教師驗證 (first login): step 1 填寫資料 with its email code, then step 2 資料轉移."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from proteacher.accounts import verification as services
from proteacher.accounts.decorators import teacher_required
from proteacher.accounts.models import TeacherProfile
from proteacher.accounts.profile_forms import EmailCodeForm, TeacherDetailsForm

# The progress bar: 1 填寫資料 → 2 資料轉移; DONE shows both ticked.
STEP_FILL_IN, STEP_TRANSFER, STEP_DONE = 1, 2, 3


def _profile(request: HttpRequest) -> TeacherProfile:
    # SSO creates the profile at first login; a teacher account made another way gets one here.
    profile, _ = TeacherProfile.objects.get_or_create(user=request.user)
    return profile


def _email_proven(profile: TeacherProfile) -> bool:
    return profile.email_verified_at is not None and not profile.pending_email


def send_code_with_message(request: HttpRequest, email: str, *, keep_usable: bool) -> bool:
    """Send a code and tell the teacher what happened (sent, still valid, too soon, failed)."""
    try:
        sent = services.send_code(request.user, email, keep_usable=keep_usable)
    except services.VerificationError as error:
        level = messages.ERROR if error.code == "send_failed" else messages.WARNING
        messages.add_message(request, level, error.message)
        return False
    if sent is None:
        messages.info(request, f"驗證碼已寄至 {email}，請至信箱查看。")
    else:
        messages.success(request, f"驗證碼已寄至 {email}，請至信箱查看。")
    return True


@teacher_required
@require_http_methods(["GET", "POST"])
def fill_in(request: HttpRequest) -> HttpResponse:
    """Step 1 填寫資料: the teacher's details; 下一步 saves them and mails a code to the address."""
    profile = _profile(request)
    if profile.is_verified:
        return redirect("accounts:profile")
    initial = TeacherDetailsForm.initial_for(profile)
    if request.method == "POST":
        form = TeacherDetailsForm(request.POST, initial=initial)
        if form.is_valid():
            form.save_details(profile)
            email = form.cleaned_data["email"]
            if profile.email_verified_at and email.lower() == request.user.email.lower():
                # Back to correct a detail after the code was entered: the address is proven already.
                if profile.pending_email:
                    services.cancel_pending_email(request.user)
                return redirect("accounts:verify_transfer")
            profile.pending_email = email
            profile.save(update_fields=["pending_email", "updated_at"])
            send_code_with_message(request, email, keep_usable=True)
            return redirect("accounts:verify_email")
    else:
        form = TeacherDetailsForm(initial=initial)
    return render(request, "accounts/verify_fill_in.html", {"form": form, "step": STEP_FILL_IN})


@teacher_required
@require_http_methods(["GET", "POST"])
def email_code(request: HttpRequest) -> HttpResponse:
    """驗證Email: the code mailed at step 1."""
    profile = _profile(request)
    if profile.is_verified:
        return redirect("accounts:profile")
    if not profile.pending_email:
        return redirect("accounts:verify_transfer" if profile.email_verified_at else "accounts:verify")
    form = EmailCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_email(request.user, form.cleaned_data["code"])
        except services.VerificationError as error:
            if error.code == "already_verified":
                # The other half of a double submit got there first.
                return redirect("accounts:verify_transfer")
            form.add_error("code", error.message)
        else:
            messages.success(request, "Email驗證成功。")
            return redirect("accounts:verify_transfer")
    context = {
        "form": form,
        "step": STEP_FILL_IN,
        "pending_email": profile.pending_email,
        "code_usable": services.usable_code(request.user, profile.pending_email) is not None,
    }
    return render(request, "accounts/verify_email.html", context)


@teacher_required
@require_POST
def resend_code(request: HttpRequest) -> HttpResponse:
    """重新寄送驗證碼: a fresh code for the address typed at step 1."""
    profile = _profile(request)
    if profile.is_verified:
        return redirect("accounts:profile")
    if not profile.pending_email:
        return redirect("accounts:verify")
    send_code_with_message(request, profile.pending_email, keep_usable=False)
    return redirect("accounts:verify_email")


@teacher_required
@require_http_methods(["GET", "POST"])
def transfer(request: HttpRequest) -> HttpResponse:
    """Step 2 資料轉移: offer the old system's certificates; the answer completes 教師驗證."""
    profile = _profile(request)
    if request.method == "POST":
        # Run even when already verified: the second click of a double click lands where the first did.
        try:
            result = services.complete_transfer(request.user, request.POST.get("decision", ""))
        except services.VerificationError as error:
            messages.error(request, error.message)
            return redirect(_where_to_continue(profile))
        if not result.already_done:
            _tell_transfer_result(request, result)
        return redirect("accounts:profile_certificates" if result.has_certificates else "certification:index")

    if profile.is_verified:
        return redirect("accounts:profile")
    if not _email_proven(profile):
        messages.info(request, "請先完成Email驗證。")
        return redirect(_where_to_continue(profile))
    rows = services.old_certificates(request.user)
    context = {
        "rows": rows,
        "step": STEP_TRANSFER if rows else STEP_DONE,
        "decision": services.Decision,
    }
    return render(request, "accounts/verify_transfer.html", context)


def _where_to_continue(profile: TeacherProfile) -> str:
    if profile.pending_email:
        return "accounts:verify_email"
    if profile.email_verified_at is None:
        return "accounts:verify"
    return "accounts:verify_transfer"


def _tell_transfer_result(request: HttpRequest, result: services.TransferResult) -> None:
    if result.decision == services.Decision.IMPORT:
        messages.success(request, f"教師驗證完成，已匯入 {result.matched} 筆認證證號。")
    elif result.decision == services.Decision.DECLINE:
        messages.success(request, "教師驗證完成，舊系統資料未匯入。如需補登，請聯繫教師專業發展支持作業平臺工作小組。")
    else:
        messages.success(request, "教師驗證完成。")
    if result.unknown:
        rows = "、".join(f"{row.academic_year} {row.kind} {row.number}".strip() for row in result.unknown)
        messages.warning(request, f"下列證號類別無法辨識，未能匯入，請與系統管理者聯絡補正：{rows}")
