"""Who may see which people. Every list of teachers or accounts is built from here."""

from django.db.models import QuerySet

from proteacher.accounts.models import Role, User


def teachers_visible_to(viewer: User) -> QuerySet[User]:
    """Teachers a signed-in user may list: 管理者 all, 縣市 their own county's, others none."""
    teachers = User.objects.filter(role=Role.TEACHER).select_related("profile", "profile__school", "county")
    if viewer.role == Role.ADMIN:
        return teachers
    if viewer.role == Role.COUNTY and viewer.county_id is not None:
        return teachers.filter(county_id=viewer.county_id)
    return teachers.none()


def staff_visible_to(viewer: User) -> QuerySet[User]:
    """Staff accounts a user may list: only 管理者 manages them."""
    if viewer.role == Role.ADMIN:
        return User.objects.exclude(role=Role.TEACHER).select_related("county").order_by("role", "username")
    return User.objects.none()
