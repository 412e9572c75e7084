"""期程設定: a type's period per academic year, nationally (管理者, from 認證設定) and as a county's
override (縣市 of that county; 管理者 any county). Another county's page is a 404 to a 縣市."""

import dataclasses

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from proteacher import dates
from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import periods
from proteacher.certification.deadlines import format_deadline, period_for
from proteacher.certification.models import CertificationPeriod, CertificationType
from proteacher.certification.selectors import county_in_scope
from proteacher.certification.settings_forms import PeriodForm
from proteacher.errors import DomainError

OFFICE = (Role.COUNTY, Role.ADMIN)
# The years a period may be set for: a few before and after today's (an old link is a 404).
YEARS_AROUND = 3


def _year(year: int) -> int:
    current = dates.current_academic_year()
    if not current - YEARS_AROUND <= year <= current + YEARS_AROUND:
        raise Http404
    return year


def _shown(value) -> str:
    if value is None:
        return ""
    return format_deadline(value) if hasattr(value, "astimezone") else f"{value} 天"


def _summary(period) -> list[tuple[str, str]]:
    """(label, value) of the fields a period sets, in the form's order."""
    labels = {name: field.label for name, field in PeriodForm.base_fields.items()}
    return [(labels[name], _shown(getattr(period, name))) for name in labels if getattr(period, name) is not None]


@roles_required(*OFFICE)
@require_safe
def period_list(request):
    """期程設定: each type's period of the year (the one that applies to a 縣市's county)."""
    year = _year(int(request.GET["year"])) if request.GET.get("year", "").isdigit() else dates.current_academic_year()
    county_id = request.user.county_id if request.user.role == Role.COUNTY else None
    rows = [
        {"type": kind, "summary": _summary(period_for(kind.pk, year, county_id))}
        for kind in CertificationType.objects.all()
    ]
    years = range(dates.current_academic_year() - 1, dates.current_academic_year() + 2)
    return render(
        request,
        "certification/periods.html",
        {"rows": rows, "year": year, "years": years, "county": request.user.county if county_id else None},
    )


def _edit(request, certification_type, year, county):
    row = periods.period_row(certification_type, year, county)
    initial = dataclasses.asdict(periods.values_of(row))
    form = PeriodForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            try:
                periods.save_period(certification_type, year, county, form.cleaned_data, actor=request.user)
            except DomainError as refusal:
                messages.error(request, refusal.message)
            else:
                messages.success(request, "期程已儲存。")
                return redirect(request.path)
        else:
            messages.error(request, "資料有誤，請依欄位下方的說明修正後再送出。")
    national = periods.values_of(periods.period_row(certification_type, year)) if county else None
    overrides = (
        CertificationPeriod.objects.filter(certification_type=certification_type, academic_year=year)
        .exclude(county=None)
        .select_related("county")
        if county is None
        else []
    )
    fields = [
        {"field": form[name], "national": _shown(getattr(national, name)) if national else ""}
        for name in PeriodForm.base_fields
    ]
    return render(
        request,
        "certification/period_edit.html",
        {
            "certification_type": certification_type,
            "year": year,
            "county": county,
            "form": form,
            "fields": fields,
            "overrides": overrides,
        },
        status=400 if form.errors else 200,
    )


@roles_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def period_national(request, type_code, year):
    """The national default of a type's period for a year (管理者)."""
    certification_type = get_object_or_404(CertificationType, code=type_code)
    return _edit(request, certification_type, _year(year), None)


@roles_required(*OFFICE)
@require_http_methods(["GET", "POST"])
def period_county(request, type_code, year, county_code):
    """A county's override of a type's period for a year: its 縣市 (own county only) or 管理者."""
    certification_type = get_object_or_404(CertificationType, code=type_code)
    county = county_in_scope(request.user, county_code)
    return _edit(request, certification_type, _year(year), county)
