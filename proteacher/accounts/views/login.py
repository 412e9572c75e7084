"""使用者登入 (teachers' SSO entry and the staff password form), 登出 and 忘記密碼."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from proteacher.accounts import second_factor
from proteacher.accounts.login_forms import (
    LOGIN_ERROR_ID,
    StaffLoginForm,
    StaffPasswordResetForm,
    StaffSetPasswordForm,
)
from proteacher.accounts.middleware import second_factor_exempt
from proteacher.accounts.models import STAFF_ROLES
from proteacher.audit.log import record

# Staff passwords are checked by the model backend; SSO may add its own backend beside it.
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # nosec B105 # a dotted path, not a password


def _safe_next(request, target: str) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@second_factor_exempt
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_page(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = StaffLoginForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        # login() gives the signed-in user a new session key, so a key planted before sign-in is
        # useless; the session then waits for the second factor (SecondFactorMiddleware).
        auth_login(request, form.user, backend=PASSWORD_BACKEND)
        second_factor.begin(request, form.user, _safe_next(request, next_url) or "")
        return redirect("accounts:second_factor")
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": next_url,
            "register_url": settings.INSERVICE_REGISTER_URL,
            "login_error_id": LOGIN_ERROR_ID,
        },
    )


@second_factor_exempt
@require_POST
def logout_view(request):
    if request.user.is_authenticated:
        record("logout", request=request)
    auth_logout(request)
    # The message lives in the fresh session that logout() started.
    messages.success(request, "您已登出。")
    return redirect("portal:home")


class PasswordReset(auth_views.PasswordResetView):
    form_class = StaffPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    subject_template_name = "email/password_reset_subject.txt"
    email_template_name = "email/password_reset_body.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @property
    def extra_email_context(self):
        # The link points at the configured public address, not at whatever Host the request named.
        return {
            "site_url": settings.SITE_URL,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }


class PasswordResetDone(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    form_class = StaffSetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_user(self, uidb64):
        # Only staff have passwords here; a teacher's id in a link finds nobody.
        user = super().get_user(uidb64)
        if user is not None and user.role not in STAFF_ROLES:
            return None
        return user


class PasswordResetComplete(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
