"""個人資訊 → 認證證號: the certificates the signed-in teacher holds, imported, issued and
back-filled alike, and the 數位研習證明 granted with each certificate issued here. (A tab of
個人資訊, whose other tabs are accounts'.)"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from proteacher.accounts.decorators import verified_teacher_required
from proteacher.certification import certificate_pdf, selectors
from proteacher.errors import DomainError


@verified_teacher_required
def certificates(request: HttpRequest) -> HttpResponse:
    context = {
        "certificates": selectors.certificates_held_by(request.user),
        "training_certificates": selectors.training_certificates_of(request.user),
        "tab": "certificates",
    }
    return render(request, "certification/held_certificates.html", context)


@verified_teacher_required
@require_safe
def certificate_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The PDF of one of the teacher's own certificates (made on its first download)."""
    certificate = selectors.own_certificate_with_pdf(request.user, pk)
    try:
        return certificate_pdf.download(certificate)
    except DomainError as problem:
        messages.error(request, problem.message)
        return redirect("certification:held")
