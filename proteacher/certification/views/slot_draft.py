"""自動儲存 of an online form: static/js/autosave.js posts the whole form here as the teacher types,
and reads the JSON answer.

The form is read exactly as 儲存 reads it (documents.engine.validate), but nothing is refused for
what it holds: a draft keeps whatever was typed. The answer's "status" is one of
saved · stale (kept, but another tab saved the form since: the page says so and keeps its text) ·
signed_out (401: the session ended; the text was kept for after signing in, views/signed_out.py) ·
forbidden (403) · not_found (404) · read_only (409), each with the message the page shows.

Kept cheap, as it runs every few seconds while teachers type: one query reads the case with the
slot and the saved answer's revision, one statement writes the draft.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_POST

from proteacher.accounts.models import Role
from proteacher.certification import answers, drafts
from proteacher.certification.models import FilledBy
from proteacher.certification.selectors import in_route, own_case_for_draft
from proteacher.certification.views import signed_out
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate, get_template
from proteacher.errors import DomainError
from proteacher.posted import posted_revision

SIGNED_OUT = "登入已逾時，內容已保留在此頁，請重新登入後按「儲存」"
STALE = answers.STALE + "此頁輸入的內容仍保留在畫面上，可先複製。"
FORBIDDEN = "只有申請的教師可以編輯此表單。"
NOT_FOUND = "找不到此表單。"


def _answer(status: str, message: str = "", *, http_status: int = 200, **extra) -> JsonResponse:
    return JsonResponse({"status": status, "message": message, **extra}, status=http_status)


@require_POST
def autosave(request, pk, slot_code):
    if not request.user.is_authenticated:
        signed_out.keep_post(request, pk, slot_code)
        form = signed_out.form_path(pk, slot_code)
        template_code = request.POST.get("template", "")
        next_url = f"{form}?template={template_code}" if template_code else form
        login_url = redirect_to_login(next_url).url
        return _answer("signed_out", SIGNED_OUT, http_status=401, login_url=login_url)
    if request.user.role != Role.TEACHER:
        return _answer("forbidden", FORBIDDEN, http_status=403)

    code = request.POST.get("template") or request.GET.get("template", "")
    try:
        case = own_case_for_draft(request.user, pk, slot_code, code)
        if case.slot_templates is None or code not in case.slot_templates or not in_route(case, slot_code):
            raise Http404
        if case.slot_filled_by == FilledBy.SCHOOL:
            return _answer("forbidden", FORBIDDEN, http_status=403)
        template = get_template(code, case.answer_version)
        if template.is_upload:
            raise Http404
    except (Http404, UnknownTemplate):
        return _answer("not_found", NOT_FOUND, http_status=404)

    data = engine.validate(template, request.POST).data
    try:
        kept = drafts.keep(
            case,
            slot_code,
            template,
            data,
            base_revision=posted_revision(request.POST),
            answer_revision=case.answer_revision,
        )
    except DomainError as refusal:
        return _answer("read_only", refusal.message, http_status=409)
    if kept.stale:
        return _answer("stale", STALE, saved_at=drafts.time_of(kept.saved_at), stored=kept.stored)
    return _answer("saved", saved_at=drafts.time_of(kept.saved_at))
