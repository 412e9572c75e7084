from django.shortcuts import render

from proteacher.accounts.decorators import verified_teacher_required
from proteacher.certification.models import CertificateKind


@verified_teacher_required
def index(request):
    """認證專區: a card per certification type."""
    return render(request, "certification/index.html", {"kinds": CertificateKind})
