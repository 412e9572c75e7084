"""教師驗證 (first login): step 1 填寫資料 with its email code. (Step 2 資料轉移 is certification's:
it turns the old system's certificates into the teacher's.)"""

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
    return services.profile_of(request.user)


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


def tell_if_used_again(request: HttpRequest) -> None:
    """A code posted when no address waits for one: say so when it is the code that proved the
    address already (a second tab, the back button), rather than move on without a word."""
    form = EmailCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid() and services.used_before(request.user, form.cleaned_data["code"]):
        messages.info(request, services.CODE_ALREADY_USED)


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
                return redirect("certification:transfer")
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
    """驗證Email: the code mailed at step 1. A code posted again once it proved the address says so."""
    profile = _profile(request)
    if not profile.pending_email:
        tell_if_used_again(request)
    if profile.is_verified:
        return redirect("accounts:profile")
    if not profile.pending_email:
        return redirect("certification:transfer" if profile.email_verified_at else "accounts:verify")
    form = EmailCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_email(request.user, form.cleaned_data["code"])
        except services.VerificationError as error:
            if error.code == "already_verified":
                # The other half of a double submit got there first.
                messages.info(request, error.message)
                return redirect("certification:transfer")
            form.add_error("code", error.message)
        else:
            messages.success(request, "Email驗證成功。")
            return redirect("certification:transfer")
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
