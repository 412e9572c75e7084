"""稽核紀錄 (管理者): the audit log searched and paged (review.audit_log)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.review import audit_log
from proteacher.review.audit_log_forms import AuditSearchForm


@roles_required(Role.ADMIN)
@require_safe
def audit_log_page(request):
    form = AuditSearchForm(request.GET)
    before, after, problem = audit_log.cursors(request.GET)
    found = audit_log.Page([], None, None)
    if form.is_valid():
        found = audit_log.page_of(audit_log.matching(form.filters()), before=before, after=after)
    # The filters as typed, kept in the links to the pages before and after.
    kept = {name: request.GET[name] for name in form.fields if request.GET.get(name)}
    here = reverse("review:audit_log")

    def link(**cursor) -> str:
        query = urlencode(kept | cursor)
        return f"{here}?{query}" if query else here

    context = {
        "form": form,
        "problem": problem,
        "rows": audit_log.rows(found.entries),
        "newer_url": link(after=found.newer) if found.newer else "",
        "older_url": link(before=found.older) if found.older else "",
        "newest_url": link() if before or after else "",
        "clear_url": here,
    }
    return render(request, "review/audit_log.html", context, status=200 if form.is_valid() else 400)
