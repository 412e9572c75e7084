"""Certificate numbers, handed out as the "issue" row of the workflow moves a case to 已發證.

A certificate number is `{縣市簡稱}證號第{類別字母}{學年度 3 位}{流水號 6 位}號` (臺北證號第B108000013號),
counted per county, type and academic year. The serial is taken inside the "issue" transition
(numbering is its effect), with the counter row locked, so a number exists exactly when the case
is 已發證: a refused or failed issue rolls its number back with everything else and the next case
gets it, which keeps the numbers gap-free. A number once committed is never handed out again (the
counter only goes up, and Certificate's unique constraint stands behind it).
"""

from proteacher.certification.models import Certificate, CertificateSerial, TrainingCertificate
from proteacher.errors import DomainError


def certificate_number(county_short_name: str, letter: str, academic_year: int, serial: int) -> str:
    """臺北證號第B108000013號 for 臺北, B, 108 and 13."""
    return f"{county_short_name}證號第{letter}{academic_year:03d}{serial:06d}號"


def training_certificate_title(certification_type) -> str:
    return f"{certification_type.training_name}培訓 數位研習證明"


def number_certificate(change) -> None:
    """issue: the next serial of the case's county, type and year, the certificate and the
    數位研習證明, inside the transition's transaction (the case row is already locked)."""
    case = change.case
    if case.county_id is None:
        raise DomainError("此申請沒有所屬縣市，無法編列證號。")
    kind = case.certification_type
    # The counter row is the lock that orders concurrent issuers of one county, type and year.
    # get_or_create copes with two first issuers at once: the loser's INSERT waits for the
    # winner's commit, fails on the unique constraint, and the FOR UPDATE read then finds the row.
    counter, _ = CertificateSerial.objects.select_for_update().get_or_create(
        county_id=case.county_id, certification_type=kind, academic_year=case.academic_year
    )
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    number = certificate_number(
        case.county.short_name, kind.certificate_letter, case.academic_year, counter.last_serial
    )
    Certificate.objects.create(
        teacher_id=case.teacher_id,
        certification_type=kind,
        academic_year=case.academic_year,
        number=number,
        issued_at=change.at,
        source=Certificate.Source.ISSUED,
        case=case,
        county_id=case.county_id,
        serial=counter.last_serial,
    )
    TrainingCertificate.objects.create(
        teacher_id=case.teacher_id, case=case, title=training_certificate_title(kind), issued_at=change.at
    )
    # Recorded on the event (its extra) with the change it belongs to.
    change.data["certificate_number"] = number
