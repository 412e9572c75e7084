"""學校承辦人: the grant that lets a teacher account act for one school, given and taken back by
the 縣市 of the school's county (or 管理者), and who holds one.

A grant goes to a teacher whose profile school (from SSO) is that school: the person who reads a
school's 認證總表 and fills its 推薦表 works there. A teacher who moves school loses nothing by
themselves; the county revokes the grant on the same page.

Each grant and revoke writes its audit entry in its own transaction and keeps the holder's
`User.live_school_grants` (the menu's 學校專區 link) with it.
"""

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from proteacher.accounts.models import Role, SchoolOfficer, User
from proteacher.audit.log import record
from proteacher.errors import DomainError
from proteacher.registry.models import School

NOT_YOUR_SCHOOL = "只能為所屬縣市的學校授權學校承辦人。"
NO_SUCH_TEACHER = "在「{school}」找不到「{query}」這位教師，請輸入該校教師的姓名或全教網帳號。"
SEVERAL_TEACHERS = "「{school}」有多位名為「{query}」的教師，請改輸入全教網帳號。"
ALREADY = "「{teacher}」已是「{school}」的學校承辦人。"
GONE = "此授權已撤銷或不存在，請重新整理頁面。"


def grantable_schools(viewer: User) -> QuerySet[School]:
    """The schools whose 學校承辦人 the viewer manages: 管理者 every school, 縣市 its county's."""
    schools = School.objects.select_related("county")
    if viewer.role == Role.ADMIN:
        return schools
    if viewer.role == Role.COUNTY and viewer.county_id is not None:
        return schools.filter(county_id=viewer.county_id)
    return schools.none()


def grants_visible_to(viewer: User) -> QuerySet[SchoolOfficer]:
    """The live grants of the schools the viewer manages, by school."""
    grants = SchoolOfficer.objects.filter(revoked_at__isnull=True).select_related("user", "school", "granted_by")
    if viewer.role == Role.ADMIN:
        return grants
    if viewer.role == Role.COUNTY and viewer.county_id is not None:
        return grants.filter(school__county_id=viewer.county_id)
    return grants.none()


def school_officers_of(school: School | int) -> QuerySet[User]:
    """The accounts that hold a live grant for the school: who is told about the school's open
    deadlines (the reminders' hook) and who may act for it."""
    return User.objects.filter(
        role=Role.TEACHER,
        is_active=True,
        school_grants__school=school,
        school_grants__revoked_at__isnull=True,
    ).distinct()


def live_schools_of(user: User) -> QuerySet[School]:
    """The schools a user acts for now (none for anyone but a teacher with a live grant)."""
    if not user.is_authenticated or user.role != Role.TEACHER:
        return School.objects.none()
    grants = SchoolOfficer.objects.filter(user=user, revoked_at__isnull=True)
    return School.objects.filter(pk__in=grants.values("school_id")).select_related("county").order_by("code")


def holds_grant(user: User, school: School | int) -> bool:
    return live_schools_of(user).filter(pk=getattr(school, "pk", school)).exists()


def find_teacher(school: School, query: str) -> User:
    """The school's teacher named by name or by in-service account (the teacher's profile school
    is the school; the account wins over a name)."""
    query = query.strip()
    teachers = User.objects.filter(role=Role.TEACHER, is_active=True, profile__school=school)
    found = list(teachers.filter(inservice_account=query)[:1]) or list(teachers.filter(name=query)[:2])
    if not query or not found:
        raise DomainError(NO_SUCH_TEACHER.format(school=school.name, query=query))
    if len(found) > 1:
        raise DomainError(SEVERAL_TEACHERS.format(school=school.name, query=query))
    return found[0]


def grant(viewer: User, school: School, teacher_query: str) -> SchoolOfficer:
    """Make a teacher of the school its 學校承辦人."""
    if not grantable_schools(viewer).filter(pk=school.pk).exists():
        raise DomainError(NOT_YOUR_SCHOOL)
    teacher = find_teacher(school, teacher_query)
    with transaction.atomic():
        # The teacher's row, locked: two grants at once cannot both see "none yet".
        User.objects.select_for_update().filter(pk=teacher.pk).first()
        if SchoolOfficer.objects.filter(user=teacher, school=school, revoked_at__isnull=True).exists():
            raise DomainError(ALREADY.format(teacher=teacher.name, school=school.name))
        officer = SchoolOfficer.objects.create(user=teacher, school=school, granted_by=viewer)
        User.objects.filter(pk=teacher.pk).update(live_school_grants=F("live_school_grants") + 1)
        record(
            "school_officer.grant",
            actor=viewer,
            subject=teacher,
            target=f"{school.name} {teacher.name}",
            data={"school": school.code, "grant": officer.pk},
        )
    return officer


def revoke(viewer: User, grant_pk: int) -> SchoolOfficer:
    """Take a live grant back (the row stays, with who and when)."""
    with transaction.atomic():
        officer = (
            grants_visible_to(viewer).select_for_update(of=("self",)).filter(pk=grant_pk).first() if grant_pk else None
        )
        if officer is None:
            raise DomainError(GONE)
        officer.revoked_at = timezone.now()
        officer.revoked_by = viewer
        officer.save(update_fields=["revoked_at", "revoked_by"])
        User.objects.filter(pk=officer.user_id, live_school_grants__gt=0).update(
            live_school_grants=F("live_school_grants") - 1
        )
        record(
            "school_officer.revoke",
            actor=viewer,
            subject=officer.user_id,
            target=f"{officer.school.name} {officer.user.name}",
            data={"school": officer.school.code, "grant": officer.pk},
        )
    return officer
