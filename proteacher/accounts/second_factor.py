"""The second factor of 委員, 縣市 and 管理者: an authenticator app (TOTP) or a passkey, and
recovery codes (復原碼) for the day neither is at hand.

A staff sign-in has two steps. The password (services.authenticate_staff) signs the user in and
marks the session as waiting for the second factor (`begin`); until `finish`, the
SecondFactorMiddleware lets the session reach only the pages of the second step. The first
sign-in enrols a factor instead of asking for one. 管理者 can take a member's factors away
(`reset`): the member signs in again and enrols again.

The factors are django-otp devices (django-otp keeps which one verified the session, and every
request checks it still exists and still belongs to the user); passkeys come from
django-otp-webauthn (accounts.views.passkeys). Teachers sign in through the national network
(SSO) and have none of this.
"""

import secrets
from base64 import b32decode, b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from proteacher.accounts.models import STAFF_ROLES, User
from proteacher.audit.log import record
from proteacher.errors import DomainError

# The session waits for the second factor of this user (set by the password step).
PENDING_KEY = "second_factor_pending"
# Where to go once the second factor is done (a page that asked for sign-in).
NEXT_KEY = "second_factor_next"
# Recovery codes just made, shown once on their page and then forgotten.
NEW_CODES_KEY = "second_factor_new_codes"

TOTP_NAME = "驗證器 App"
RECOVERY_NAME = "復原碼"
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits without the look-alikes 0/o, 1/l/i.
RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"

WRONG_CODE = "驗證碼錯誤，請重新輸入。"
WAIT = "驗證碼錯誤次數過多，請於 {seconds} 秒後再試。"
EMPTY_CODE = "請輸入驗證碼或復原碼。"


def needs_second_factor(user) -> bool:
    return user.is_authenticated and user.role in STAFF_ROLES


# --- the user's factors ------------------------------------------------------------------------------


def totp_devices(user: User):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True)


def passkeys(user: User):
    return WebAuthnCredential.objects.devices_for_user(user, confirmed=True)


def recovery_device(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).first()


def is_enrolled(user: User) -> bool:
    """An authenticator app or a passkey; recovery codes alone are no factor to enrol with."""
    return totp_devices(user).exists() or passkeys(user).exists()


def recovery_codes_left(user: User) -> int:
    device = recovery_device(user)
    return device.token_set.count() if device else 0


# --- the steps of a sign-in --------------------------------------------------------------------------


def begin(request, user: User, next_url: str = "") -> None:
    """After the password (and after auth.login()): the session now waits for the second factor."""
    request.session[PENDING_KEY] = user.pk
    request.session[NEXT_KEY] = next_url


def is_pending(request) -> bool:
    return request.user.is_authenticated and request.session.get(PENDING_KEY) == request.user.pk


def finish(request, device, factor: str) -> None:
    """The second factor is done: the session is verified by `device`, gets a new key (one planted
    between the two steps is useless), and the sign-in is recorded."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session.pop(PENDING_KEY, None)
    record("login.ok", request=request, data={"factor": factor})


def take_next(request) -> str:
    """Where the user was going before signing in (checked when it was kept), once."""
    return request.session.pop(NEXT_KEY, "") or ""


def verify(request, code: str) -> str:
    """Check what the second step's field holds: a 6-digit code of the authenticator app, or a
    recovery code (each works once). Returns the factor used; raises DomainError otherwise."""
    user = request.user
    typed = "".join((code or "").split()).lower()
    if not typed:
        raise DomainError(EMPTY_CODE)
    if typed.isdigit() and len(typed) == 6:
        devices, factor = list(totp_devices(user)), "totp"
    else:
        device = recovery_device(user)
        devices, factor = ([device] if device else []), "recovery"
        typed = normalise_recovery_code(typed)
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            seconds = _seconds_until(details)
            record("mfa.failed", request=request, data={"factor": factor, "reason": "throttled"})
            raise DomainError(WAIT.format(seconds=seconds))
        verified = verify_token(user, device.persistent_id, typed)
        if verified is not None:
            if factor == "recovery":
                record("mfa.recovery_used", request=request, data={"left": verified.token_set.count()})
            finish(request, verified, factor)
            return factor
    record("mfa.failed", request=request, data={"factor": factor})
    raise DomainError(WRONG_CODE)


def _seconds_until(details) -> int:
    locked_until = (details or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, int((locked_until - timezone.now()).total_seconds()) + 1)


# --- enrolling -----------------------------------------------------------------------------------------


def totp_being_enrolled(user: User) -> TOTPDevice:
    """The authenticator key shown while enrolling: the same one on every visit until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def give_authenticator(user: User, key_text: str) -> TOTPDevice:
    """An authenticator app already set up with a known key (the demo accounts' published one)."""
    plain = key_text.replace(" ", "").upper()
    key = b32decode(plain + "=" * (-len(plain) % 8)).hex()
    return TOTPDevice.objects.create(user=user, name=TOTP_NAME, key=key, confirmed=True)


def totp_key_text(device: TOTPDevice) -> str:
    """The key in the form an authenticator app's manual entry takes, in groups of four."""
    key = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, drawn as inline SVG (no image request, no script)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, title="驗證器 App 設定 QR Code", svgclass="totp-qr", lineclass=None
    )


def confirm_totp(request, device: TOTPDevice, code: str) -> list[str]:
    """The first code from the app proves it holds the key: the device counts from now on, the
    session is verified, and the user gets recovery codes (returned, to be shown once)."""
    user = request.user
    typed = "".join((code or "").split())
    if not typed:
        raise DomainError("請輸入驗證器 App 顯示的 6 位數驗證碼。")
    if not (typed.isdigit() and len(typed) == device.digits):
        raise DomainError("驗證碼是 6 位數字，請重新輸入。")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        confirmed = device.verify_token(typed)
    if not confirmed:
        record("mfa.failed", request=request, data={"factor": "totp", "reason": "enrol"})
        raise DomainError(WRONG_CODE)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        # A second key left unconfirmed in another tab would never be used.
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = enrolled(request, device, "totp")
    return codes


def enrolled(request, device, factor: str) -> list[str]:
    """A factor was added (the app confirmed, or a passkey registered): record it, and give a first
    factor its recovery codes. Returns the new codes (none when the user had some already)."""
    user = request.user
    record("mfa.enrol", request=request, data={"factor": factor})
    codes = [] if recovery_device(user) else new_recovery_codes(user)
    if codes:
        request.session[NEW_CODES_KEY] = codes
    if is_pending(request):
        finish(request, device, "enrol")
    return codes


def new_recovery_codes(user: User, codes: list[str] | None = None) -> list[str]:
    """Ten new recovery codes in place of any earlier ones, each usable once (`codes`: the demo
    data's published ones)."""
    codes = codes or [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _recovery_code() -> str:
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_recovery_code(typed: str) -> str:
    """Codes are kept as shown (abcd-efgh); take them typed without the dash or in capitals too."""
    plain = typed.replace("-", "").lower()
    return f"{plain[:4]}-{plain[4:]}" if len(plain) == 8 else typed.lower()


# --- 管理者 ---------------------------------------------------------------------------------------------


def reset(account: User, *, actor: User, request=None) -> None:
    """Take away every factor of a staff member (a lost phone, a lost passkey): their sessions stop
    counting as verified at once, and they enrol again at their next sign-in."""
    if account.role not in STAFF_ROLES:
        raise DomainError("只能重設委員、縣市與管理者帳號的雙因素驗證。")
    with transaction.atomic():
        removed = {
            "totp": TOTPDevice.objects.filter(user=account).delete()[0],
            "passkeys": WebAuthnCredential.objects.filter(user=account).delete()[0],
            "recovery": StaticDevice.objects.filter(user=account).delete()[0],
        }
        record(
            "mfa.reset",
            actor=actor,
            request=request,
            target=f"{account.name or account.username}（{account.username}）",
            data={"account_id": account.pk, "removed": removed},
        )


def session_device_id(request) -> str | None:
    return request.session.get(DEVICE_ID_SESSION_KEY)


def passkeys_offered(request) -> bool:
    """Passkeys work only at the address they were registered for (a domain name, not an IP)."""
    return bool(settings.OTP_WEBAUTHN_RP_ID) and request.get_host().split(":")[0] == settings.OTP_WEBAUTHN_RP_ID
