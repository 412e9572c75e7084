"""Staff passwords and staff accounts: signing in (throttled), creating, unlocking, deactivating.

Views, the management command and tests all call these functions; none of them changes the
counters or the account fields on its own.
"""

import logging

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from proteacher.accounts import login_throttle
from proteacher.accounts.models import STAFF_ROLES, Role, User
from proteacher.audit.log import client_ip, record
from proteacher.errors import DomainError
from proteacher.registry.models import County

logger = logging.getLogger(__name__)

# The one answer to every refused sign-in: an unknown account, a wrong password and a throttled
# or locked account read the same (accounts.login_throttle says why).
WRONG_CREDENTIALS = "帳號或密碼錯誤。多次輸入錯誤後須等候 {minutes} 分鐘才能再試，或使用「忘記密碼」。"


def wrong_credentials() -> str:
    return WRONG_CREDENTIALS.format(minutes=settings.LOGIN_LOCK_MINUTES)


def authenticate_staff(username: str, password: str, *, request=None) -> User:
    """Check a 委員/縣市/管理者 password; return the user or raise DomainError.

    An unknown account, a teacher (who signs in through SSO and has no usable password), an
    inactive account, a wrong password, and a try the throttle refuses (even with the right
    password) all get the same message after the same work, one password hash, so that nobody
    can find out which accounts exist, nor whether a refused password was right. Each refusal is
    recorded in the audit log (login.failed); the sign-in itself is recorded once the second
    factor is done (accounts.second_factor).
    """
    address = client_ip(request)
    attempt = login_throttle.begin(username, address)
    user = User.objects.filter(username=username, role__in=STAFF_ROLES, is_active=True).first()
    usable = user is not None and user.has_usable_password()

    if attempt.allowed and usable and user.check_password(password):
        login_throttle.succeeded(attempt)
        return user

    if not (attempt.allowed and usable):
        # Hash anyway, so the answer takes as long as a wrong password for a real account.
        User().set_password(password)
    elif attempt.account_exhausted:
        login_throttle.lock_account(user)
        logger.warning("Staff account %s locked: wrong passwords from many addresses", user.username)
    reason = "refused" if not attempt.allowed else ("wrong_password" if usable else "unknown")
    logger.info("Staff login refused for %r from %s (%s)", username, address, reason)
    record(
        "login.failed",
        request=request,
        target=username[:200],
        data={"reason": reason},
    )
    raise DomainError(wrong_credentials())


def clear_login_lock(user: User) -> None:
    """Forget wrong passwords and lift a lock (after a password reset, or by 管理者)."""
    login_throttle.forgive_account(user)


# Staff accounts ---------------------------------------------------------------------------------

STAFF_ROLE_VALUES = tuple(role.value for role in STAFF_ROLES)


def create_staff_account(
    *,
    username: str,
    name: str,
    email: str,
    role: str,
    password: str,
    county: County | None = None,
    created_by: User | None = None,
) -> User:
    """Create a 委員, 縣市 or 管理者 account that signs in with a password.

    Raises ValidationError keyed by the argument names (username, name, email, role, county,
    password) so that a form can show each message beside its field and the command can list them.
    """
    username = (username or "").strip()
    name = (name or "").strip()
    email = (email or "").strip()
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not username:
        refuse("username", "請輸入帳號。")
    elif len(username) > 150:
        refuse("username", "帳號最多 150 個字元。")
    else:
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            refuse("username", "帳號只能包含英文字母、數字和 @ . + - _ 符號。")
        else:
            # Case-insensitive, so that "Admin" and "admin" cannot be two people.
            if User.objects.filter(username__iexact=username).exists():
                refuse("username", "此帳號已被使用。")

    if not name:
        refuse("name", "請輸入姓名。")
    elif len(name) > 50:
        refuse("name", "姓名最多 50 個字元。")

    if not email:
        # The address is the only way back in through 忘記密碼.
        refuse("email", "請輸入 Email。")
    else:
        try:
            validate_email(email)
        except ValidationError:
            refuse("email", "請輸入有效的 Email。")

    if role not in STAFF_ROLE_VALUES:
        refuse("role", "身分必須是委員、縣市或管理者。")
    elif role == Role.COUNTY and county is None:
        refuse("county", "身分為縣市時必須選擇縣市。")
    elif role != Role.COUNTY and county is not None:
        refuse("county", "只有身分為縣市的帳號可以指定縣市。")

    user = User(username=username, name=name, email=email, role=role, county=county)
    if not password:
        refuse("password", "請輸入初始密碼。")
    else:
        try:
            validate_password(password, user=user)
        except ValidationError as invalid:
            errors.setdefault("password", []).extend(invalid.messages)

    if errors:
        raise ValidationError(errors)

    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            data = {"account": user.pk, "username": user.username, "role": role}
            if county is not None:
                data["county"] = county.name
            record("staff.create", actor=created_by, target=_staff_target(user), data=data)
    except IntegrityError as clash:
        # Someone created the same username between the check above and this insert.
        raise ValidationError({"username": ["此帳號已被使用。"]}) from clash
    creator = created_by.username if created_by else "command line"
    logger.info("Staff account %s (%s) created by %s", user.username, user.role, creator)
    return user


def _staff_target(account: User) -> str:
    """How 稽核紀錄 names a staff account: 臺北市教專中心（taipei，縣市）."""
    return f"{account.name or account.username}（{account.username}，{Role(account.role).label}）"


def _record_change(account: User, change: str, actor: User | None) -> None:
    record("staff.change", actor=actor, target=_staff_target(account), data={"account": account.pk, "change": change})


def unlock_staff_account(account: User, *, actor: User) -> None:
    if not account.is_locked():
        raise DomainError("此帳號目前沒有被鎖定。")
    with transaction.atomic():
        clear_login_lock(account)
        record(
            "staff.change", actor=actor, target=_staff_target(account), data={"account": account.pk, "change": "unlock"}
        )
    logger.info("Staff account %s unlocked by %s", account.username, actor.username)


def set_staff_account_active(account: User, active: bool, *, actor: User) -> None:
    """Deactivate or reactivate a staff account; an inactive account's sessions stop working."""
    if account.role not in STAFF_ROLE_VALUES:
        raise DomainError("只能管理委員、縣市與管理者帳號。")
    if account.pk == actor.pk and not active:
        raise DomainError("不能停用自己的帳號。")
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(is_active=active)
        change = "activate" if active else "deactivate"
        record(
            "staff.change", actor=actor, target=_staff_target(account), data={"account": account.pk, "change": change}
        )
    account.is_active = active
    logger.info("Staff account %s %s by %s", account.username, "activated" if active else "deactivated", actor.username)
