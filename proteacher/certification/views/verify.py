"""證書查驗: the public verification page, for anyone, signed in or not (certification.verification).

/verify/<code>/ answers a certificate's QR code; /verify/ takes a 證號 and the holder's name. Both
show only the outcome, the type, the number, the dates, the masked name and the school; a client
over the lookup limit gets a 429 page.

The certificate's digital credential (certification.credential): /verify/<code>/credential.jwt
downloads it, /verify/<code>/status.json is the status its credentialStatus names, /verify/credential/
verifies an uploaded one, and /.well-known/jwks.json and did.json publish the key. Each download,
status and upload counts as a lookup, under the same limit."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from proteacher.audit.log import client_ip
from proteacher.certification import credential, credential_keys, verification
from proteacher.certification.verify_forms import CredentialForm, VerifyForm

TOO_MANY = "查詢次數過多，請於 {minutes} 分鐘後再試。"
NO_CREDENTIAL = "查無此證書，無法下載數位憑證。"


def _page(request, *, form=None, answer=None, status=200, limited=False, bad_code=False, **more) -> HttpResponse:
    context = {
        "form": form or VerifyForm(),
        "credential_form": more.pop("credential_form", None) or CredentialForm(),
        "answer": answer,
        "limited": limited,
        "too_many": TOO_MANY.format(minutes=settings.VERIFY_WINDOW_MINUTES),
        "bad_code": verification.BAD_CODE if bad_code else "",
        "old_system_mark": verification.OLD_SYSTEM_MARK,
        **more,
    }
    return render(request, "certification/verify.html", context, status=status)


def _limited(request) -> HttpResponse:
    return _page(request, status=429, limited=True)


@never_cache
@require_safe
def by_code(request: HttpRequest, code: str) -> HttpResponse:
    answer = verification.look_up_code(client_ip(request), code)
    if answer is None:
        return _limited(request)
    bad_code = answer.outcome == verification.Outcome.INVALID
    status = 400 if bad_code else 404 if not answer.found else 200
    # The digital credential is offered where the certificate was reached by its code (QR code).
    offered = answer.found and credential_keys.signing_key() is not None
    return _page(
        request, answer=None if bad_code else answer, status=status, bad_code=bad_code, download_code=offered and code
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def by_number(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = VerifyForm(request.POST)
    if not form.is_valid():
        if not verification.count_invalid(client_ip(request)):
            return _limited(request)
        return _page(request, form=form, status=400)
    answer = verification.look_up_number(client_ip(request), form.cleaned_data["number"], form.cleaned_data["name"])
    if answer is None:
        return _limited(request)
    # The form is drawn empty again: the holder's full name is not echoed back into the page.
    return _page(request, answer=answer, status=200 if answer.found else 404)


# --- the digital credential ------------------------------------------------------------------------


@never_cache
@require_safe
def credential_download(request: HttpRequest, code: str) -> HttpResponse:
    key = credential_keys.signing_key()
    if key is None:
        return _page(request, status=503, credential_error=credential.UNAVAILABLE)
    found = verification.look_up_certificate(client_ip(request), code)
    if found is None:
        return _limited(request)
    answer, certificate = found
    if certificate is None:
        return _page(request, status=404, credential_error=NO_CREDENTIAL)
    response = HttpResponse(credential.signed(certificate, key), content_type=credential.MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="certificate-{code}.jwt"'
    return response


def _public_json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    # Verifiers' own web pages may read it: it is public and needs no cookie.
    response["Access-Control-Allow-Origin"] = "*"
    return response


@never_cache
@require_safe
def status(request: HttpRequest, code: str) -> HttpResponse:
    """The credential's status, read live: a revocation shows the moment it commits."""
    found = verification.look_up_certificate(client_ip(request), code)
    if found is None:
        return _public_json({"error": TOO_MANY.format(minutes=settings.VERIFY_WINDOW_MINUTES)}, 429)
    answer, certificate = found
    if answer.outcome == verification.Outcome.INVALID:
        return _public_json({"error": verification.BAD_CODE}, 400)
    if certificate is None:
        return _public_json({"status": answer.outcome, "label": answer.label}, 404)
    revoked_on = timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None
    document = credential.status_document(answer.outcome, revoked_on=revoked_on, expires_on=certificate.expires_on)
    return _public_json(document)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def credential_upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = CredentialForm(request.POST, request.FILES)
    key = credential_keys.signing_key()
    if key is None:
        return _page(request, status=503, credential_error=credential.UNAVAILABLE)
    token = form.cleaned_data["token"] if form.is_valid() else None
    try:
        verified = credential.verify(token, key) if token is not None else None
    except credential.CredentialRefused as refusal:
        form.add_error(None, str(refusal))
        verified = None
    if verified is None:
        if not verification.count_invalid(client_ip(request), by_number=False):
            return _limited(request)
        return _page(request, credential_form=form, status=400)
    found = verification.look_up_certificate(client_ip(request), verified.code)
    if found is None:
        return _limited(request)
    answer, _ = found
    if not answer.found:
        form.add_error(None, credential.NOT_FOUND)
        return _page(request, credential_form=form, answer=answer, status=404)
    return _page(request, answer=answer, credential_verified=True)


def _published(build, content_type: str) -> HttpResponse:
    """The public key, for anyone, cached for an hour (a new key shows within the hour)."""
    key = credential_keys.signing_key()
    if key is None:
        response = _public_json({"error": credential.UNAVAILABLE}, 503)
        patch_cache_control(response, no_store=True)
        return response
    response = _public_json(build(key))
    response["Content-Type"] = content_type
    patch_cache_control(response, public=True, max_age=3600)
    return response


@require_safe
def jwks(request: HttpRequest) -> HttpResponse:
    return _published(credential.published_keys, "application/jwk-set+json")


@require_safe
def did_document(request: HttpRequest) -> HttpResponse:
    return _published(credential.did_document, "application/did+json")
