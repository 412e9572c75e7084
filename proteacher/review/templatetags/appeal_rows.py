"""The 申覆文件 row that 流程進度 shows on a failed case while 申復 is open (the seed's 編輯表單列表:
申覆文件 · 認證審查結果申復表 · 新增). The case page is certification's; the 申復表 is review's, so
the page includes the row through this tag."""

from django import template

from proteacher.certification import workflow
from proteacher.review import appeals

register = template.Library()


@register.inclusion_tag("review/appeal_row.html")
def appeal_row(case, user):
    if case.teacher_id != user.pk or case.state not in workflow.APPEALABLE_STATES:
        return {"shown": False}
    if workflow.unavailable_reason(case, "appeal", user):
        return {"shown": False}
    draft = appeals.draft_of(case)
    if draft is None:
        status = "未填寫"
    else:
        status = "已完成" if draft.is_complete else "尚未完成"
    return {"shown": True, "case": case, "draft": draft, "status": status, "title": appeals.appeal_template().title}
