"""撤銷證書 and 恢復證書: 管理者 withdraws an issued certificate with a reason category and a 原因訊息,
or restores it. Each is a workflow row (table.py: "revoke" 已發證 → 已撤銷, "restore" back), so it
is a CaseEvent with its actor, an audit entry and a 訊息通知 to the teacher; the effects below set or
clear the certificate's revocation in the same transaction, so the public verification page says
已撤銷 (or 有效 again) the moment the change commits."""

from proteacher.certification.models import Certificate
from proteacher.errors import DomainError

CATEGORIES = Certificate.RevocationCategory
NO_CATEGORY = "請選擇撤銷原因類別。"
NO_CERTIFICATE = "此申請沒有證書，無法撤銷或恢復。"


def category_given(change) -> None:
    """revoke: one of the reason categories (資料不實, 重複核發, 行政錯誤, 其他)."""
    if change.data.get("category") not in CATEGORIES.values:
        raise DomainError(NO_CATEGORY)


def _certificate_of(change) -> Certificate:
    certificate = Certificate.objects.select_for_update().filter(case=change.case).first()
    if certificate is None:
        raise DomainError(NO_CERTIFICATE)
    return certificate


def mark_revoked(change) -> None:
    certificate = _certificate_of(change)
    certificate.revoked_at = change.at
    certificate.revoked_by = change.actor
    certificate.revocation_category = change.data["category"]
    certificate.revocation_reason = change.reason  # begins with the category (certificate_services.revoke)
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_category", "revocation_reason"])
    # On the event (its extra): which certificate, and the category as 管理者 read it.
    change.data["certificate_number"] = certificate.number
    change.data["category_label"] = CATEGORIES(change.data["category"]).label


def mark_restored(change) -> None:
    certificate = _certificate_of(change)
    certificate.revoked_at = None
    certificate.revoked_by = None
    certificate.revocation_category = ""
    certificate.revocation_reason = ""
    certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_category", "revocation_reason"])
    change.data["certificate_number"] = certificate.number
