"""學校專區 for a 學校承辦人 (a teacher with a live grant for a school): the school's 認證總表, its
.xlsx export, and the 推薦表 the school fills for a candidate.

Teachers only (another role: 403); a school the teacher holds no live grant for, and a case of
another school, are a 404 (certification.selectors).
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_http_methods, require_safe

from proteacher.accounts.decorators import teacher_required
from proteacher.accounts.school_officers import live_schools_of
from proteacher.certification import answers, school_overview, school_recommendation, selectors
from proteacher.certification.school_forms import SchoolFilterForm
from proteacher.documents import engine
from proteacher.documents.catalogue import get_template
from proteacher.errors import DomainError
from proteacher.posted import posted_revision

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@teacher_required
@require_safe
def index(request):
    """學校專區: the one school's 認證總表, or the list of the schools the teacher acts for."""
    schools = list(live_schools_of(request.user))
    if len(schools) == 1:
        return redirect("school:overview", school_code=schools[0].code)
    return render(request, "certification/school_index.html", {"schools": schools})


def _filters(request, school):
    years = list(
        selectors.school_cases(school).order_by("-academic_year").values_list("academic_year", flat=True).distinct()
    )
    form = SchoolFilterForm(request.GET or None, years=years)
    return form, form.filters() if request.GET else {"academic_year": None, "type_code": ""}


@teacher_required
@require_safe
def overview(request, school_code):
    """認證總表."""
    school = selectors.school_of_officer(request.user, school_code)
    form, filters = _filters(request, school)
    kept = {"academic_year": filters["academic_year"] or "", "type": filters["type_code"]}
    export_url = reverse("school:export", args=[school.code])
    context = {
        "school": school,
        "form": form,
        "rows": school_overview.rows(school, **filters),
        "export_url": f"{export_url}?{urlencode({k: v for k, v in kept.items() if v})}".rstrip("?"),
    }
    return render(request, "certification/school_overview.html", context)


@teacher_required
@require_safe
def export(request, school_code):
    """認證總表 as .xlsx, filtered as the page."""
    school = selectors.school_of_officer(request.user, school_code)
    _, filters = _filters(request, school)
    content = school_overview.export(request.user, school, **filters)
    response = HttpResponse(content, content_type=XLSX)
    year = f"{filters['academic_year']}學年度" if filters["academic_year"] else "全部學年度"
    response["Content-Disposition"] = content_disposition_header(True, f"認證總表_{school.name}_{year}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response


def _render_form(request, school, case, slot, template, answer, *, data, errors=None, revision, status=200):
    reason = answers.readonly_reason(case)
    form = engine.form_for(template)
    context = {
        "school": school,
        "case": case,
        "slot": slot,
        "template": template,
        "answer": answer,
        "editable": not reason,
        "readonly_reason": reason,
        "sections": form.bind(data, errors, editable=not reason),
        "error_list": form.error_list(errors or {}),
        "revision": revision,
        "overview_url": reverse("school:overview", args=[school.code]),
    }
    return render(request, "certification/school_recommendation.html", context, status=status)


@teacher_required
@require_http_methods(["GET", "POST"])
def recommendation(request, school_code, pk):
    """學校推薦表 of one case of the school: drawn and checked by the form engine, saved by
    certification.school_recommendation."""
    school = selectors.school_of_officer(request.user, school_code)
    case = selectors.school_case_for(school, pk)
    slot = selectors.school_slot_of(case)
    answer = selectors.answer_in_use(case, slot)
    if answer is not None and answer.template_code in slot.template_codes:
        template = get_template(answer.template_code, answer.template_version)
    else:
        template, answer = get_template(slot.template_codes[0]), None
    saved_revision = answer.revision if answer is not None else 0
    if request.method != "POST":
        data = answer.data if answer else engine.form_for(template).initial(_prefill(case, school))
        return _render_form(request, school, case, slot, template, answer, data=data, revision=saved_revision)

    data, missing, errors = engine.validate(template, request.POST)
    if errors:
        return _render_form(
            request, school, case, slot, template, answer, data=data, errors=errors, revision=saved_revision, status=400
        )
    try:
        school_recommendation.save(
            case,
            slot,
            template,
            officer=request.user,
            data=data,
            is_complete=not missing,
            expected_revision=posted_revision(request.POST),
            known=answer,
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _render_form(
            request, school, case, slot, template, answer, data=data, revision=saved_revision, status=409
        )
    if missing:
        messages.warning(request, f"已儲存。尚未填寫：{'、'.join(missing)}")
    else:
        messages.success(request, f"已儲存「{case.teacher.name}」的{slot.label}。")
    return redirect("school:recommendation", school_code=school.code, pk=case.pk)


def _prefill(case, school) -> dict:
    return {"teacher": case.teacher.name, "school": school.name}
