"""Passkeys (通行金鑰) as a second factor: django-otp-webauthn's ceremony endpoints, as this
platform allows them, and its browser script's messages in Chinese.

The package's views do the WebAuthn work; these subclasses decide who may use them: only a staff
member, registering while enrolling (password done, no factor yet) or once verified, and
verifying only after the password (no sign-in by passkey alone: settings turn passwordless off).
A registration or verification here ends the same way as one by the authenticator app
(accounts.second_factor), and is recorded in the audit log.
"""

import json

from django.http import JsonResponse
from django.urls import reverse
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn

from proteacher.accounts import second_factor
from proteacher.accounts.middleware import second_factor_exempt
from proteacher.audit.log import record

# What the package's script says (its own words are English), as staff read it here.
SCRIPT_MESSAGES = {
    "Register a Passkey": "新增通行金鑰",
    "Registering...": "新增中…",
    "Finishing registration...": "完成新增中…",
    "Registration successful!": "已新增通行金鑰。",
    "Registration aborted.": "已取消新增通行金鑰。",
    "Registration aborted or not allowed.": "已取消新增通行金鑰，或瀏覽器不允許。",
    "Registration failed. You most likely already have a Passkey registered for this site.": (
        "無法新增：這個通行金鑰已經設定過了。"
    ),
    "Registration failed. A technical problem occurred that prevents you from registering a Passkey for this site.": (
        "無法新增通行金鑰：請以平臺的正式網址連線後再試。"
    ),
    "Registration failed. An unknown error occurred.": "無法新增通行金鑰，請再試一次。",
    "Registration failed. Unable to fetch registration options from server.": (
        "無法新增通行金鑰，請重新整理頁面後再試。"
    ),
    "Registration failed. The server was unable to verify this passkey.": "無法新增：平臺無法驗證這個通行金鑰。",
    "Registration failed. A server error occurred.": "無法新增通行金鑰，請稍後再試。",
    "An error occurred during registration.": "無法新增通行金鑰，請再試一次。",
    "Verify with Passkey": "使用通行金鑰",
    "Verifying...": "驗證中…",
    "Finishing verification...": "完成驗證中…",
    "Verification successful!": "驗證成功。",
    "Verification aborted.": "已取消驗證。",
    "Verification canceled or not allowed.": "已取消驗證，或瀏覽器不允許。",
    "Verification failed. Could not retrieve parameters from the server.": "無法驗證，請重新整理頁面後再試。",
    "Verification failed. An unknown error occurred.": "通行金鑰驗證失敗，請再試一次。",
    "Verification failed. An unknown server error occurred.": "通行金鑰驗證失敗，請稍後再試。",
    "Verification failed. A server error occurred.": "通行金鑰驗證失敗，請稍後再試。",
    "An error occurred during verification.": "通行金鑰驗證失敗，請再試一次。",
}

# The endpoints' refusals, which the script shows as they are.
REFUSALS = {
    "not_authenticated": "請先以帳號密碼登入。",
    "not_staff": "只有委員、縣市與管理者帳號可以使用通行金鑰。",
    "user_not_verified": "請先完成雙因素驗證，再新增通行金鑰。",
    "passwordless_login_disabled": "請先以帳號密碼登入。",
    "invalid_state": "驗證已逾時，請重新整理頁面後再試。",
    "credential_not_found": "找不到這個通行金鑰，可能已被移除。",
    "credential_user_mismatch": "這個通行金鑰不屬於目前登入的帳號。",
    "credential_disabled": "這個通行金鑰已停用。",
    "user_disabled": "此帳號已停用。",
}
REFUSED = "通行金鑰驗證失敗，請再試一次。"


class NotStaff(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_code = "not_staff"


class ChineseRefusalsMixin:
    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            return JsonResponse({"detail": REFUSALS.get(exc.code, REFUSED), "code": exc.code}, status=exc.status_code)
        return super().handle_exception(exc)


class RegistrationRules:
    def check_can_register(self):
        user = self.get_user()
        if not second_factor.needs_second_factor(user):
            raise NotStaff()
        enrolling = second_factor.is_pending(self.request) and not second_factor.is_enrolled(user)
        if not (enrolling or user.is_verified()):
            raise exceptions.NotVerified()


class BeginRegistration(ChineseRefusalsMixin, RegistrationRules, webauthn.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(ChineseRefusalsMixin, RegistrationRules, webauthn.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        device = second_factor.passkeys(self.request.user).get(pk=response_id(response))
        second_factor.enrolled(self.request, device, "passkey")
        return response


class AuthenticationRules:
    def check_can_authenticate(self):
        # The second step only: the password first, always.
        if not second_factor.is_pending(self.request):
            raise exceptions.NotAuthenticated()


class BeginAuthentication(ChineseRefusalsMixin, AuthenticationRules, webauthn.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(ChineseRefusalsMixin, AuthenticationRules, webauthn.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        if device.user_id != self.request.user.pk:
            raise exceptions.CredentialUserMismatch()
        second_factor.finish(self.request, device, "passkey")

    def get_success_url(self):
        return second_factor.take_next(self.request) or reverse("portal:workspace")

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.OTPWebAuthnApiError) and self.request.user.is_authenticated:
            record("mfa.failed", request=self.request, data={"factor": "passkey", "reason": exc.code})
        return super().handle_exception(exc)


class ScriptMessages(JavaScriptCatalog):
    packages = ["django_otp_webauthn"]

    def get_catalog(self):
        return {**super().get_catalog(), **SCRIPT_MESSAGES}


def response_id(response) -> int:
    return json.loads(response.content)["id"]


begin_registration = second_factor_exempt(BeginRegistration.as_view())
complete_registration = second_factor_exempt(CompleteRegistration.as_view())
begin_authentication = second_factor_exempt(BeginAuthentication.as_view())
complete_authentication = second_factor_exempt(CompleteAuthentication.as_view())
script_messages = second_factor_exempt(ScriptMessages.as_view())
