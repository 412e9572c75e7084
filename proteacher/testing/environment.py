"""Environment for the test run, set before Django reads its settings (loaded with `-p` from the
pytest options in pyproject.toml, which run before pytest-django sets Django up).

The tests run with DEBUG off, as production does, and settings refuse the built-in development key
there: the tests bring a key of their own, and a fresh one to sign the certificates' digital
credentials with (certification.credential_keys signs nothing with DEBUG off and no key). Child
processes a test starts (a management command, say) inherit both.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-key-" + "0123456789abcdef" * 4)
if not os.environ.get("CREDENTIAL_SIGNING_KEY") and not os.environ.get("CREDENTIAL_SIGNING_KEY_FILE"):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    os.environ["CREDENTIAL_SIGNING_KEY"] = (
        Ed25519PrivateKey.generate()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )
