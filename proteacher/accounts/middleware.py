"""The one place that keeps a staff member without the second factor out of every staff page.

django-otp's OTPMiddleware (just before this one) tells whether the session was verified by a
factor that still exists and still belongs to the user. A 委員, 縣市 or 管理者 whose session is
not verified reaches only the views marked `second_factor_exempt` (the second step itself, the
passkey ceremony, 登出, the public password pages); every other request is sent to the second
step. A session that no longer waits for it (its factor was reset by 管理者 after it was
verified) is signed out: the member signs in again and enrols again.

Teachers sign in through the national network and pass through untouched.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect

from proteacher.accounts import second_factor

SIGNED_OUT = "您的雙因素驗證已重設，請重新登入。"


def second_factor_exempt(view):
    """Mark a view that a staff member may open between the password and the second factor."""
    view.second_factor_exempt = True
    return view


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not second_factor.needs_second_factor(user) or user.is_verified():
            return None
        if getattr(view_func, "second_factor_exempt", False):
            return None
        if not second_factor.is_pending(request):
            logout(request)
            messages.info(request, SIGNED_OUT)
            return redirect("accounts:login")
        return redirect("accounts:second_factor")
