"""The blank upload templates (下載文件): public forms, so no sign-in is needed."""

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from proteacher.documents import blanks
from proteacher.documents.catalogue import UnknownTemplate, get_template


@require_safe
def download_blank(request, code, fmt):
    if fmt not in blanks.CONTENT_TYPES:
        raise Http404("沒有這種檔案格式。")
    try:
        template = get_template(code)
    except UnknownTemplate:
        raise Http404("沒有這個表件。") from None
    if not blanks.has_blank(template):
        raise Http404("此表件沒有可下載的表格。")
    content = blanks.render(template, fmt)
    response = HttpResponse(content, content_type=blanks.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{template.title}.{fmt}")
    response["Content-Length"] = str(len(content))
    return response
