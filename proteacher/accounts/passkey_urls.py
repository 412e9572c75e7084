"""django-otp-webauthn's ceremony endpoints, as accounts.views.passkeys allows them.

Routed at the top (proteacher/urls.py) in the package's own namespace, `otp_webauthn`, whose
names its template tags reverse.
"""

from django.urls import path

from proteacher.accounts.views import passkeys

app_name = "otp_webauthn"
urlpatterns = [
    path("registration/begin/", passkeys.begin_registration, name="credential-registration-begin"),
    path("registration/complete/", passkeys.complete_registration, name="credential-registration-complete"),
    path("authentication/begin/", passkeys.begin_authentication, name="credential-authentication-begin"),
    path("authentication/complete/", passkeys.complete_authentication, name="credential-authentication-complete"),
    # The script's messages in Chinese.
    path("messages.js", passkeys.script_messages, name="js-i18n-catalog"),
]
