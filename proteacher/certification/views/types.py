"""認證專區 for teachers: the list of types, one type's eligibility table, and 申請."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from proteacher import dates
from proteacher.accounts.decorators import verified_teacher_required
from proteacher.certification import rules, services, workflow
from proteacher.certification.models import CertificationType
from proteacher.certification.selectors import cases_visible_to
from proteacher.errors import DomainError


@login_required
def index(request):
    """認證專區: a card per certification type. Teachers must finish 教師驗證 first."""
    user = request.user
    if user.is_teacher:
        profile = getattr(user, "profile", None)
        if profile is None or not profile.is_verified:
            messages.info(request, "請先完成教師驗證，才能進入認證專區。")
            return redirect("accounts:verify")
    return render(request, "certification/index.html", {"types": CertificationType.objects.all()})


def _type_page(request, certification_type, evaluation=None, status=200):
    """The page of one type: the eligibility table and 申請, or the year's message; earlier cases."""
    year = dates.current_academic_year()
    cases = list(cases_visible_to(request.user).filter(certification_type=certification_type))
    applied_this_year = any(case.academic_year == year for case in cases)
    if evaluation is None and certification_type.is_open and not applied_this_year:
        evaluation = rules.evaluate(request.user, certification_type)
    context = {
        "certification_type": certification_type,
        "evaluation": evaluation,
        "cases": [{"case": case, "state": workflow.label(case.state)} for case in cases],
        "applied_this_year": applied_this_year,
        "already_applied_message": services.ALREADY_APPLIED,
        "closed_message": services.CLOSED,
    }
    return render(request, "certification/type.html", context, status=status)


@verified_teacher_required
def type_page(request, type_code):
    return _type_page(request, get_object_or_404(CertificationType, code=type_code))


@verified_teacher_required
@require_POST
def apply(request, type_code):
    certification_type = get_object_or_404(CertificationType, code=type_code)
    try:
        case = services.apply_for(request.user, certification_type)
    except services.NotEligible as refusal:
        # The table the server decided on, with 資格不符 beside each failing row.
        messages.error(request, refusal.message)
        return _type_page(request, certification_type, evaluation=refusal.evaluation)
    except DomainError:
        # Already applied this year, or closed: the type page itself says so, in the seed's words.
        return redirect("certification:type", type_code=certification_type.code)
    messages.success(request, f"已建立{certification_type.short_name}申請，請於編輯表單列表中填寫或上傳各項表單。")
    return redirect("certification:case", pk=case.pk)
