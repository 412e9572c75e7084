"""功能專區 認證審查 for 縣市 and 管理者: the queue of cases by state, and its Excel export."""

import io

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from proteacher import markup
from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.deadlines import format_deadline
from proteacher.review import selectors, short_panels
from proteacher.review.assignment import reviewers_per_case
from proteacher.review.forms import QueueFilterForm

PAGE_SIZE = 50
OFFICE = (Role.COUNTY, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_HEADER = ["教師", "全教網帳號", "學校", "縣市", "認證類別", "學年度", "狀態", "最後更新時間"]


class CountedPaginator(Paginator):
    """A paginator told how many rows there are (the tabs' counts), instead of counting them again."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.count = count


def _filter_form(request, in_scope) -> QueueFilterForm:
    user = request.user
    return QueueFilterForm(
        request.GET,
        types=selectors.certification_types(),
        years=in_scope.academic_years(),
        counties=selectors.counties() if user.role == Role.ADMIN else None,
    )


def _query(request, **changes) -> str:
    """The page's query string with some parameters changed (an empty value removes one), without page."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in changes.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return query.urlencode()


@roles_required(*OFFICE)
@require_safe
def queue(request):
    """認證審查: a tab per state with its count, the filters, and the matching cases, 50 a page."""
    in_scope = selectors.kept_counts_of(request.user)
    form = _filter_form(request, in_scope)
    filters = form.filters()
    cases = selectors.office_cases(request.user, filters)
    counts = selectors.state_counts(request.user, filters, in_scope)
    total = counts.get(filters.state, 0) if filters.state else sum(counts.values())
    rows = selectors.queue_rows(selectors.queue_list(cases, filters.state))
    page = CountedPaginator(rows, PAGE_SIZE, total).get_page(request.GET.get("page"))
    base = reverse("review:queue")
    # Each tab keeps the other filters and sets its state.
    others = _query(request, state="")
    tab_base = f"{base}?{others}&" if others else f"{base}?"

    def tab(state: str, text: str, count: int) -> dict:
        url = f"{tab_base}{urlencode({'state': state})}" if state else tab_base.rstrip("?&")
        return {"state": state, "label": text, "count": count, "url": url}

    return render(
        request,
        "review/queue.html",
        {
            "filter_fields": _filter_fields(form),
            "filters": filters,
            "state_label": workflow.label(filters.state) if filters.state else "",
            "tab_groups": [
                ("", [tab("", "全部", sum(counts.values()))]),
                ("待處理", [tab(s, workflow.label(s), counts.get(s, 0)) for s in workflow.OFFICE_STATES]),
                ("其他狀態", [tab(s, workflow.label(s), counts.get(s, 0)) for s in workflow.OTHER_STATES]),
            ],
            "page": page,
            "rows": _rows(page.object_list),
            "page_query": _query(request),
            "export_url": f"{reverse('review:export')}?{_query(request)}",
            "assign_queue_url": _assign_queue_url(filters),
            "clear_url": base,
            "fixed_county": request.user.county if request.user.role == Role.COUNTY else None,
        },
    )


OPTION = '<option value="{key}"{selected}>{text}</option>'


def _filter_fields(form: QueueFilterForm) -> list[dict]:
    """The filters as the template draws them, in order. Drawn by the page's own markup rather than
    Django's widget templates: the queue is the office's busiest page, and a select of 22 縣市 drawn
    option by option through templates cost more than the rest of the page. The filters never show
    errors (a value that does not parse filters nothing), which is all the widgets added."""
    fields = []
    for name in ("certification_type", "academic_year", "county", "school", "state", "q", "overdue"):
        if name not in form.fields:
            fields.append({"fixed_county": True})
            continue
        bound = form[name]
        field = {"id": bound.id_for_label, "name": bound.html_name, "label": bound.label}
        value = "" if bound.value() is None else str(bound.value())
        if name == "overdue":
            field.update(checkbox=True, checked=bool(form.filters().overdue))
        elif hasattr(bound.field, "choices"):
            field["options"] = markup.join(
                markup.markup(OPTION, key=key, selected=" selected" if str(key) == value else "", text=text)
                for key, text in bound.field.choices
            )
        else:
            field.update(value=value, maxlength=bound.field.max_length)
        fields.append(field)
    return fields


# One row of the table. Drawn here rather than by the template: 50 rows of nine values each were
# most of the page's time through the template engine (and through format_html: proteacher.markup).
ROW = (
    '<tr data-case="{pk}"><th scope="row"><a href="{url}">{teacher}</a></th><td>{school}</td><td>{county}</td>'
    "<td>{type}</td><td>{year}</td><td>{state}{short}</td><td>{deadline}</td><td>{updated}</td></tr>"
)
OVERDUE_MARK = '{deadline} <span class="badge text-bg-danger" data-overdue>逾期未審</span>'


def _deadline(case: dict, now) -> str:
    """期限: the teacher's (修正期限, or an extension), the 申復 window's, or the earliest 審查期限
    still open, with 逾期未審 once that one passed; "—" when none runs."""
    if case["action_deadline"] and case["state"] in workflow.EDITABLE_STATES:
        return format_deadline(case["action_deadline"])
    if case["appeal_deadline"] and case["state"] in workflow.APPEALABLE_STATES:
        return format_deadline(case["appeal_deadline"])
    if case["review_due"]:
        shown = format_deadline(case["review_due"])
        return markup.markup(OVERDUE_MARK, deadline=shown) if case["review_due"] < now else shown
    return "—"


SHORT_MARK = ' <span class="badge text-bg-warning" data-short-panel>{short}</span>'


def _rows(cases) -> list[dict]:
    """The page's cases with their 狀態, their page's address and, for a round short of 委員, its
    mark (委員不足（1/2）); each with its table row."""
    cases = list(cases)
    sizes = selectors.panel_sizes([(case["pk"], case["state"]) for case in cases])
    required = reviewers_per_case()
    # One reverse() and one time zone for the page, not one per row.
    case_url = reverse("review:case", args=[0]).removesuffix("0/")
    zone = timezone.get_current_timezone()
    now = timezone.now()
    rows = []
    for case in cases:
        short = short_panels.mark(sizes.get(case["pk"]), required)
        row = {**case, "url": f"{case_url}{case['pk']}/", "state_label": workflow.label(case["state"]), "short": short}
        row["html"] = markup.markup(
            ROW,
            pk=case["pk"],
            url=row["url"],
            teacher=case["teacher_name"],
            school=case["school_name"] or "—",
            county=case["county_name"] or "—",
            type=case["type_name"],
            year=case["academic_year"],
            state=row["state_label"],
            short=markup.markup(SHORT_MARK, short=short) if short else "",
            deadline=_deadline(case, now),
            updated=case["updated_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        )
        rows.append(row)
    return rows


def _assign_queue_url(filters) -> str:
    """整批分發委員 for the 分發委員 tab on show, with the filters that page also takes (type, year).

    County, school and search do not carry over: that page assigns the whole queue in the user's scope.
    """
    if not filters.state or workflow.BY_STATE[filters.state].stage != "assign":
        return ""
    query = {"state": filters.state}
    if filters.certification_type:
        query["certification_type"] = filters.certification_type
    if filters.academic_year:
        query["academic_year"] = filters.academic_year
    return f"{reverse('review:assign_queue')}?{urlencode(query)}"


def _text_cell(sheet, value) -> WriteOnlyCell:
    # Always text: a name such as "=1+1" must not become a formula in the office's spreadsheet.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def _export_name(filters) -> str:
    year = f"{filters.academic_year}學年度" if filters.academic_year else "全部學年度"
    state = f"_{workflow.label(filters.state)}" if filters.state else ""
    return f"認證審查_{year}{state}.xlsx"


@roles_required(*OFFICE)
@require_safe
def export(request):
    """The queue's filtered list, every page of it, as an Excel file."""
    form = _filter_form(request, selectors.kept_counts_of(request.user))
    filters = form.filters()
    cases = selectors.queue_list(selectors.office_cases(request.user, filters), filters.state)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("認證審查")
    for column, width in zip("ABCDEFGH", (14, 16, 28, 10, 24, 8, 18, 18), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([_text_cell(sheet, title) for title in EXPORT_HEADER])
    # Streamed from the database in chunks: a national list does not sit in memory as objects.
    for case in cases.iterator(chunk_size=1000):
        sheet.append(
            [
                _text_cell(sheet, case.teacher.name),
                _text_cell(sheet, case.teacher.inservice_account or ""),
                _text_cell(sheet, case.school.name if case.school else ""),
                _text_cell(sheet, case.county.name if case.county else ""),
                _text_cell(sheet, case.certification_type.name),
                case.academic_year,
                _text_cell(sheet, workflow.label(case.state)),
                # Text in Asia/Taipei, as the page shows it: Excel has no time zones.
                _text_cell(sheet, timezone.localtime(case.updated_at).strftime("%Y-%m-%d %H:%M")),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, _export_name(filters))
    response["Cache-Control"] = "private, no-store"
    return response
