"""Response headers the platform adds beside Django's SecurityMiddleware and django-csp.

- `Permissions-Policy` on every response, from settings.PERMISSIONS_POLICY.
- `Cache-Control: private, no-store` on every response to a signed-in user: a teacher's forms and
  files, an officer's queues, are never kept by a proxy or in the browser's cache for the next
  person at a shared school computer (the back button then asks the server again).
- A page that the platform's own pages show in an <iframe> says so once, with Django's
  `xframe_options_sameorigin`; its Content-Security-Policy then allows the same origin as the
  framing page (`frame-ancestors 'self'`), where every other page allows none.
"""

from csp.constants import SELF
from django.conf import settings
from django.utils.cache import patch_cache_control
from django.utils.deprecation import MiddlewareMixin


def permissions_policy(features: dict[str, list[str]]) -> str:
    """`camera=(), publickey-credentials-get=(self)`: each feature and the origins that may use it."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class SecurityHeadersMiddleware(MiddlewareMixin):
    """Placed below CSPMiddleware (it tunes the policy CSPMiddleware then writes) and below
    AuthenticationMiddleware (it reads request.user)."""

    def __init__(self, get_response):
        super().__init__(get_response)
        self.permissions_policy = permissions_policy(settings.PERMISSIONS_POLICY)

    def process_response(self, request, response):
        response.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN":
            response._csp_replace = {**(getattr(response, "_csp_replace", None) or {}), "frame-ancestors": [SELF]}
        return response
