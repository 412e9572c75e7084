"""Small factory functions for tests and demo data; each returns a saved object."""

import datetime
import itertools

from django.utils import timezone

from proteacher.accounts.models import Role, TeacherProfile, User
from proteacher.registry.counties import COUNTIES
from proteacher.registry.models import County, School, TitleCode

PASSWORD = "Demo-pass-2026"
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
