"""期程設定: saving a type's period (CertificationPeriod) for an academic year, nationally (管理者)
or as one county's override (縣市 of that county, 管理者). certification.deadlines reads them.

A county row overrides the national one field by field: a field it leaves blank is the national
one's. Each save writes its audit entry (期程設定變更: which fields, from what to what) in its
transaction; a save that changed nothing records nothing.
"""

import datetime

from django.db import IntegrityError, transaction

from proteacher.audit.log import record
from proteacher.certification.deadlines import PERIOD_FIELDS, Period, format_deadline
from proteacher.certification.models import CertificationPeriod, CertificationType
from proteacher.errors import DomainError

CLOSES_BEFORE_OPENS = "申請截止須晚於申請開始。"
SAVED_MEANWHILE = "另一位使用者剛儲存了此期程，請重新整理後再試。"


def period_row(certification_type: CertificationType, year: int, county=None) -> CertificationPeriod | None:
    return CertificationPeriod.objects.filter(
        certification_type=certification_type, academic_year=year, county=county
    ).first()


def values_of(row: CertificationPeriod | None) -> Period:
    return Period(**{name: getattr(row, name) for name in PERIOD_FIELDS}) if row else Period()


def _shown(value) -> str | int | None:
    return format_deadline(value) if isinstance(value, datetime.datetime) else value


def save_period(
    certification_type: CertificationType, year: int, county, values: dict, *, actor
) -> CertificationPeriod:
    """Set the period of a type and year (`county` None: the national default) to `values` (every
    field of deadlines.Period; None: not set here)."""
    unknown = set(values) - set(PERIOD_FIELDS)
    if unknown:
        raise TypeError(f"not a period field: {', '.join(sorted(unknown))}")
    opens, closes = values.get("apply_opens_at"), values.get("apply_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        raise DomainError(CLOSES_BEFORE_OPENS)
    try:
        with transaction.atomic():
            # No ordering: the model's orders by county, a join FOR UPDATE cannot take.
            row = (
                CertificationPeriod.objects.select_for_update()
                .filter(certification_type=certification_type, academic_year=year, county=county)
                .order_by()
                .first()
            )
            if row is None:
                row = CertificationPeriod(certification_type=certification_type, academic_year=year, county=county)
            changed = {
                name: [_shown(getattr(row, name)), _shown(value)]
                for name, value in values.items()
                if getattr(row, name) != value
            }
            if not changed and row.pk:
                return row
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_by = actor
            row.save()
            record(
                "settings.period",
                actor=actor,
                target=f"期程設定：{certification_type.name} {year}學年度 {county.name if county else '全國'}",
                data={
                    "type": certification_type.code,
                    "academic_year": year,
                    "county": county.code if county else None,
                    "changed": changed,
                },
            )
    except IntegrityError:
        # Two first saves of the same period at once: the unique constraint let one through.
        raise DomainError(SAVED_MEANWHILE) from None
    return row
