"""全國教師在職進修資訊網 帳號漫遊登入: OpenID Connect authorization code with PKCE, state and nonce.

Without OIDC_ISSUER, and only while DEBUG is on, the development identity page stands in for the
network's consent page and signs teachers in through the same identity code as the callback.
"""

import logging
import threading

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client.errors import MismatchingStateError
from authlib.integrations.django_client import OAuth, OAuthError
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from joserfc.errors import JoseError

from proteacher.accounts.demo_identities import DEMO_IDENTITIES
from proteacher.accounts.identity import sign_in_from_claims, unmatched_master_data_warning
from proteacher.audit.log import record
from proteacher.errors import DomainError
from proteacher.text import CleanTextMixin

logger = logging.getLogger(__name__)

PROVIDER_NAME = "inservice"
# Seconds to wait for the network's discovery, token and key endpoints before giving up.
PROVIDER_TIMEOUT = 10
NEXT_SESSION_KEY = "sso_next"

MESSAGE_CANCELLED = "您已取消登入。"
MESSAGE_STATE_MISMATCH = "登入驗證失敗（狀態不符），請重新登入。"
MESSAGE_FAILED = "登入驗證失敗，請重新登入。"
MESSAGE_UNAVAILABLE = "目前無法使用帳號漫遊登入，請稍後再試或聯絡工作小組"

# Anything the network, the wire or its keys can throw between the redirect back and a verified ID token
# (Authlib checks ID tokens with joserfc, whose errors are not Authlib's).
_PROVIDER_ERRORS = (AuthlibBaseError, JoseError, requests.RequestException, ValueError, KeyError, RuntimeError)

_client_lock = threading.Lock()
_client_cache: tuple[tuple, object] | None = None


def oidc_client():
    """The network's client, registered on first use so that settings read at that moment apply.

    A change of issuer or credentials (a reconfigured process, or tests) builds a new client,
    which also drops the discovery document and keys cached by the old one.
    """
    global _client_cache
    key = (settings.OIDC_ISSUER, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET, settings.OIDC_SCOPE)
    with _client_lock:
        if _client_cache is None or _client_cache[0] != key:
            oauth = OAuth()
            client = oauth.register(
                name=PROVIDER_NAME,
                client_id=settings.OIDC_CLIENT_ID,
                client_secret=settings.OIDC_CLIENT_SECRET,
                server_metadata_url=f"{settings.OIDC_ISSUER}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": settings.OIDC_SCOPE,
                    "code_challenge_method": "S256",
                    "default_timeout": PROVIDER_TIMEOUT,
                },
            )
            _client_cache = (key, client)
        return _client_cache[1]


def _callback_url() -> str:
    # From SITE_URL, not the request's Host: the provider compares it with the registered address.
    return settings.SITE_URL + reverse("accounts:sso_callback")


def _unavailable(request):
    return render(request, "accounts/sso_unavailable.html", {"message": MESSAGE_UNAVAILABLE}, status=503)


def _refuse(request, message: str, level: int = messages.ERROR):
    """End on the login page with the reason, and with nobody signed in."""
    if request.user.is_authenticated:
        logout(request)
    messages.add_message(request, level, message)
    return redirect("accounts:login")


def _sign_in(request, sub, claims):
    """What the callback and the development page share once the network has vouched for someone."""
    try:
        user = sign_in_from_claims(request, sub, claims)
    except DomainError as refusal:
        return _refuse(request, refusal.message)
    record("login.ok", request=request, data={"factor": "sso"})
    warning = unmatched_master_data_warning(user)
    if warning:
        messages.warning(request, warning)
    next_url = request.session.pop(NEXT_SESSION_KEY, None)
    if not user.profile.is_verified:
        return redirect("accounts:verify")
    return redirect(next_url or "certification:index")


@never_cache
@require_http_methods(["GET", "POST"])
def start(request):
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if not settings.OIDC_ISSUER:
        if settings.DEBUG:
            _remember_next(request, next_url)
            return redirect("accounts:dev_identity")
        return _unavailable(request)

    # A new login starts from a clean session, so a failed one can never leave anyone signed in.
    if request.user.is_authenticated:
        logout(request)
    try:
        response = oidc_client().authorize_redirect(request, _callback_url())
    except _PROVIDER_ERRORS:
        logger.exception("SSO: the provider's discovery document could not be read")
        return _unavailable(request)
    _remember_next(request, next_url)
    return response


def _remember_next(request, next_url: str) -> None:
    """Where to go once signed in (the page that asked for login), if it is on this site."""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[NEXT_SESSION_KEY] = next_url


@never_cache
@require_GET
def callback(request):
    if not settings.OIDC_ISSUER:
        raise Http404
    client = oidc_client()

    error = request.GET.get("error")
    if error:
        state = request.GET.get("state")
        if state:
            client.framework.clear_state_data(request.session, state)
        if error == "access_denied":
            return _refuse(request, MESSAGE_CANCELLED, messages.INFO)
        logger.warning("SSO: the provider answered %s (%s)", error, request.GET.get("error_description", ""))
        return _refuse(request, MESSAGE_FAILED)

    try:
        # Checks the state against the session (and spends it), sends the PKCE verifier with the
        # code, verifies the ID token's signature, issuer, audience, expiry and nonce.
        token = client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise OAuthError(description="no ID token")
        claims = _with_userinfo(client, token, claims)
    except MismatchingStateError:
        logger.warning("SSO: callback with an unknown or spent state")
        return _refuse(request, MESSAGE_STATE_MISMATCH)
    except _PROVIDER_ERRORS:
        logger.warning("SSO: login could not be verified", exc_info=True)
        return _refuse(request, MESSAGE_FAILED)
    return _sign_in(request, claims["sub"], claims)


def _with_userinfo(client, token, claims: dict) -> dict:
    """Ask the userinfo endpoint when the ID token lacks some of the four data the platform needs."""
    wanted = {
        settings.OIDC_CLAIM_NAME,
        settings.OIDC_CLAIM_SCHOOL,
        settings.OIDC_CLAIM_TITLE_CODE,
        settings.OIDC_CLAIM_COUNTY,
    }
    if wanted <= claims.keys() or not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    extra = dict(client.userinfo(token=token))
    if extra.get("sub") != claims["sub"]:
        raise OAuthError(description="userinfo is about someone else")
    # The signed ID token wins where both carry a value.
    return {**extra, **claims}


class DevIdentityForm(CleanTextMixin, forms.Form):
    CUSTOM = "custom"

    identity = forms.ChoiceField(
        label="登入身分",
        choices=[(demo["sub"], demo["name"]) for demo in DEMO_IDENTITIES] + [(CUSTOM, "自行輸入")],
        error_messages={"required": "請選擇登入身分。", "invalid_choice": "請選擇登入身分。"},
    )
    sub = forms.CharField(label="全教網帳號", max_length=64, required=False)
    name = forms.CharField(label="姓名", max_length=50, required=False)
    school = forms.CharField(label="服務學校", max_length=100, required=False)
    title_code = forms.CharField(label="職稱代碼", max_length=10, required=False)
    county = forms.CharField(label="學校所屬縣市", max_length=20, required=False)

    def clean(self):
        data = super().clean()
        if data.get("identity") == self.CUSTOM:
            for field in ("sub", "name"):
                if not data.get(field) and field not in self.errors:
                    self.add_error(field, f"請輸入{self.fields[field].label}。")
        return data

    def identity_and_claims(self) -> tuple[str, dict]:
        data = self.cleaned_data
        if data["identity"] == self.CUSTOM:
            chosen = data
        else:
            chosen = next(demo for demo in DEMO_IDENTITIES if demo["sub"] == data["identity"])
        claims = {
            settings.OIDC_CLAIM_NAME: chosen["name"],
            settings.OIDC_CLAIM_SCHOOL: chosen["school"],
            settings.OIDC_CLAIM_TITLE_CODE: chosen["title_code"],
            settings.OIDC_CLAIM_COUNTY: chosen["county"],
        }
        return chosen["sub"], claims


@never_cache
@require_http_methods(["GET", "POST"])
def dev_identity(request):
    # Anyone could become any teacher here: it exists only on a developer's machine.
    if not settings.DEBUG or settings.OIDC_ISSUER:
        raise Http404

    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            return _refuse(request, MESSAGE_CANCELLED, messages.INFO)
        form = DevIdentityForm(request.POST)
        if form.is_valid():
            if request.user.is_authenticated:
                logout(request)
            sub, claims = form.identity_and_claims()
            return _sign_in(request, sub, claims)
    else:
        form = DevIdentityForm(initial={"identity": DEMO_IDENTITIES[0]["sub"]})

    selected = form["identity"].value()
    return render(
        request,
        "accounts/dev_identity.html",
        {
            "form": form,
            "identities": DEMO_IDENTITIES,
            "selected": selected,
            "custom": DevIdentityForm.CUSTOM,
        },
    )
