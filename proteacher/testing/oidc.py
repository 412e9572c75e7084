"""A real OpenID Connect provider (oidc-provider-mock) for tests of the SSO roaming login.

Start it once per module or session and point the platform at it per test::

    @pytest.fixture(scope="module")
    def provider():
        with oidc.running_provider() as running:
            yield running

    @pytest.fixture
    def sso(settings, provider):
        provider.configure(settings)
        return provider

The platform is driven with Django's test client, the provider with ``requests``, as a browser
would go back and forth between the two.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from oidc_provider_mock import run_server_in_thread

CLIENT_ID = "proteacher-test"
CLIENT_SECRET = "proteacher-test-secret"
TIMEOUT = 10


@dataclass
class AuthorizationResponse:
    """Where the provider sent the browser back: the platform's callback with code and state (or error)."""

    location: str

    @property
    def path(self) -> str:
        """The callback as the Django test client wants it: path and query, no host."""
        parts = urlsplit(self.location)
        return f"{parts.path}?{parts.query}" if parts.query else parts.path

    @property
    def params(self) -> dict[str, str]:
        return {name: values[0] for name, values in parse_qs(urlsplit(self.location).query).items()}


@dataclass
class Provider:
    url: str

    def configure(self, settings) -> None:
        """Point the platform at this provider (``settings`` is pytest-django's fixture)."""
        settings.OIDC_ISSUER = self.url
        settings.OIDC_CLIENT_ID = CLIENT_ID
        settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_SCOPE = "openid profile"

    def metadata(self) -> dict:
        response = requests.get(f"{self.url}/.well-known/openid-configuration", timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def set_user(self, sub: str, claims: dict) -> None:
        """What the network will say about this account at the next authorization."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=TIMEOUT)
        response.raise_for_status()

    def authorize(self, authorize_url: str, sub: str) -> AuthorizationResponse:
        """Submit the provider's authorize form as the given account (its "Authorize" button)."""
        return self._submit(authorize_url, {"sub": sub})

    def deny(self, authorize_url: str) -> AuthorizationResponse:
        """Press the provider's "Deny" button: the network's 取消."""
        return self._submit(authorize_url, {"action": "deny"})

    def exchange_code(self, code: str, redirect_uri: str, code_verifier: str = "") -> requests.Response:
        """Call the token endpoint directly, as the platform does with the code it received."""
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        if code_verifier:
            data["code_verifier"] = code_verifier
        return requests.post(
            self.metadata()["token_endpoint"], data=data, auth=(CLIENT_ID, CLIENT_SECRET), timeout=TIMEOUT
        )

    def _submit(self, authorize_url: str, form: dict) -> AuthorizationResponse:
        # The form posts back to the authorize address with the client's query string intact.
        page = requests.get(authorize_url, timeout=TIMEOUT)
        page.raise_for_status()
        response = requests.post(authorize_url, data=form, allow_redirects=False, timeout=TIMEOUT)
        if response.status_code != 302:
            raise AssertionError(f"the provider did not redirect back: {response.status_code} {response.text[:500]}")
        return AuthorizationResponse(response.headers["Location"])


@contextmanager
def running_provider(*, require_nonce: bool = True) -> Iterator[Provider]:
    """Serve the provider on a free loopback port for the duration of the block."""
    werkzeug_logger = logging.getLogger("werkzeug")
    level = werkzeug_logger.level
    # One access-log line per request would bury the test output.
    werkzeug_logger.setLevel(logging.WARNING)
    try:
        with run_server_in_thread(require_nonce=require_nonce) as server:
            yield Provider(url=f"http://localhost:{server.server_port}")
    finally:
        werkzeug_logger.setLevel(level)
