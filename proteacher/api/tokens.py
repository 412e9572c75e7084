"""Issuing, revoking and checking API tokens, and counting their calls.

A token reads `ptk_<prefix>_<secret>`: the prefix (10 hex digits, random) finds the row and names
the token on the pages; the secret (32 random bytes, base64url) is shown once when 管理者 issues
the token and only its SHA-256 is stored. Comparing digests in constant time leaves nothing to
learn from timing, and the digest of a random 256-bit secret needs no slow hash.
"""

import base64
import datetime
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from proteacher.api.models import ApiToken, Scope
from proteacher.audit.log import record
from proteacher.errors import DomainError

TOKEN_PATTERN = re.compile(r"ptk_([0-9a-f]{10})_([A-Za-z0-9_-]{43})")
# The longest a token may live, and the bounds of its limit.
MAX_LIFETIME = datetime.timedelta(days=366)
MAX_RATE_LIMIT = 6000
DEFAULT_RATE_LIMIT = 60


@dataclass
class ApiError(Exception):
    """A refused call: the status, a stable code for programs and a sentence for people."""

    status: int
    code: str
    message: str
    headers: dict = field(default_factory=dict)


MISSING = ApiError(401, "token_missing", "請以 Authorization: Bearer <權杖> 標頭提供 API 權杖。")
INVALID = ApiError(401, "token_invalid", "API 權杖無效。")
EXPIRED = ApiError(401, "token_expired", "API 權杖已過期，請洽管理者重新核發。")
REVOKED = ApiError(401, "token_revoked", "API 權杖已撤銷。")


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    *, name: str, county, scopes: list[str], expires_at: datetime.datetime, rate_limit_per_minute: int, actor
) -> tuple[ApiToken, str]:
    """A new token and its full text, which is never stored and never shown again."""
    now = timezone.now()
    name = name.strip()
    if not name:
        raise DomainError("請輸入權杖名稱。")
    unknown = set(scopes) - set(Scope.values)
    if not scopes or unknown:
        raise DomainError("請至少選擇一項權限範圍。")
    if expires_at <= now:
        raise DomainError("到期日必須在今天之後。")
    if expires_at > now + MAX_LIFETIME:
        raise DomainError("到期日最長為一年後。")
    if not 1 <= rate_limit_per_minute <= MAX_RATE_LIMIT:
        raise DomainError(f"每分鐘呼叫上限須介於 1 到 {MAX_RATE_LIMIT} 次。")
    ordered = [scope for scope in Scope.values if scope in scopes]
    for _ in range(5):
        prefix = secrets.token_hex(5)
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    name=name,
                    county=county,
                    scopes=ordered,
                    prefix=prefix,
                    secret_hash=digest(secret),
                    expires_at=expires_at,
                    rate_limit_per_minute=rate_limit_per_minute,
                    created_by=actor,
                    created_at=now,
                )
                record(
                    "api_token.create",
                    actor=actor,
                    target=f"API 權杖「{name}」（{prefix}）",
                    data={
                        "token": prefix,
                        "name": name,
                        "county": county.name if county else "全國",
                        "scopes": ordered,
                        "expires_at": timezone.localtime(expires_at).isoformat(),
                        "rate_limit_per_minute": rate_limit_per_minute,
                    },
                )
        except IntegrityError:  # the same random prefix twice: draw again
            continue
        return token, f"ptk_{prefix}_{secret}"
    raise DomainError("無法產生權杖，請再試一次。")


def revoke(token: ApiToken, *, actor) -> bool:
    """Revoke the token; False when it already was (a second click, another 管理者)."""
    now = timezone.now()
    with transaction.atomic():
        moved = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor)
        if moved:
            record(
                "api_token.revoke",
                actor=actor,
                target=f"API 權杖「{token.name}」（{token.prefix}）",
                data={"token": token.prefix},
            )
    if moved:
        token.revoked_at, token.revoked_by = now, actor
    return bool(moved)


def prefix_of(raw: str) -> str:
    found = TOKEN_PATTERN.fullmatch(raw)
    return found.group(1) if found else ""


def authenticate(raw: str, now: datetime.datetime | None = None) -> ApiToken:
    """The token `raw` names, if its secret is right and it is neither expired nor revoked."""
    found = TOKEN_PATTERN.fullmatch(raw.strip())
    if not found:
        raise INVALID
    prefix, secret = found.groups()
    token = ApiToken.objects.select_related("county").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest(secret)):
        raise INVALID
    if token.is_revoked:
        raise REVOKED
    if token.is_expired(now):
        raise EXPIRED
    return token


def take_call(token: ApiToken, now: datetime.datetime | None = None) -> None:
    """Count one call in the token's current minute, or refuse it (429) when the minute is full.

    One conditional UPDATE of the token's row: it starts a new minute or adds to the current one
    only while the count is under the limit. The database orders concurrent calls on the row, so
    the limit holds however many web servers count at once; nothing is kept in a process.
    """
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    counted = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(~Q(window_start=minute) | Q(window_calls__lt=F("rate_limit_per_minute")))
        .update(
            window_calls=Case(When(window_start=minute, then=F("window_calls") + 1), default=Value(1)),
            window_start=minute,
            last_used_at=now,
        )
    )
    if not counted:
        wait = max(1, math.ceil(60 - (now - minute).total_seconds()))
        raise ApiError(
            429,
            "rate_limited",
            f"已超過每分鐘 {token.rate_limit_per_minute} 次的呼叫上限，請於 {wait} 秒後再試。",
            {"Retry-After": str(wait)},
        )


def require_scope(token: ApiToken, scope: str) -> None:
    if scope not in token.scopes:
        raise ApiError(403, "scope_missing", f"此 API 權杖沒有「{Scope(scope).label}」權限。")
