"""Certificate numbers, handed out as the "issue" row of the workflow moves a case to 已發證.

A certificate number is `{縣市簡稱}證號第{類別字母}{學年度 3 位}{流水號 6 位}號` (臺北證號第B108000013號),
counted per county, type and academic year. The serial is taken inside the "issue" transition
(numbering is its effect; a chunk of a batch takes its serials together, the counter raised once
by the chunk's count), with the counter row locked, so a number exists exactly when the case
is 已發證: a refused or failed issue rolls its number back with everything else and the next case
gets it, which keeps the numbers gap-free. A number once committed is never handed out again (the
counter only goes up, and Certificate's unique constraint stands behind it).
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from proteacher.certification.models import Certificate, CertificateSerial, TrainingCertificate
from proteacher.dates import add_months
from proteacher.errors import DomainError


def certificate_number(county_short_name: str, letter: str, academic_year: int, serial: int) -> str:
    """臺北證號第B108000013號 for 臺北, B, 108 and 13."""
    return f"{county_short_name}證號第{letter}{academic_year:03d}{serial:06d}號"


def training_certificate_title(certification_type) -> str:
    return f"{certification_type.training_name}培訓 數位研習證明"


NO_COUNTY = "此申請沒有所屬縣市，無法編列證號。"


def valid_through(issued: datetime.datetime, validity_years: int | None) -> datetime.date | None:
    """The last day a certificate issued at `issued` is valid (Certificate.expires_on): the day
    before the anniversary of its issue day in Asia/Taipei, `validity_years` later, so 10 years
    from 2026-12-05 is through 2036-12-04. When that year has no such day (issued on 29 February),
    through the month's last day, as the Civil Code (民法第121條) ends a period of years. None
    for a type without a validity."""
    if not validity_years:
        return None
    issue_day = timezone.localdate(issued)
    anniversary = add_months(issue_day, 12 * validity_years)
    if anniversary.day != issue_day.day:
        return anniversary  # 29 February → 28 February: that month's last day
    return anniversary - datetime.timedelta(days=1)


def number_certificate(change) -> None:
    """issue: the next serial of the case's county, type and year, the certificate and the
    數位研習證明, inside the transition's transaction (the case row is already locked)."""
    refused = number_certificates([change])
    if refused:
        raise DomainError(refused[change.case.pk])


def number_certificates(changes: list) -> dict[int, str]:
    """issue for the cases of one transaction (the workflow's set form of number_certificate):
    each county, type and year's counter locked once and raised by its count of cases, the serials
    handed out in the order of `changes`, then the certificates and the 數位研習證明 in one INSERT
    each. Returns the refused {case id: message}; nothing is written for those."""
    refused: dict[int, str] = {}
    groups: dict[tuple[int, int, int], list] = {}
    for change in changes:
        case = change.case
        if case.county_id is None:
            refused[case.pk] = NO_COUNTY
            continue
        # A renewal (換證) case gives a certificate of the type it renews: its letter, numbers, validity.
        kind = case.certification_type.certificate_type
        groups.setdefault((case.county_id, kind.pk, case.academic_year), []).append(change)
    if not groups:
        return refused
    counters = _locked_counters(list(groups))
    certificates, trainings = [], []
    for key, group in groups.items():
        counter = counters[key]
        for change in group:
            case = change.case
            kind = case.certification_type.certificate_type
            counter.last_serial += 1
            number = certificate_number(
                case.county.short_name, kind.certificate_letter, case.academic_year, counter.last_serial
            )
            certificates.append(
                Certificate(
                    teacher_id=case.teacher_id,
                    certification_type=kind,
                    academic_year=case.academic_year,
                    number=number,
                    issued_at=change.at,
                    source=Certificate.Source.ISSUED,
                    case=case,
                    county_id=case.county_id,
                    serial=counter.last_serial,
                    expires_on=valid_through(change.at, kind.validity_years),
                )
            )
            trainings.append(
                TrainingCertificate(
                    teacher_id=case.teacher_id,
                    case=case,
                    title=training_certificate_title(case.certification_type),
                    issued_at=change.at,
                )
            )
            # Recorded on the event (its extra) with the change it belongs to.
            change.data["certificate_number"] = number
    CertificateSerial.objects.bulk_update(sorted(counters.values(), key=lambda c: c.pk), ["last_serial"])
    Certificate.objects.bulk_create(certificates)
    TrainingCertificate.objects.bulk_create(trainings)
    return refused


number_certificate.for_many = number_certificates


def _locked_counters(keys: list[tuple[int, int, int]]) -> dict[tuple[int, int, int], CertificateSerial]:
    """The counter rows of (county, type, year) keys, locked in id order (so two issuers of the same
    counters never wait for each other in a circle). A missing row is inserted first: of two first
    issuers at once, the loser's INSERT … ON CONFLICT DO NOTHING waits for the winner's commit and
    its read then finds the row."""
    wanted = Q()
    for county_id, type_id, year in keys:
        wanted |= Q(county_id=county_id, certification_type_id=type_id, academic_year=year)

    def locked() -> dict:
        rows = CertificateSerial.objects.select_for_update().filter(wanted).order_by("pk")
        return {(row.county_id, row.certification_type_id, row.academic_year): row for row in rows}

    found = locked()
    missing = sorted(key for key in keys if key not in found)
    if missing:
        CertificateSerial.objects.bulk_create(
            (
                CertificateSerial(county_id=county_id, certification_type_id=type_id, academic_year=year)
                for county_id, type_id, year in missing
            ),
            ignore_conflicts=True,
        )
        found = locked()
    return found
