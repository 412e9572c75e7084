"""The public verification page's answers (/verify/): is this certificate valid, revoked, expired,
or unknown — and nothing more about its holder than a masked name and the school.

A certificate is found by its unguessable code (the PDF's QR code) or by its 證號 together with
the holder's full name, matched exactly; a wrong name answers the same 查無此證書 as an unknown
number, so the form tells nothing about who holds a number.

Every lookup is counted (VerificationLookup) for 統計 and for the limit per client address:
VERIFY_MAX_LOOKUPS within VERIFY_WINDOW_MINUTES, kept in the database so it holds across the web
server's processes. The address itself is never stored, only a keyed hash of it (client_key),
blanked once its window has passed.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from proteacher.certification.models import Certificate, VerificationLookup
from proteacher.dates import roc_date, today

Outcome = VerificationLookup.Outcome

# secrets.token_urlsafe(16) gives 22 characters of this alphabet; anything else is no code.
CODE = re.compile(r"[A-Za-z0-9_-]{16,32}")
MASK = "○"
OLD_SYSTEM_MARK = "舊系統匯入紀錄"
# Marks the advisory locks of the verification page's limit (the key's hash supplies the rest).
LOCK_SPACE = 0x5645_5249_0000_0000
BAD_CODE = "查驗碼格式不正確，請確認網址是否完整，或改以證號及持證人姓名查驗。"


def mask_name(name: str) -> str:
    """黃小試 → 黃○試, 歐陽小試 → 歐○○試, 黃試 → 黃○: the first and last characters kept."""
    name = name.strip()
    if len(name) <= 1:
        return MASK
    if len(name) == 2:
        return name[0] + MASK
    return name[0] + MASK * (len(name) - 2) + name[-1]


def school_of(certificate: Certificate) -> str:
    """The school of the case it was issued for, else the holder's school as their profile says."""
    if certificate.case_id and certificate.case.school_id:
        return certificate.case.school.name
    profile = getattr(certificate.teacher, "profile", None)
    if profile is None:
        return ""
    return profile.school.name if profile.school_id else profile.school_name


def status_of(certificate: Certificate) -> str:
    if certificate.revoked_at:
        return Outcome.REVOKED
    if certificate.expires_on and today() > certificate.expires_on:
        return Outcome.EXPIRED
    return Outcome.VALID


@dataclass(frozen=True)
class Answer:
    """What the page shows: the outcome and, for a certificate found, its public facts."""

    outcome: str
    type_name: str = ""
    number: str = ""
    issued_on: str = ""
    expires_on: str = ""
    holder: str = ""  # masked
    school: str = ""
    revoked_on: str = ""
    revocation_category: str = ""
    old_system: bool = False

    @property
    def label(self) -> str:
        return Outcome(self.outcome).label

    @property
    def found(self) -> bool:
        return self.outcome in (Outcome.VALID, Outcome.REVOKED, Outcome.EXPIRED)


def answer_for(certificate: Certificate) -> Answer:
    outcome = status_of(certificate)
    return Answer(
        outcome=outcome,
        type_name=certificate.certification_type.name,
        number=certificate.number,
        issued_on=roc_date(certificate.issued_at) if certificate.issued_at else "",
        expires_on=roc_date(certificate.expires_on) if certificate.expires_on else "",
        holder=mask_name(certificate.teacher.name),
        school=school_of(certificate),
        revoked_on=roc_date(certificate.revoked_at) if outcome == Outcome.REVOKED else "",
        revocation_category=certificate.get_revocation_category_display() if outcome == Outcome.REVOKED else "",
        old_system=certificate.source == Certificate.Source.OLD_SYSTEM,
    )


def _certificates():
    return Certificate.objects.select_related("certification_type", "teacher__profile__school", "case__school")


def find_by_code(code: str) -> Certificate | None:
    if not CODE.fullmatch(code):
        return None
    return _certificates().filter(verify_code=code).first()


def find_by_number(number: str, name: str) -> Certificate | None:
    """The certificate of this 證號 whose holder's name is exactly `name` (old-system numbers may
    repeat among holders: the name tells them apart)."""
    number, name = number.strip(), name.strip()
    if not number or not name:
        return None
    return _certificates().filter(number=number, teacher__name=name).order_by("-id").first()


# --- counting and the limit ------------------------------------------------------------------------


def client_key(address: str | None) -> str:
    """A keyed hash of the client address: enough to count one client's lookups, not to read it back."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"verify:{address or ''}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def _window_start():
    return timezone.now() - timedelta(minutes=settings.VERIFY_WINDOW_MINUTES)


def counted(key: str) -> VerificationLookup | None:
    """Count one lookup of this client; None when it is over the limit (the refusal is counted
    too, but not towards the limit, so trying on while refused never lengthens it).

    One client's lookups are counted one at a time (on PostgreSQL a transaction-level advisory
    lock on the client's key; SQLite runs one writer at a time anyway), so parallel requests from
    one address together get no more than the limit, while other clients never wait for it."""
    start = _window_start()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(key)])
        VerificationLookup.objects.filter(client_key=key, at__lt=start).update(client_key="")
        lookup = VerificationLookup.objects.create(outcome=Outcome.UNKNOWN, client_key=key)
        earlier = VerificationLookup.objects.filter(client_key=key, at__gte=start).count()
        if earlier > settings.VERIFY_MAX_LOOKUPS:
            lookup.outcome, lookup.client_key = Outcome.LIMITED, ""
            lookup.save(update_fields=["outcome", "client_key"])
            return None
    return lookup


def _lock_id(key: str) -> int:
    """A signed 64-bit number for the client's key, in a range of its own among the advisory locks."""
    return int(key[:15], 16) ^ LOCK_SPACE


def settle(lookup: VerificationLookup, outcome: str, certificate: Certificate | None, *, by_number: bool) -> None:
    lookup.outcome, lookup.certificate, lookup.by_number = outcome, certificate, by_number
    lookup.save(update_fields=["outcome", "certificate", "by_number"])


def look_up_code(address: str | None, code: str) -> Answer | None:
    """The answer for a QR code's link; None when this client is over the limit."""
    found = look_up_certificate(address, code)
    return None if found is None else found[0]


def look_up_certificate(address: str | None, code: str) -> tuple[Answer, Certificate | None] | None:
    """The answer for a code and the certificate it found (its digital credential, its status, a
    credential uploaded to be verified); None when this client is over the limit."""
    lookup = counted(client_key(address))
    if lookup is None:
        return None
    if not CODE.fullmatch(code):
        settle(lookup, Outcome.INVALID, None, by_number=False)
        return Answer(outcome=Outcome.INVALID), None
    certificate = find_by_code(code)
    answer = answer_for(certificate) if certificate else Answer(outcome=Outcome.UNKNOWN)
    settle(lookup, answer.outcome, certificate, by_number=False)
    return answer, certificate


def look_up_number(address: str | None, number: str, name: str) -> Answer | None:
    """The answer for a 證號 and the holder's name; None when this client is over the limit."""
    lookup = counted(client_key(address))
    if lookup is None:
        return None
    certificate = find_by_number(number, name)
    answer = answer_for(certificate) if certificate else Answer(outcome=Outcome.UNKNOWN)
    settle(lookup, answer.outcome, certificate, by_number=True)
    return answer


def count_invalid(address: str | None, *, by_number: bool = True) -> bool:
    """A form that could not be read (or a credential that did not verify, by_number False)
    counts as a lookup too; False when over the limit."""
    lookup = counted(client_key(address))
    if lookup is None:
        return False
    settle(lookup, Outcome.INVALID, None, by_number=by_number)
    return True
