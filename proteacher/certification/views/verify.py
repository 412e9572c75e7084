"""證書查驗: the public verification page, for anyone, signed in or not (certification.verification).

/verify/<code>/ answers a certificate's QR code; /verify/ takes a 證號 and the holder's name. Both
show only the outcome, the type, the number, the dates, the masked name and the school; a client
over the lookup limit gets a 429 page."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from proteacher.audit.log import client_ip
from proteacher.certification import verification
from proteacher.certification.verify_forms import VerifyForm

TOO_MANY = "查詢次數過多，請於 {minutes} 分鐘後再試。"


def _page(request, *, form, answer=None, status=200, limited=False, bad_code=False) -> HttpResponse:
    context = {
        "form": form,
        "answer": answer,
        "limited": limited,
        "too_many": TOO_MANY.format(minutes=settings.VERIFY_WINDOW_MINUTES),
        "bad_code": verification.BAD_CODE if bad_code else "",
        "old_system_mark": verification.OLD_SYSTEM_MARK,
    }
    return render(request, "certification/verify.html", context, status=status)


@never_cache
@require_safe
def by_code(request: HttpRequest, code: str) -> HttpResponse:
    answer = verification.look_up_code(client_ip(request), code)
    if answer is None:
        return _page(request, form=VerifyForm(), status=429, limited=True)
    bad_code = answer.outcome == verification.Outcome.INVALID
    status = 400 if bad_code else 404 if not answer.found else 200
    return _page(request, form=VerifyForm(), answer=None if bad_code else answer, status=status, bad_code=bad_code)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def by_number(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, form=VerifyForm())
    form = VerifyForm(request.POST)
    if not form.is_valid():
        if not verification.count_invalid(client_ip(request)):
            return _page(request, form=VerifyForm(), status=429, limited=True)
        return _page(request, form=form, status=400)
    answer = verification.look_up_number(client_ip(request), form.cleaned_data["number"], form.cleaned_data["name"])
    if answer is None:
        return _page(request, form=VerifyForm(), status=429, limited=True)
    # The form is drawn empty again: the holder's full name is not echoed back into the page.
    return _page(request, form=VerifyForm(), answer=answer, status=200 if answer.found else 404)
