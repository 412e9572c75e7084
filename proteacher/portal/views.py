from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from proteacher.accounts.decorators import teacher_required
from proteacher.accounts.models import Role
from proteacher.audit.log import record
from proteacher.certification.models import CertificationType
from proteacher.documents import blanks
from proteacher.documents.pdf_rules import OFFICE_PDF_GUIDE_URL
from proteacher.errors import DomainError
from proteacher.notifications import preferences
from proteacher.portal import export_zip, help_pages, notice_settings
from proteacher.portal.personal_data import gather
from proteacher.text import clean_text


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


def accessibility(request):
    """無障礙聲明: the level the platform aims at, how it is checked, what is known not to meet it yet,
    and whom to tell."""
    return render(request, "portal/accessibility.html", {"contact_email": settings.CONTACT_EMAIL})


def help_index(request):
    """操作教學, all of it or the sections a search (?q=) finds."""
    query = clean_text(request.GET.get("q", ""))[:50].strip()
    found = help_pages.matching(query)
    return render(
        request,
        "portal/help.html",
        {
            "roles": help_pages.by_role(found),
            "contents": help_pages.by_role(help_pages.SECTIONS),
            "query": query,
            "found": len(found),
            "office_pdf_guide": OFFICE_PDF_GUIDE_URL,
        },
    )


@teacher_required
@require_http_methods(["GET", "POST"])
def personal_data(request):
    """下載個人資料: what the download holds (GET), and the ZIP itself (POST, recorded in the
    audit log). Only the teacher's own data, and only for the teacher: no staff role reaches it."""
    if request.method == "GET":
        return render(request, "portal/personal_data.html", {"tab": "personal_data"})
    holdings = gather(request.user)
    record(
        "personal_data.export",
        request=request,
        subject=request.user,
        target="個人資料（ZIP）",
        data={"cases": len(holdings.data["cases"]), "files": len(holdings.files)},
    )
    response = StreamingHttpResponse(export_zip.stream(holdings), content_type="application/zip")
    filename = f"個人資料_{timezone.localdate():%Y%m%d}.zip"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # The teacher's personal data: never kept by a browser cache, a shared cache or a proxy.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def notice_settings_page(request):
    """通知設定: how the signed-in person's optional notices reach them; one's own choice only, for
    every role (個人資訊 for a teacher, 功能專區 for staff)."""
    if request.method == "POST":
        form = notice_settings.NoticeSettingsForm(request.POST)
        if form.is_valid():
            try:
                preferences.choose(request.user, form.cleaned_data["delivery"], request=request)
            except DomainError as error:
                form.add_error("delivery", error.message)
            else:
                messages.success(request, "通知設定已儲存。")
                return redirect("portal:notice_settings")
    else:
        form = notice_settings.NoticeSettingsForm(initial={"delivery": preferences.delivery_of(request.user)})
    context = {
        "form": form,
        "optional_notices": notice_settings.optional_notices(),
        "always_emailed": notice_settings.ALWAYS_EMAILED,
        "digest_hour": settings.NOTICE_DIGEST_HOUR,
        "tab": "notice_settings",
    }
    return render(request, "portal/notice_settings.html", context)
