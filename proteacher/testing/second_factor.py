"""Staff sign-in with the second factor done, for tests: the Django test client's force_login()
(conftest.py's `client`) and codes of an authenticator app for the browser walks.

MFA is never switched off for tests: a signed-in staff member in a test is one whose session was
verified by a real device of theirs, as accounts.second_factor leaves it after the second step.
"""

import time

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from proteacher.accounts import second_factor
from proteacher.accounts.models import STAFF_ROLES


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator app, set up now if they have none."""
    device = second_factor.totp_devices(user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=second_factor.TOTP_NAME, confirmed=True)
    return device


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """What the app shows at `at` (now by default)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the platform takes now: each time step's code works once, so a second sign-in in the
    same 30 seconds takes the next step's (within the one step of tolerance), or waits for it."""
    device.refresh_from_db()
    now = time.time()
    current = int((now - device.t0) // device.step) + device.drift
    wanted = max(current, device.last_t + 1)
    if wanted > current + device.tolerance:
        time.sleep((wanted - device.tolerance) * device.step + device.t0 - now + 0.1)
        return fresh_code(device)
    return code_for(device, at=device.t0 + (wanted - device.drift) * device.step + 1)


def code_from_key(key_text: str, at: float | None = None) -> str:
    """The code an app shows for a key typed by hand (the base32 key of the enrolment page)."""
    from base64 import b32decode

    plain = key_text.replace(" ", "").upper()
    key = b32decode(plain + "=" * (-len(plain) % 8))
    totp = TOTP(key, 30, 0, 6, 0)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


class SignInClient(Client):
    """The test client whose force_login() signs staff in the whole way: the password step (as
    force_login always did) and the second factor, by an authenticator app of theirs."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        if user.role in STAFF_ROLES:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
            session.save()

    def password_only(self, user, next_url: str = ""):
        """Signed in by the password alone: the session waits for the second factor."""
        super().force_login(user)
        session = self.session
        session[second_factor.PENDING_KEY] = user.pk
        session[second_factor.NEXT_KEY] = next_url
        session.save()
        assert session[SESSION_KEY] == str(user.pk)
