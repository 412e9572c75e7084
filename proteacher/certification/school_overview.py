"""The school's 認證總表 (a 學校承辦人's page) and its .xlsx export: the school's teachers' cases
with type, 學年度, 狀態 and dates, and nothing of the review (no reviewer's name, no form's
content; the 推薦表's state for the types the school recommends).

The rows come from certification.selectors.school_cases. `deadline_of` is the one place that
says which date a case must meet next: today the 申復 window; the deadlines of the periods
(申請, 修正後複審) plug in there and show in the page's and the export's 期限 column.
"""

import io
from dataclasses import dataclass

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from proteacher.audit.log import record
from proteacher.certification import deadlines, workflow
from proteacher.certification.models import Case
from proteacher.certification.selectors import school_cases, school_slot_states
from proteacher.registry.models import School

HEADER = ["教師", "認證類別", "學年度", "狀態", "申請日", "送出日", "最後更新", "期限", "學校推薦表"]


@dataclass
class Row:
    case: Case
    state: str
    applied_on: str
    sent_on: str
    updated_at: str
    deadline: str
    recommendation: str


def deadline_of(case: Case, closes: dict | None = None):
    """The next date the case must meet, or None: 送出審查文件 (申請截止, or an extension), the
    修正期限, or the 申復 window while it is open. `closes` keeps the periods' 申請截止 already read
    (one read per type, year and county for a page of rows)."""
    if case.state in workflow.APPEALABLE_STATES and case.appeal_deadline is not None:
        return case.appeal_deadline
    if case.state == workflow.State.PREPARING and case.action_deadline is None:
        closes = {} if closes is None else closes
        key = (case.certification_type_id, case.academic_year, case.county_id)
        if key not in closes:
            closes[key] = deadlines.period_for(*key).apply_closes_at
        return closes[key]
    return case.action_deadline


def _day(moment) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def _minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def rows(school: School, *, academic_year: int | None = None, type_code: str = "") -> list[Row]:
    cases = list(school_cases(school, academic_year=academic_year, type_code=type_code))
    recommendation = school_slot_states(cases)
    closes: dict = {}
    return [
        Row(
            case=case,
            state=workflow.label(case.state),
            applied_on=_day(case.created_at),
            sent_on=_day(case.first_sent_at),
            updated_at=_minute(case.updated_at),
            deadline=_minute(deadline_of(case, closes)),
            recommendation=recommendation.get(case.pk, ""),
        )
        for case in cases
    ]


def _text(sheet, value) -> WriteOnlyCell:
    # Always text: a name such as "=1+1" must not become a formula in the school's spreadsheet.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def export(officer, school: School, *, academic_year: int | None = None, type_code: str = "") -> bytes:
    """The page's rows as an Excel workbook (dates in ISO 8601, Asia/Taipei), with its audit entry."""
    found = rows(school, academic_year=academic_year, type_code=type_code)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("認證總表")
    for column, width in zip("ABCDEFGHI", (12, 24, 8, 16, 12, 12, 18, 18, 12), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([_text(sheet, title) for title in HEADER])
    for row in found:
        sheet.append(
            [
                _text(sheet, row.case.teacher.name),
                _text(sheet, row.case.certification_type.name),
                row.case.academic_year,
                _text(sheet, row.state),
                _text(sheet, row.applied_on),
                _text(sheet, row.sent_on),
                _text(sheet, row.updated_at),
                _text(sheet, row.deadline),
                _text(sheet, row.recommendation),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    record(
        "school.export",
        actor=officer,
        target=f"{school.name} 認證總表",
        data={"school": school.code, "academic_year": academic_year, "type": type_code, "rows": len(found)},
    )
    return buffer.getvalue()
