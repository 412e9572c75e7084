"""How many wrong passwords 縣市與管理者登入 takes, from whom, before it stops checking them.

The policy (README, "Signing in"): within any LOGIN_LOCK_MINUTES,

- one address may try one account LOGIN_MAX_FAILURES times (5): an attacker guesses slowly, and
  the account's owner, from any other address, still signs in;
- one address may get LOGIN_ADDRESS_MAX_FAILURES wrong (30) over all the accounts it tries, so it
  cannot sweep many names at the same pace either;
- one account may be tried wrongly LOGIN_ACCOUNT_MAX_FAILURES times (50) from all addresses
  together, which only many addresses at once can reach (one address alone never gets past its
  own 5): then the account is locked for everyone until the window passes, 忘記密碼 or 管理者.

Refused tries are not counted, so trying on while refused never lengthens a lock. Every refusal,
a wrong password and a right password refused alike, reads the same and costs one password hash
(services.authenticate_staff), so nothing tells a locked account from a wrong password, nor an
account that exists from one that does not: the counts are kept by the name as typed, not by the
user row.

A try is written as wrong before its password is checked, then counted: parallel guesses each
see the others and together get no more tries than one at a time would.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from proteacher.accounts.models import LoginAttempt, User

Outcome = LoginAttempt.Outcome


def account_key(username: str) -> str:
    """Names are unique without regard to case (services.create_staff_account), and so are the counts."""
    return username.strip().lower()[:150]


def window_start():
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)


@dataclass
class Attempt:
    row: LoginAttempt
    allowed: bool
    # The account's tries from all addresses reached their limit with this one.
    account_exhausted: bool = False


def begin(username: str, address: str | None) -> Attempt:
    """Count a try before its password is checked; `allowed` is False when it may not be checked."""
    key = account_key(username)
    row = LoginAttempt.objects.create(username=key, address=address, at=timezone.now())
    # Counted after the row is written (and committed: sign-in runs outside a transaction), so two
    # parallel tries each count the other; both may be refused, never both let through past a limit.
    counts = LoginAttempt.objects.filter(
        Q(username=key) | Q(address=address), at__gte=window_start(), outcome=Outcome.WRONG
    ).aggregate(
        pair=Count("pk", filter=Q(username=key, address=address)),
        address=Count("pk", filter=Q(address=address)),
        account=Count("pk", filter=Q(username=key)),
    )
    allowed = (
        counts["pair"] <= settings.LOGIN_MAX_FAILURES
        and (address is None or counts["address"] <= settings.LOGIN_ADDRESS_MAX_FAILURES)
        and counts["account"] <= settings.LOGIN_ACCOUNT_MAX_FAILURES
    )
    if not allowed:
        LoginAttempt.objects.filter(pk=row.pk).update(outcome=Outcome.REFUSED)
    return Attempt(row, allowed, account_exhausted=counts["account"] >= settings.LOGIN_ACCOUNT_MAX_FAILURES)


def succeeded(attempt: Attempt) -> None:
    """The right password: this try and the earlier wrong ones of the same account and address
    count no more (the owner's own typos do not add up over the day)."""
    row = attempt.row
    LoginAttempt.objects.filter(pk=row.pk).update(outcome=Outcome.OK)
    LoginAttempt.objects.filter(username=row.username, address=row.address, outcome=Outcome.WRONG).update(
        outcome=Outcome.FORGIVEN
    )


def lock_account(user: User) -> None:
    """Mark the account locked for 帳號管理 once tries from all addresses reached their limit."""
    until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
    User.objects.filter(pk=user.pk).update(locked_until=until)
    user.locked_until = until


def forgive_account(user: User) -> int:
    """Lift every count on the account, from every address (忘記密碼, 管理者's 解除鎖定); returns
    how many wrong tries were still counted."""
    lifted = LoginAttempt.objects.filter(username=account_key(user.username), outcome=Outcome.WRONG).update(
        outcome=Outcome.FORGIVEN
    )
    User.objects.filter(pk=user.pk).update(locked_until=None)
    user.locked_until = None
    return lifted


def forget_old_attempts() -> int:
    """The worker's job: tries older than the window count for nothing; returns how many went."""
    deleted, _ = LoginAttempt.objects.filter(at__lt=window_start()).delete()
    return deleted
