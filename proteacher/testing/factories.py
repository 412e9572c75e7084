"""Small factory functions for tests and demo data; each returns a saved object."""

import datetime
import itertools

from django.utils import timezone

from proteacher.accounts.demo_identities import DEMO_PASSWORD
from proteacher.accounts.models import Role, TeacherProfile, User
from proteacher.registry.counties import COUNTIES
from proteacher.registry.models import County, School, TitleCode

PASSWORD = DEMO_PASSWORD
_school_codes = itertools.count(900001)


def county(name: str) -> County:
    # The counties come from a data migration, but tests on a flushed database
    # (browser tests with live_server) start without them.
    found = County.objects.filter(name=name).first()
    if found:
        return found
    order, (code, _, short_name) = next((i, c) for i, c in enumerate(COUNTIES, start=1) if c[1] == name)
    return County.objects.create(code=code, name=name, short_name=short_name, sort_order=order)


def title_code(code: str = "8", name: str = "專任教師", formal: bool = True) -> TitleCode:
    return TitleCode.objects.get_or_create(code=code, defaults={"name": name, "is_formal_teacher": formal})[0]


def school(name: str | None = None, county_name: str = "臺北市", code: str | None = None) -> School:
    place = county(county_name)
    name = name or f"{county_name[:2]}市立測試國小"
    existing = School.objects.filter(name=name, county=place).first()
    if existing:
        return existing
    return School.objects.create(code=code or str(next(_school_codes)), name=name, county=place)


def teacher(
    name: str = "黃測試",
    account: str = "t-huang",
    county_name: str = "臺北市",
    verified: bool = True,
    school_name: str | None = None,
    formal_since: datetime.date | None = datetime.date(2015, 8, 1),
    teaching_years: int = 10,
    email: str | None = None,
) -> User:
    place = county(county_name)
    user = User.objects.create(
        username=f"sso:{account}",
        role=Role.TEACHER,
        name=name,
        inservice_account=account,
        county=place,
        email=email or f"{account}@school.example.tw",
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    where = school(school_name, county_name)
    now = timezone.now()
    TeacherProfile.objects.create(
        user=user,
        school=where,
        school_name=where.name,
        county_name=place.name,
        title_code=title_code(),
        title_code_value="8",
        phone="02-12345678",
        levels=["國小"],
        domains=["語文"],
        formal_since=formal_since,
        teaching_years=teaching_years,
        email_verified_at=now if verified else None,
        verified_at=now if verified else None,
        old_data_decision="none" if verified else "",
    )
    return user


def staff(username: str, role: str, county_name: str | None = None, name: str = "", password: str = PASSWORD) -> User:
    user = User(username=username, role=role, name=name or username, email=f"{username}@proteacher.example.tw")
    if county_name:
        user.county = county(county_name)
    user.set_password(password)
    user.save()
    return user


# --- Certification: types, eligible teachers, cases and their answers ---------------------------


def certification_types() -> None:
    """The shipped types, slots, rules and routes (data migrations load them; a flushed database lacks them)."""
    from proteacher.certification import defaults
    from proteacher.certification.models import ApplicationRoute, CertificationType, FormSlot, RuleSet

    defaults.install(CertificationType, FormSlot, RuleSet)
    defaults.install_routes(CertificationType, ApplicationRoute)


def certificate(user: User, kind: str = "basic", academic_year: int = 104, number: str = "A104000811"):
    from proteacher.certification.models import Certificate, CertificationType

    certification_types()
    return Certificate.objects.create(
        teacher=user,
        certification_type=CertificationType.objects.get(code=kind),
        academic_year=academic_year,
        number=number,
        source=Certificate.Source.OLD_SYSTEM,
    )


def issued_certificate(user: User, kind: str = "advanced", academic_year: int = 115, serial: int = 1, **values):
    """A certificate issued here without its case (臺北證號第B115000001號), issued 2026-12-05."""
    from proteacher.certification.certificates import certificate_number
    from proteacher.certification.models import Certificate, CertificationType

    certification_types()
    kind_row = CertificationType.objects.get(code=kind)
    values.setdefault("issued_at", datetime.datetime(2026, 12, 5, 10, 0, tzinfo=datetime.UTC))
    return Certificate.objects.create(
        teacher=user,
        certification_type=kind_row,
        academic_year=academic_year,
        number=certificate_number("臺北", kind_row.certificate_letter, academic_year, serial),
        source=Certificate.Source.ISSUED,
        **values,
    )


def training(user: User, category: str, hours: str, completed_on: datetime.date, course: str = ""):
    from proteacher.dates import academic_year
    from proteacher.registry.models import TrainingRecord

    return TrainingRecord.objects.create(
        inservice_account=user.inservice_account,
        course=course or f"{category} {completed_on.isoformat()}",
        category=category,
        hours=hours,
        completed_on=completed_on,
        academic_year=academic_year(completed_on),
    )


def advanced_candidate(name: str = "張進階", account: str = "t-advanced", county_name: str = "臺北市") -> User:
    """A teacher every 進階 rule passes for: formal since 2015, 10 years, a 初階 certificate and
    18 hours of 進階 training (12 in the previous academic year, 6 in the current one)."""
    from proteacher.dates import academic_year_bounds, current_academic_year, today

    user = teacher(name=name, account=account, county_name=county_name)
    certificate(user, "basic", 104, "A104000811")
    year = current_academic_year()
    previous_start, _ = academic_year_bounds(year - 1)
    current_start, _ = academic_year_bounds(year)
    training(user, "advanced", "6", previous_start + datetime.timedelta(days=80), "進階專業回饋人才培訓 2-1")
    training(user, "advanced", "6", previous_start + datetime.timedelta(days=81), "進階專業回饋人才培訓 2-2")
    training(user, "advanced_practice", "6", min(today(), current_start + datetime.timedelta(days=30)), "2-4 實務探討")
    return user


def case(user: User, type_code: str = "advanced", academic_year: int | None = None):
    """A case in 準備資料, opened the only way cases are opened."""
    from proteacher.certification import workflow
    from proteacher.certification.models import CertificationType
    from proteacher.dates import current_academic_year

    certification_types()  # a database emptied by an earlier transactional test lacks them
    kind = CertificationType.objects.get(code=type_code)
    year = academic_year or current_academic_year()
    return workflow.open_case(user, kind, year, {"result": "pass", "made_by": "factories.case"})


def pdf_bytes(pages: int = 1) -> bytes:
    """A small, real, readable PDF."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def answer(
    case,
    slot_code: str,
    template_code: str | None = None,
    complete: bool = True,
    data: dict | None = None,
    upload: bool | None = None,
    file_name: str = "",
):
    """A slot's answer as a saved form leaves it: an online form's data, or an uploaded PDF.

    Written directly (not through certification.answers.save_answer) so that tests can prepare
    answers on cases in any state; `upload` defaults to the template's kind in the catalogue.
    """
    from django.core.files.base import ContentFile

    from proteacher.certification.models import FormSlot, SlotAnswer
    from proteacher.documents.catalogue import UnknownTemplate, get_template

    slot = FormSlot.objects.get(certification_type_id=case.certification_type_id, code=slot_code)
    code = template_code or slot.template_codes[0]
    try:
        template = get_template(code)
        version, is_upload = template.version, template.is_upload
    except UnknownTemplate:
        version, is_upload = 1, False
    if upload is not None:
        is_upload = upload
    # As a save leaves it: the slot's earlier answer with another template is set aside.
    SlotAnswer.objects.filter(case=case, slot_code=slot_code).exclude(template_code=code).update(in_use=False)
    SlotAnswer.objects.filter(case=case, slot_code=slot_code, template_code=code).delete()
    found = SlotAnswer(
        case=case,
        slot_code=slot_code,
        template_code=code,
        template_version=version,
        data=data if data is not None else ({} if is_upload else {"filled_by": "factories.answer"}),
        is_complete=complete,
        revision=1,
    )
    if is_upload and complete:
        found.file_name = file_name or f"{slot_code}.pdf"
        found.file.save(found.file_name, ContentFile(pdf_bytes()), save=False)
    found.save()
    return found


def fill_every_slot(case) -> list:
    """A complete answer in every slot of the case's type (each slot's first template)."""
    from proteacher.certification.models import FormSlot

    slots = FormSlot.objects.filter(certification_type_id=case.certification_type_id)
    return [answer(case, slot.code) for slot in slots]
