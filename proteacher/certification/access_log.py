"""Who other than the teacher looked at the teacher's forms and files: every page that prints a
form of a case or serves one of its files (the slots' print views and PDFs, each round's frozen
submission, the 申復表 and its PDF) to anyone but the case's teacher writes a form.view or
file.view entry: who, when, from where, which case and which form. 個人資料保護法 asks who
accessed personal data; the teacher reads the answer on 檢視紀錄, 管理者 on 稽核紀錄.

The teacher's own looks are not recorded: they are their own data. An entry is written on its
own (a look changes nothing to roll back), one INSERT, nothing read.
"""

from proteacher.accounts.models import Role
from proteacher.audit.log import record
from proteacher.certification.models import Case


def looked_at(request, case: Case, title: str, *, file: bool = False, **data) -> None:
    """`request.user` was shown `title` (a form's title) of `case`: its content (`file`=False) or
    a stored file; `data` says which (the slot, the submission, the file's name)."""
    user = request.user
    if user.pk == case.teacher_id:
        return
    if user.role == Role.COUNTY and user.county_id is not None:
        # The teacher is told which county's officer looked (檢視紀錄), as it was then.
        data["county"] = user.county_id
    action = "file.view" if file else "form.view"
    record(action, request=request, subject=case.teacher_id, case=case.pk, target=title, data=data)
