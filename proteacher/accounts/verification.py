"""教師驗證 services: email codes (send, check) and the teacher's verified status. (資料轉移, which
turns the old system's certificates into the teacher's, is certification.transfer's.)

Views call these and show VerificationError's message as it is; every rule about codes (length,
lifetime, single use, resend wait, wrong tries) lives here so 教師驗證 and 個人資訊 behave alike.
"""

import datetime
import logging
import math
import secrets

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from proteacher.accounts.models import EmailCode, TeacherProfile, User
from proteacher.audit import log as audit
from proteacher.errors import DomainError

logger = logging.getLogger(__name__)

CODE_LENGTH = 6
# A code typed again once it proved the address (a second tab, the back button, a double submit).
CODE_ALREADY_USED = "此驗證碼已使用過，您的Email已完成驗證。"
EMAIL_SUBJECT = "教師專業發展支持作業平臺 Email驗證碼"
_HMAC_SALT = "proteacher.accounts.verification.email-code"


class VerificationError(DomainError):
    """A rule of 教師驗證 refused the request; `code` tells the page which step to show next."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _send_failed() -> VerificationError:
    return VerificationError("驗證信寄送失敗，請稍後再按「重新寄送驗證碼」。", code="send_failed")


# --- Email codes ----------------------------------------------------------------------------


def generate_code() -> str:
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def hash_code(user_id: int, email: str, code: str) -> str:
    """Keyed with SECRET_KEY, so a copy of the table alone does not give the 6 digits away by brute force;
    the user and address are mixed in so a code proves one address for one person only."""
    return salted_hmac(_HMAC_SALT, f"{user_id}:{email.lower()}:{code}", algorithm="sha256").hexdigest()


def _latest_code(user: User, email: str | None = None) -> EmailCode | None:
    codes = EmailCode.objects.filter(user=user)
    if email is not None:
        codes = codes.filter(email__iexact=email)
    return codes.order_by("-created_at", "-id").first()


def usable_code(user: User, email: str) -> EmailCode | None:
    """The code that can still prove `email` now, if one was sent."""
    latest = _latest_code(user, email)
    if latest is None or latest.closed_at is not None or latest.expires_at <= timezone.now():
        return None
    return latest


def seconds_until_resend(user: User) -> int:
    """How long the teacher must wait before another code may be sent (0: may send now)."""
    latest = _latest_code(user)
    if latest is None:
        return 0
    ready_at = latest.created_at + datetime.timedelta(seconds=settings.VERIFICATION_RESEND_SECONDS)
    return max(0, math.ceil((ready_at - timezone.now()).total_seconds()))


def send_code(user: User, email: str, *, keep_usable: bool = False) -> EmailCode | None:
    """Email a new code for `email`; the older codes stop working once it is out.

    With keep_usable, nothing is sent while a code for this address still works (returns None):
    the screen asks teachers not to submit twice ("請勿重複送出驗證"), and a second 下一步 or 儲存
    with the same address must not mail a code that voids the one already in their mailbox.

    Raises VerificationError when asked again too soon or when the mail could not be sent.
    """
    with transaction.atomic():
        # One sender at a time per teacher, so a double click cannot pass the checks twice.
        TeacherProfile.objects.select_for_update().filter(user=user).first()
        if keep_usable and usable_code(user, email) is not None:
            return None
        wait = seconds_until_resend(user)
        if wait:
            raise VerificationError(f"請勿重複送出驗證，請於 {wait} 秒後再重新寄送驗證碼。", code="throttled")
        code = generate_code()
        now = timezone.now()
        record = EmailCode.objects.create(
            user=user,
            email=email,
            code_hash=hash_code(user.pk, email, code),
            created_at=now,
            expires_at=now + datetime.timedelta(minutes=settings.VERIFICATION_CODE_MINUTES),
        )
    # Sent outside the transaction: a slow mail server must not hold database locks.
    try:
        _mail_code(user, email, code)
    except OSError:
        logger.exception("Verification email for user %s could not be sent", user.pk)
        # A code nobody received must neither count for the resend wait nor replace a code that did arrive.
        record.delete()
        raise _send_failed() from None
    EmailCode.objects.filter(user=user, closed_at__isnull=True).exclude(pk=record.pk).update(
        closed_at=now, closed_reason=EmailCode.CloseReason.REPLACED
    )
    return record


def _mail_code(user: User, email: str, code: str) -> None:
    context = {"name": user.name, "code": code, "site_url": settings.SITE_URL}
    body = render_to_string("email/verification_code.txt", context)
    send_mail(EMAIL_SUBJECT, body, None, [email])


def _is_code_of(record: EmailCode, typed_code: str) -> bool:
    return constant_time_compare(record.code_hash, hash_code(record.user_id, record.email, typed_code))


def used_before(user: User, typed_code: str) -> bool:
    """Whether `typed_code` is the code that already proved the user's current address."""
    used = (
        EmailCode.objects.filter(user=user, email__iexact=user.email, closed_reason=EmailCode.CloseReason.USED)
        .order_by("-created_at", "-id")
        .first()
    )
    return used is not None and _is_code_of(used, typed_code)


def confirm_email(user: User, typed_code: str) -> str:
    """Check the code typed for the teacher's pending address; on success that address becomes theirs.

    Returns the confirmed address. Raises VerificationError for a wrong, expired, used or spent code.
    """
    refusal: VerificationError | None = None
    with transaction.atomic():
        # Locking the profile then the code row makes two submissions of one code run one after
        # the other; the second finds the code closed.
        profile = TeacherProfile.objects.select_for_update().get(user=user)
        email = profile.pending_email
        if not email:
            if profile.email_verified_at:
                raise VerificationError(CODE_ALREADY_USED, code="already_verified")
            raise VerificationError("請先填寫您的Email並寄送驗證碼。", code="nothing_pending")
        record = (
            EmailCode.objects.select_for_update()
            .filter(user=user, email__iexact=email)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        if record is None:
            raise VerificationError("尚未寄出驗證碼，請按「重新寄送驗證碼」。", code="no_code")
        if record.closed_reason == EmailCode.CloseReason.SPENT:
            raise VerificationError("錯誤次數過多，請重新寄送驗證碼。", code="spent")
        if record.closed_reason == EmailCode.CloseReason.USED and _is_code_of(record, typed_code):
            raise VerificationError("此驗證碼已使用過，請重新寄送驗證碼。", code="used")
        if record.closed_at is not None:
            raise VerificationError("此驗證碼已失效，請重新寄送驗證碼。", code="closed")
        if record.expires_at <= now:
            raise VerificationError("驗證碼已過期，請重新寄送驗證碼。", code="expired")

        if _is_code_of(record, typed_code):
            record.closed_at = now
            record.closed_reason = EmailCode.CloseReason.USED
            record.save(update_fields=["closed_at", "closed_reason"])
            user.email = record.email
            user.save(update_fields=["email"])
            profile.pending_email = ""
            profile.email_verified_at = now
            profile.save(update_fields=["pending_email", "email_verified_at", "updated_at"])
            audit.record("profile.change", actor=user, subject=user, target="Email", data={"changed": ["email"]})
            return record.email

        # A wrong guess is recorded before refusing, so the count survives the refusal.
        record.wrong_tries += 1
        left = settings.VERIFICATION_MAX_TRIES - record.wrong_tries
        if left <= 0:
            record.closed_at = now
            record.closed_reason = EmailCode.CloseReason.SPENT
            refusal = VerificationError("錯誤次數過多，請重新寄送驗證碼。", code="spent")
        else:
            refusal = VerificationError(f"驗證碼錯誤，請再試一次（還可嘗試 {left} 次）。", code="wrong")
        record.save(update_fields=["wrong_tries", "closed_at", "closed_reason"])
    raise refusal


def cancel_pending_email(user: User) -> None:
    """Forget an address change the teacher no longer wants; its codes stop working."""
    with transaction.atomic():
        TeacherProfile.objects.filter(user=user).update(pending_email="")
        EmailCode.objects.filter(user=user, closed_at__isnull=True).update(
            closed_at=timezone.now(), closed_reason=EmailCode.CloseReason.REPLACED
        )


# --- 資料轉移 --------------------------------------------------------------------------------


class Decision:
    IMPORT = "imported"
    DECLINE = "declined"
    NONE = "none"


def lock_profile(user: User) -> TeacherProfile:
    """Inside a transaction: the teacher's profile, locked, so two clicks of 資料轉移 take turns."""
    return TeacherProfile.objects.select_for_update().get(user=user)


def require_email_proven(profile: TeacherProfile) -> None:
    if profile.email_verified_at is None or profile.pending_email:
        raise VerificationError("請先完成Email驗證。", code="email_unverified")


def mark_verified(profile: TeacherProfile, decision: str) -> None:
    """教師驗證 is done: the teacher's answer at 資料轉移 is kept with the moment."""
    profile.old_data_decision = decision
    profile.verified_at = timezone.now()
    profile.save(update_fields=["old_data_decision", "verified_at", "updated_at"])


def profile_of(user: User) -> TeacherProfile:
    """The teacher's profile: SSO creates it at first login; a teacher account made another way
    gets one here."""
    return TeacherProfile.objects.get_or_create(user=user)[0]


def email_proven(profile: TeacherProfile) -> bool:
    return profile.email_verified_at is not None and not profile.pending_email


def where_to_continue(profile: TeacherProfile) -> str:
    """The URL name of the 教師驗證 step the teacher stands at: 填寫資料, 驗證Email, or 資料轉移."""
    if profile.pending_email:
        return "accounts:verify_email"
    if profile.email_verified_at is None:
        return "accounts:verify"
    return "certification:transfer"
