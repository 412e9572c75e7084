"""Teachers as the national in-service network (全教網) describes them at SSO roaming login.

The network sends an account (the OpenID Connect subject) and four claims: 姓名, 服務學校, 職稱代碼 and
學校所屬縣市. The real callback and the development identity page both come through here, so both
create and update teachers the same way.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login
from django.db import IntegrityError, transaction

from proteacher.accounts.models import Role, TeacherProfile, User
from proteacher.errors import DomainError
from proteacher.registry.models import County, School, TitleCode, normalize_place_name
from proteacher.text import clean_text, has_control_characters

# ModelBackend is named because SSO does not authenticate through a backend of its own.
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"

_STAFF_REFUSAL = "此全教網帳號已對應平臺的管理帳號，無法以帳號漫遊登入，請改用「縣市與管理者登入」。"


@dataclass(frozen=True)
class SsoIdentity:
    sub: str
    name: str
    school: str
    title_code: str
    county: str


def _claim(claims, name: str, max_length: int) -> str:
    """A claim as text that fits its column: the network may send numbers, nothing or too much
    (control characters are dropped; runs of spaces become one)."""
    value = claims.get(name) if claims else None
    if value is None or isinstance(value, dict | list):
        return ""
    return " ".join(clean_text(str(value)).split())[:max_length]


def identity_from_claims(sub, claims) -> SsoIdentity:
    """Read the claims under the names configured in settings (OIDC_CLAIM_*)."""
    profile_field = TeacherProfile._meta.get_field
    return SsoIdentity(
        sub=str(sub or "").strip(),
        name=_claim(claims, settings.OIDC_CLAIM_NAME, User._meta.get_field("name").max_length),
        school=_claim(claims, settings.OIDC_CLAIM_SCHOOL, profile_field("school_name").max_length),
        title_code=_claim(claims, settings.OIDC_CLAIM_TITLE_CODE, profile_field("title_code_value").max_length),
        county=_claim(claims, settings.OIDC_CLAIM_COUNTY, profile_field("county_name").max_length),
    )


def match_county(name: str) -> County | None:
    wanted = normalize_place_name(name)
    if not wanted:
        return None
    # Twenty-two rows: comparing normalised names here also forgives a 台 stored in master data.
    for county in County.objects.all():
        if normalize_place_name(county.name) == wanted:
            return county
    return None


def match_school(name: str, county: County | None) -> School | None:
    """The school of that name, in the claimed county if it has one; a name found in several
    other counties is ambiguous and stays unmatched rather than guessed."""
    wanted = normalize_place_name(name)
    if not wanted:
        return None
    candidates = list(School.objects.filter(normalized_name=wanted).select_related("county")[:50])
    if county is not None:
        in_county = [school for school in candidates if school.county_id == county.pk]
        if in_county:
            return in_county[0]
    return candidates[0] if len(candidates) == 1 else None


def match_title_code(code: str) -> TitleCode | None:
    if not code:
        return None
    return TitleCode.objects.filter(code=code).first()


def teacher_from_claims(sub, claims) -> User:
    """Create the teacher on first login, refresh name, school, county and title code later.

    Values that match no master data are kept as sent, with the link left empty, so that
    管理者 can see and correct them; they never stop a teacher from signing in.
    """
    identity = identity_from_claims(sub, claims)
    if not identity.sub:
        raise DomainError("全國教師在職進修資訊網未提供帳號資料，無法登入，請重新登入。")
    too_long = len(identity.sub) > User._meta.get_field("inservice_account").max_length
    if too_long or has_control_characters(identity.sub):
        raise DomainError("全國教師在職進修資訊網帳號格式不符，無法登入，請聯繫教師專業發展支持作業平臺工作小組。")

    county = match_county(identity.county)
    school = match_school(identity.school, county)
    title_code = match_title_code(identity.title_code)

    try:
        with transaction.atomic():
            return _save_teacher(identity, county, school, title_code)
    except IntegrityError:
        # Two first logins of the same account raced; the other one created the row, so update it.
        with transaction.atomic():
            return _save_teacher(identity, county, school, title_code)


def _save_teacher(identity: SsoIdentity, county, school, title_code) -> User:
    user = User.objects.select_for_update().filter(inservice_account=identity.sub).first()
    username = f"sso:{identity.sub}"
    if user is None:
        if User.objects.filter(username=username).exists():
            raise DomainError(_STAFF_REFUSAL)
        user = User(username=username, role=Role.TEACHER, inservice_account=identity.sub)
        user.set_unusable_password()
    elif user.role != Role.TEACHER or user.is_staff or user.is_superuser:
        # A staff account linked to a network account must keep its password login and its role.
        raise DomainError(_STAFF_REFUSAL)
    elif not user.is_active:
        raise DomainError("此帳號已停用，請聯繫教師專業發展支持作業平臺工作小組。")

    if identity.name or not user.name:
        user.name = identity.name
    user.county = school.county if school is not None else county
    user.save()

    profile = TeacherProfile.objects.select_for_update().filter(user=user).first() or TeacherProfile(user=user)
    profile.school_name = identity.school
    profile.school = school
    profile.county_name = identity.county
    profile.title_code_value = identity.title_code
    profile.title_code = title_code
    profile.save()
    # Later reads of user.profile in this request see the row just written.
    user.profile = profile
    return user


def sign_in_from_claims(request, sub, claims) -> User:
    """Create or update the teacher, then start their session under a fresh key."""
    user = teacher_from_claims(sub, claims)
    login(request, user, backend=LOGIN_BACKEND)
    # login() keeps the key when the same user signs in again; a new key must follow every login.
    request.session.cycle_key()
    return user


def unmatched_master_data_warning(user: User) -> str | None:
    """What the teacher reads when the network's data matched nothing here, and whom to ask."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    missing = profile.unmatched_master_data()
    if not missing:
        return None
    return (
        f"您的服務學校、縣市或職稱代碼（{'、'.join(missing)}）不在平臺資料中，"
        "請聯繫所屬縣市之教專中心或教師專業發展支持作業平臺工作小組更正。"
    )
