"""個人資訊 → 認證證號: the certificates the signed-in teacher holds, imported, issued and
back-filled alike, and the 數位研習證明 granted with each certificate issued here. (A tab of
個人資訊, whose other tabs are accounts'.)"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from proteacher.accounts.decorators import verified_teacher_required
from proteacher.certification import selectors


@verified_teacher_required
def certificates(request: HttpRequest) -> HttpResponse:
    context = {
        "certificates": selectors.certificates_held_by(request.user),
        "training_certificates": selectors.training_certificates_of(request.user),
        "tab": "certificates",
    }
    return render(request, "certification/held_certificates.html", context)
