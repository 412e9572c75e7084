"""What the back office does with an issued certificate: 撤銷證書 and 恢復證書 (管理者), each one
workflow transition (certification.revocation holds their effects)."""

from proteacher.certification import workflow
from proteacher.certification.models import Case
from proteacher.certification.revocation import CATEGORIES


def revoke(case: Case, actor, category: str, reason: str, **shown) -> Case:
    """撤銷證書 with a reason category and a 原因訊息 (both required). The 原因訊息 the teacher
    reads and the event keeps begins with the category: 行政錯誤：…"""
    reason = reason.strip()
    if reason and category in CATEGORIES.values:
        reason = f"{CATEGORIES(category).label}：{reason}"
    return workflow.transition(case, "revoke", actor=actor, reason=reason, category=category, **shown)


def restore(case: Case, actor, reason: str, **shown) -> Case:
    """恢復證書 with a 原因訊息 (required): the certificate is valid again."""
    return workflow.transition(case, "restore", actor=actor, reason=reason, **shown)
