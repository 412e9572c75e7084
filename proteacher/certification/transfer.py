"""資料轉移 (教師驗證 step 2): the old system's certificates of a teacher become the teacher's
certificates here (個人資訊 → 認證證號), or the teacher declines them; either answer completes
教師驗證.

The old system's rows are master data (registry.OldCertificate, matched by the SSO account); a
certificate held is this app's (Certificate), so the import lives here and accounts only records
that the teacher is verified.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db import transaction

from proteacher.accounts import verification
from proteacher.accounts.models import User
from proteacher.accounts.verification import Decision, VerificationError
from proteacher.audit.log import record
from proteacher.certification import certificates
from proteacher.certification.models import Certificate, CertificationType
from proteacher.registry.models import OldCertificate

# Old-system dates are calendar days in Taiwan, whatever TIME_ZONE a deployment runs with.
TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")


def old_certificates(user: User) -> list[OldCertificate]:
    """What the old system recorded for this teacher, matched by the SSO account."""
    if not user.inservice_account:
        return []
    return list(OldCertificate.objects.filter(inservice_account=user.inservice_account).order_by("academic_year", "id"))


def _issued_at(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=TAIPEI)


def _valid_through(issued_at: datetime.datetime | None, kind: CertificationType) -> datetime.date | None:
    """An old certificate's end date by its type's 有效年限, from the day the old system issued it;
    none without that day (renewing one then needs 管理者, as 換證's rule says)."""
    return certificates.valid_through(issued_at, kind.validity_years) if issued_at else None


@dataclass
class TransferResult:
    decision: str
    # Certificates created now, and rows matched to a certificate (created now or already there).
    imported: int = 0
    matched: int = 0
    # Rows whose 證號類別 names no known certificate kind; the working group corrects them.
    unknown: list[OldCertificate] = field(default_factory=list)
    already_done: bool = False

    @property
    def has_certificates(self) -> bool:
        return self.decision == Decision.IMPORT and (self.matched > 0 or self.already_done)


def complete_transfer(user: User, decision: str) -> TransferResult:
    """Finish 教師驗證: import the old certificates (or not) and mark the teacher verified.

    Safe to run twice (a double click on 匯入): the second run finds the teacher verified and
    changes nothing, and certificates are matched before being created.
    """
    with transaction.atomic():
        profile = verification.lock_profile(user)
        if profile.verified_at is not None:
            return TransferResult(decision=profile.old_data_decision, already_done=True)
        verification.require_email_proven(profile)

        rows = old_certificates(user)
        if not rows:
            decision = Decision.NONE
        elif decision not in (Decision.IMPORT, Decision.DECLINE):
            # Rows appeared after the page was shown, or the request is malformed: ask again.
            raise VerificationError("請確認舊系統的認證證號後，選擇匯入或不匯入。", code="decision_needed")

        result = TransferResult(decision=decision)
        if decision == Decision.IMPORT:
            # The old system's 證號類別 is a type's short name as it wrote it (初階認證 …).
            types = {kind.short_name: kind for kind in CertificationType.objects.all()}
            for row in rows:
                kind = types.get(row.kind.strip())
                if kind is None:
                    result.unknown.append(row)
                    continue
                issued_at = _issued_at(row.obtained_on)
                _, created = Certificate.objects.get_or_create(
                    teacher=user,
                    source=Certificate.Source.OLD_SYSTEM,
                    certification_type=kind,
                    academic_year=row.academic_year,
                    number=row.number,
                    defaults={"issued_at": issued_at, "expires_on": _valid_through(issued_at, kind)},
                )
                result.imported += int(created)
                result.matched += 1

        verification.mark_verified(profile, decision)
        counts = {"decision": decision, "imported": result.imported, "matched": result.matched}
        record("profile.change", actor=user, subject=user, target="資料轉移（認證證號）", data=counts)
    return result
