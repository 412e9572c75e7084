"""雙因素驗證: the second step of a staff sign-in, the first enrolment, the recovery codes shown
once, and the member's own page to add a passkey or make new recovery codes.

The rules live in accounts.second_factor; SecondFactorMiddleware keeps every other page away
until the step is done. These views are the only ones (with 登出 and the passkey ceremony) that a
staff member reaches between the password and the second factor.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from proteacher.accounts import second_factor
from proteacher.accounts.decorators import roles_required
from proteacher.accounts.login_forms import SecondFactorForm, TotpEnrolForm
from proteacher.accounts.middleware import second_factor_exempt
from proteacher.accounts.models import STAFF_ROLES
from proteacher.audit.log import record
from proteacher.errors import DomainError

SIGN_IN_AGAIN = "請重新登入。"


def _waiting(view):
    """Only a staff session between the password and the second factor; a verified one goes on,
    anyone else signs in (again)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not second_factor.needs_second_factor(user):
            raise PermissionDenied
        if user.is_authenticated and user.is_verified():
            return redirect(second_factor.take_next(request) or "portal:workspace")
        if not second_factor.is_pending(request):
            if user.is_authenticated:
                logout(request)
            messages.info(request, SIGN_IN_AGAIN)
            return redirect("accounts:login")
        return view(request, *args, **kwargs)

    return second_factor_exempt(wrapper)


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
@_waiting
def step(request):
    """After the password: the authenticator app's code, a recovery code, or a passkey."""
    user = request.user
    if not second_factor.is_enrolled(user):
        return redirect("accounts:second_factor_enrol")
    form = SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            factor = second_factor.verify(request, form.cleaned_data["code"])
        except DomainError as refusal:
            form.add_error("code", str(refusal))
        else:
            if factor == "recovery":
                left = second_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"您已使用一組復原碼，尚餘 {left} 組。復原碼用完前，請至「雙因素驗證」重新產生。",
                )
            return redirect(second_factor.take_next(request) or "portal:workspace")
    return render(
        request,
        "accounts/second_factor.html",
        {
            "form": form,
            "has_totp": second_factor.totp_devices(user).exists(),
            "has_passkey": second_factor.passkeys(user).exists() and second_factor.passkeys_offered(request),
        },
    )


@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
@_waiting
def enrol(request):
    """The first sign-in: set up an authenticator app (or a passkey) before anything else."""
    user = request.user
    if second_factor.is_enrolled(user):
        return redirect("accounts:second_factor")
    device = second_factor.totp_being_enrolled(user)
    form = TotpEnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            second_factor.confirm_totp(request, device, form.cleaned_data["code"])
        except DomainError as refusal:
            form.add_error("code", str(refusal))
        else:
            messages.success(request, "已完成雙因素驗證設定。")
            return redirect("accounts:second_factor_codes")
    return render(
        request,
        "accounts/second_factor_enrol.html",
        {
            "form": form,
            "qr_svg": second_factor.totp_qr_svg(device),
            "key_text": second_factor.totp_key_text(device),
            "passkeys_offered": second_factor.passkeys_offered(request),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@second_factor_exempt
@roles_required(*STAFF_ROLES)
def recovery_codes(request):
    """The new recovery codes, shown this once (with 下載 and 列印); 繼續 forgets them."""
    codes = request.session.get(second_factor.NEW_CODES_KEY)
    if request.method == "POST" or not codes or not request.user.is_verified():
        request.session.pop(second_factor.NEW_CODES_KEY, None)
        return redirect(second_factor.take_next(request) or "portal:workspace")
    return render(request, "accounts/second_factor_codes.html", {"codes": codes})


@never_cache
@require_GET
@second_factor_exempt
@roles_required(*STAFF_ROLES)
def recovery_codes_download(request):
    """下載復原碼: the codes still on show, as a text file."""
    codes = request.session.get(second_factor.NEW_CODES_KEY)
    if not codes or not request.user.is_verified():
        raise Http404
    lines = [
        "教師專業發展支持作業平臺 雙因素驗證復原碼",
        f"帳號：{request.user.username}",
        "每組復原碼只能使用一次。請妥善保存，勿與他人分享。",
        "",
        *codes,
        "",
    ]
    response = HttpResponse("\r\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    return response


@never_cache
@require_GET
@roles_required(*STAFF_ROLES)
def manage(request):
    """雙因素驗證 of one's own account: what is set up, a passkey to add, new recovery codes."""
    user = request.user
    return render(
        request,
        "accounts/second_factor_manage.html",
        {
            "totp_devices": second_factor.totp_devices(user),
            "passkeys": second_factor.passkeys(user),
            "codes_left": second_factor.recovery_codes_left(user),
            "passkeys_offered": second_factor.passkeys_offered(request),
        },
    )


@require_POST
@roles_required(*STAFF_ROLES)
def renew_recovery_codes(request):
    """重新產生復原碼: ten new codes; the ones left over stop working."""
    request.session[second_factor.NEW_CODES_KEY] = second_factor.new_recovery_codes(request.user)
    record("mfa.enrol", request=request, data={"factor": "recovery_codes"})
    messages.success(request, "已重新產生復原碼，先前的復原碼已失效。")
    return redirect("accounts:second_factor_codes")
