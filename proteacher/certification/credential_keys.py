"""The platform's Ed25519 key, which signs each certificate's digital credential (certification.credential).

CREDENTIAL_SIGNING_KEY holds the private key, a PEM (`manage.py new_credential_key`, or
`openssl genpkey -algorithm ed25519`) or a JWK; in production it is read from the file named by
CREDENTIAL_SIGNING_KEY_FILE. Unset, a development machine (DEBUG on) generates one under VAR_DIR
once and keeps it; with DEBUG off no credential is signed or verified at all (the pages say so),
and `check --deploy` warns. A key that cannot be read is an error of `check --deploy`, and the
pages answer as if there were none (logged), never a 500.
"""

import functools
import json
import logging
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.core import checks
from joserfc.jwk import OKPKey

logger = logging.getLogger(__name__)

# RFC 9864's fully specified name for EdDSA with Ed25519 (RFC 8037's "EdDSA" left the curve open).
ALGORITHM = "Ed25519"
DEVELOPMENT_KEY_NAME = "credential-key.pem"
MISSING = (
    "CREDENTIAL_SIGNING_KEY is not set and DEBUG is off: certificates are offered without their signed "
    "digital credential (下載數位憑證) and uploaded credentials cannot be verified. Set "
    "CREDENTIAL_SIGNING_KEY_FILE to an Ed25519 private key (PEM), e.g. the output of "
    "`manage.py new_credential_key`, and keep it: credentials signed with a lost key no longer verify."
)
UNREADABLE = "CREDENTIAL_SIGNING_KEY is not an Ed25519 private key (PEM or JWK): {problem}"


class KeyUnreadable(ValueError):
    pass


def new_private_pem() -> str:
    """A fresh Ed25519 private key as an unencrypted PKCS#8 PEM."""
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def parse(text: str) -> OKPKey:
    """The private key in `text` (PEM or JWK JSON), with its kid set to its RFC 7638 thumbprint."""
    text = text.strip()
    try:
        key = OKPKey.import_key(json.loads(text) if text.startswith("{") else text)
    except Exception as exc:  # the key parsers raise many kinds; each means the same here
        raise KeyUnreadable(UNREADABLE.format(problem=exc.__class__.__name__)) from exc
    if key.curve_name != "Ed25519":
        raise KeyUnreadable(UNREADABLE.format(problem=f"curve {key.curve_name}"))
    if not key.is_private:
        raise KeyUnreadable(UNREADABLE.format(problem="a public key, not a private one"))
    return OKPKey.import_key(key.as_dict(private=True), {"kid": key.thumbprint()})


def _development_key(var_dir: Path) -> str:
    """The key under VAR_DIR, generated on first use; two processes at once end up with one key."""
    path = var_dir / DEVELOPMENT_KEY_NAME
    if not path.exists():
        handle, staging = tempfile.mkstemp(prefix=f".{DEVELOPMENT_KEY_NAME}.", dir=var_dir)  # mode 0600
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(new_private_pem())
            os.link(staging, path)  # fails when another process got there first: its key is used
        except FileExistsError:
            pass
        finally:
            os.unlink(staging)
    return path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=4)
def _loaded(configured: str, debug: bool, var_dir: str) -> OKPKey | None:
    if configured:
        return parse(configured)
    if debug:
        return parse(_development_key(Path(var_dir)))
    return None


def signing_key() -> OKPKey | None:
    """The platform's key, or None when it has none (or cannot read the one it was given)."""
    try:
        return _loaded(settings.CREDENTIAL_SIGNING_KEY, settings.DEBUG, str(settings.VAR_DIR))
    except (KeyUnreadable, OSError) as exc:
        logger.error("No digital credentials: %s", exc)
        return None


def public_jwk(key: OKPKey) -> dict:
    """The public part of the key, for signatures with ALGORITHM (the JWKS and the DID document
    add the kid the JWS headers name it by)."""
    public = key.as_dict(private=False)
    public.pop("kid", None)
    return public | {"use": "sig", "alg": ALGORITHM}


@checks.register(checks.Tags.security, deploy=True)
def check_signing_key(app_configs, **kwargs):
    if settings.CREDENTIAL_SIGNING_KEY:
        try:
            parse(settings.CREDENTIAL_SIGNING_KEY)
        except KeyUnreadable as exc:
            return [checks.Error(str(exc), id="proteacher.E002")]
        return []
    if not settings.DEBUG:
        return [checks.Warning(MISSING, id="proteacher.W001")]
    return []
