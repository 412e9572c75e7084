from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from proteacher.accounts.models import Role
from proteacher.certification.models import CertificationType
from proteacher.documents import blanks
from proteacher.documents.pdf_rules import OFFICE_PDF_GUIDE_URL
from proteacher.portal import help_pages


def home(request):
    return render(request, "portal/home.html")


@login_required
def workspace(request):
    """功能專區: each role's own tools."""
    return render(request, "portal/workspace.html", {"Role": Role})


def downloads(request):
    """檔案下載: every blank form, by certification type, and the manuals."""
    groups, others = blanks.blanks_by_type(CertificationType.objects.prefetch_related("slots"))
    context = {
        "groups": groups,
        "others": others,
        "formats": [(fmt, blanks.FORMAT_NAMES[fmt]) for fmt in blanks.CONTENT_TYPES],
        "guide_url": OFFICE_PDF_GUIDE_URL,
    }
    return render(request, "portal/downloads.html", context)


def help_index(request):
    return render(
        request, "portal/help.html", {"sections": help_pages.SECTIONS, "office_pdf_guide": OFFICE_PDF_GUIDE_URL}
    )
