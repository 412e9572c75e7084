"""檢視紀錄, from 流程進度: the teacher reads who looked at their forms and files (review.viewed)."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_safe

from proteacher.accounts.decorators import teacher_required
from proteacher.certification.selectors import own_case_for
from proteacher.review import viewed

PAGE_SIZE = 50


@teacher_required
@require_safe
def viewed_page(request, pk):
    case = own_case_for(request.user, pk)
    page = Paginator(viewed.views_of(case), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"case": case, "type": case.certification_type, "page": page, "lines": viewed.lines(page)}
    return render(request, "review/viewed.html", context)
