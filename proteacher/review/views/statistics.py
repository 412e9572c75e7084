"""功能專區 統計 for 縣市 (own county) and 管理者: the figures with their charts, and the same as .xlsx."""

import io

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.review import selectors, statistics
from proteacher.review.statistics_forms import StatisticsFilterForm

OFFICE = (Role.COUNTY, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The bar charts' geometry (SVG user units): labels on the left, bars after them, values at their end.
CHART_WIDTH, LABEL_WIDTH, BAR_SPACE, ROW_HEIGHT, BAR_HEIGHT = 420, 150, 210, 28, 18


def _filter_form(request) -> StatisticsFilterForm:
    user = request.user
    return StatisticsFilterForm(
        request.GET,
        types=selectors.certification_types(),
        years=selectors.kept_counts_of(user).academic_years(),
        counties=selectors.counties() if user.role == Role.ADMIN else None,
    )


def chart(rows: list[dict], key: str, suffix: str = "") -> dict:
    """A horizontal bar chart of rows[key], drawn by the template as SVG (no style attributes)."""
    values = [row[key] or 0 for row in rows]
    top = max(values, default=0) or 1
    bars = []
    for index, (row, value) in enumerate(zip(rows, values, strict=True)):
        y = index * ROW_HEIGHT
        width = round(BAR_SPACE * value / top)
        shown = row[key]
        bars.append(
            {
                "label": row["label"],
                "value": "—" if shown is None else f"{shown}{suffix}",
                "y": y,
                "bar_y": y + (ROW_HEIGHT - BAR_HEIGHT) // 2,
                "text_y": y + ROW_HEIGHT // 2 + 5,
                "width": width,
                "value_x": LABEL_WIDTH + width + 6,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(bars), 1) * ROW_HEIGHT,
        "label_x": LABEL_WIDTH - 8,
        "bar_x": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


@roles_required(*OFFICE)
@require_safe
def statistics_page(request):
    """統計: totals, breakdowns, pass rate per round, turnaround and 委員 load, with the filters."""
    form = _filter_form(request)
    filters = form.filters()
    figures = statistics.figures(request.user, filters)
    query = request.GET.urlencode()
    return render(
        request,
        "review/statistics.html",
        {
            "form": form,
            "ignored": form.ignored(),
            "figures": figures,
            "filters": filters,
            "measures": statistics.MEASURES,
            "totals_rows": [{"label": "全部", **figures.totals}],
            "top_schools": statistics.TOP_SCHOOLS,
            "type_chart": chart(figures.by_type, "applications"),
            "county_chart": chart(figures.by_county, "applications"),
            "state_chart": chart(figures.by_state, "count"),
            "round_chart": chart(figures.rounds, "rate", "%"),
            "spans_note": statistics.PERCENTILE_NOTE,
            "export_url": reverse("statistics:export") + (f"?{query}" if query else ""),
            "clear_url": reverse("statistics:page"),
            "fixed_county": request.user.county if request.user.role == Role.COUNTY else None,
        },
    )


def _text(sheet, value) -> WriteOnlyCell:
    # Always text: a school's or a 委員's name such as "=1+1" must not become a formula.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def _number(value):
    """A number as a number; a missing one (no decision, no duration) as an empty cell."""
    return "" if value is None else value


def sheets(figures: statistics.Figures) -> list[tuple[str, list[str], list[list]]]:
    """(sheet title, header, rows) of every table of the page, in its order."""
    measure_header = [label for _, label in statistics.MEASURES]

    def breakdown(rows):
        return [[row["label"], *(row[name] for name, _ in statistics.MEASURES)] for row in rows]

    totals = [["全部", *(figures.totals[name] for name, _ in statistics.MEASURES)]]
    return [
        ("總計", ["範圍", *measure_header], totals),
        ("認證類別", ["認證類別", *measure_header], breakdown(figures.by_type)),
        ("學年度", ["學年度", *measure_header], breakdown(figures.by_year)),
        ("縣市", ["縣市", *measure_header], breakdown(figures.by_county)),
        ("學校", ["學校", *measure_header], breakdown(figures.by_school)),
        ("狀態", ["狀態", "件數"], [[row["label"], row["count"]] for row in figures.by_state]),
        (
            "各審查階段通過率",
            ["審查階段", "判定件數", "通過件數", "通過率(%)"],
            [[row["label"], row["decided"], row["passed"], _number(row["rate"])] for row in figures.rounds],
        ),
        (
            "審查天數",
            ["期間", "件數", "中位數(天)", "第90百分位數(天)"],
            [[row["label"], row["count"], _number(row["median"]), _number(row["p90"])] for row in figures.turnaround],
        ),
        (
            "委員審查負擔",
            ["委員", "審查中", "已送出", f"逾期（分發逾{figures.review_due_days}天未送出）"],
            [[row["label"], row["open"], row["submitted"], row["overdue"]] for row in figures.reviewers],
        ),
        (
            "證書查驗",
            ["查驗結果", "QR code 連結", "證號及姓名", "合計"],
            [[row["label"], row["by_code"], row["by_number"], row["total"]] for row in figures.verifications],
        ),
    ]


@roles_required(*OFFICE)
@require_safe
def export(request):
    """The page's figures, with the same filters, one sheet per table."""
    filters = _filter_form(request).filters()
    figures = statistics.figures(request.user, filters)
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets(figures):
        sheet = workbook.create_sheet(title)
        sheet.column_dimensions["A"].width = 30
        sheet.append([_text(sheet, text) for text in header])
        for label, *numbers in rows:
            sheet.append([_text(sheet, label), *numbers])
    sheet = workbook.create_sheet("說明")
    sheet.append([_text(sheet, statistics.PERCENTILE_NOTE)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    year = f"{filters.academic_year}學年度" if filters.academic_year else "全部學年度"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"統計_{year}.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response
