"""Staff passwords and staff accounts: signing in with lockout, creating, unlocking, deactivating.

Views, the management command and tests all call these functions; none of them changes the
counters or the account fields on its own.
"""

import logging
import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from proteacher.accounts.models import STAFF_ROLES, Role, User
from proteacher.audit.log import record
from proteacher.errors import DomainError
from proteacher.registry.models import County

logger = logging.getLogger(__name__)

WRONG_CREDENTIALS = "帳號或密碼錯誤。"
LOCKED = "此帳號因密碼錯誤次數過多，已暫時鎖定，請於 {minutes} 分鐘後再試，或使用「忘記密碼」。"


def _locked_message(locked_until=None) -> str:
    if locked_until is None:
        minutes = settings.LOGIN_LOCK_MINUTES
    else:
        seconds = (locked_until - timezone.now()).total_seconds()
        minutes = max(1, math.ceil(seconds / 60))
    return LOCKED.format(minutes=minutes)


def _reserve_attempt(user: User) -> bool:
    """Count a password attempt before checking it; False when the account may not try now.

    The attempt is counted first, in one conditional UPDATE, so that requests running in
    parallel each take one of the LOGIN_MAX_FAILURES tries: a burst of guesses cannot all pass
    the lock check before any of them is counted. A success sets the counter back to zero.
    When a lock has run out, the first attempt starts a fresh count.
    """
    now = timezone.now()
    may_try = Q(locked_until__isnull=True, failed_logins__lt=settings.LOGIN_MAX_FAILURES) | Q(locked_until__lte=now)
    # SET expressions see the row as it was before this UPDATE (PostgreSQL and SQLite alike),
    # so the CASE below tests the old locked_until even though the same statement clears it.
    return bool(
        User.objects.filter(pk=user.pk)
        .filter(may_try)
        .update(
            failed_logins=Case(When(locked_until__isnull=False, then=Value(1)), default=F("failed_logins") + 1),
            locked_until=None,
        )
    )


def _lock_if_exhausted(user: User) -> User:
    """After a wrong password: lock the account when this was the last allowed try."""
    lock_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    locked = (
        User.objects.filter(
            pk=user.pk, failed_logins__gte=settings.LOGIN_MAX_FAILURES, locked_until__isnull=True
        ).update(locked_until=lock_until, failed_logins=0)
        > 0
    )
    if locked:
        logger.warning("Staff account %s locked after %s wrong passwords", user.username, settings.LOGIN_MAX_FAILURES)
    user.refresh_from_db(fields=["failed_logins", "locked_until"])
    return user


def authenticate_staff(username: str, password: str) -> User:
    """Check a 委員/縣市/管理者 password; return the user or raise DomainError.

    An unknown account, a teacher (who signs in through SSO and has no usable password), an
    inactive account and a wrong password all get the same message, so that nobody can find out
    which accounts exist by trying.
    """
    user = User.objects.filter(username=username, role__in=STAFF_ROLES, is_active=True).first()
    if user is None or not user.has_usable_password():
        # Hash anyway, so the answer takes as long as for a real account.
        User().set_password(password)
        logger.info("Staff login refused for unknown or passwordless account %r", username)
        raise DomainError(WRONG_CREDENTIALS)

    if not _reserve_attempt(user):
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        raise DomainError(_locked_message(user.locked_until))

    if user.check_password(password):
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
        user.failed_logins, user.locked_until = 0, None
        return user

    user = _lock_if_exhausted(user)
    logger.info("Wrong password for staff account %s", user.username)
    if user.is_locked():
        raise DomainError(_locked_message(user.locked_until))
    raise DomainError(WRONG_CREDENTIALS)


def clear_login_lock(user: User) -> None:
    """Forget wrong passwords and lift a lock (after a password reset, or by 管理者)."""
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None


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
    if not account.is_locked() and account.failed_logins == 0:
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
