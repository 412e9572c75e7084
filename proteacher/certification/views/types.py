"""認證專區 for teachers: the list of types and their application routes, one type's (or route's)
eligibility table, and 申請."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from proteacher import dates
from proteacher.accounts.decorators import verified_teacher_required
from proteacher.certification import deadlines, rules, services, workflow
from proteacher.certification.models import ApplicationRoute, CertificationType
from proteacher.certification.selectors import cases_visible_to
from proteacher.errors import DomainError


@login_required
def index(request):
    """認證專區: a card per certification type, and one per application route (申請方式) of a
    type that has routes (教學輔導教師認證 第一種申請方式). Teachers must finish 教師驗證 first."""
    user = request.user
    if user.is_teacher:
        profile = getattr(user, "profile", None)
        if profile is None or not profile.is_verified:
            messages.info(request, "請先完成教師驗證，才能進入認證專區。")
            return redirect("accounts:verify")
    cards = []
    year = dates.current_academic_year()
    for certification_type in CertificationType.objects.prefetch_related("routes"):
        routes = certification_type.routes.all()
        # Outside the period of the teacher's county the card is greyed, with the period.
        outside = deadlines.apply_refusal(certification_type.pk, year, user.county_id) if user.is_teacher else None
        if not services.needs_route(certification_type, routes):
            cards.append({"type": certification_type, "route": None, "outside": outside})
        cards.extend(
            {"type": certification_type, "route": route, "outside": outside}
            for route in certification_type.routes.all()
        )
    return render(request, "certification/index.html", {"cards": cards})


def _route(certification_type, code: str | None) -> ApplicationRoute | None:
    """The type's application route named in the address or the form (?route=first), if any."""
    if not code:
        return None
    return get_object_or_404(ApplicationRoute, certification_type=certification_type, code=code)


def _type_page(request, certification_type, evaluation=None, status=200, route=None):
    """The page of one type (or one of its routes): the eligibility table and 申請, or the year's
    message; earlier cases."""
    year = dates.current_academic_year()
    cases = list(cases_visible_to(request.user).filter(certification_type=certification_type))
    applied_this_year = any(case.academic_year == year for case in cases)
    routes = list(certification_type.routes.all())
    choose_route = route is None and services.needs_route(certification_type, routes)
    outside = deadlines.apply_refusal(certification_type.pk, year, request.user.county_id)
    if evaluation is None and certification_type.is_open and not outside and not applied_this_year and not choose_route:
        evaluation = rules.evaluate(request.user, certification_type, route=route)
    context = {
        "choose_route": choose_route,
        "choose_route_message": services.CHOOSE_ROUTE,
        "routes": routes,
        "certification_type": certification_type,
        "route": route,
        "evaluation": evaluation,
        "cases": [{"case": case, "state": workflow.label(case.state)} for case in cases],
        "applied_this_year": applied_this_year,
        "already_applied_message": services.ALREADY_APPLIED,
        "closed_message": services.CLOSED,
        "outside_period": outside,
    }
    return render(request, "certification/type.html", context, status=status)


@verified_teacher_required
def type_page(request, type_code):
    certification_type = get_object_or_404(CertificationType, code=type_code)
    return _type_page(request, certification_type, route=_route(certification_type, request.GET.get("route")))


@verified_teacher_required
@require_POST
def apply(request, type_code):
    certification_type = get_object_or_404(CertificationType, code=type_code)
    route = _route(certification_type, request.POST.get("route"))
    try:
        case = services.apply_for(request.user, certification_type, route=route)
    except services.NotEligible as refusal:
        # The table the server decided on, with 資格不符 beside each failing row.
        messages.error(request, refusal.message)
        return _type_page(request, certification_type, evaluation=refusal.evaluation, route=route)
    except DomainError:
        # Already applied this year, or closed: the type page itself says so, in the seed's words.
        url = reverse("certification:type", args=[certification_type.code])
        return redirect(f"{url}?{urlencode({'route': route.code})}" if route else url)
    messages.success(request, f"已建立{certification_type.short_name}申請，請於編輯表單列表中填寫或上傳各項表單。")
    return redirect("certification:case", pk=case.pk)
