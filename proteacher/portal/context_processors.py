from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, reverse

# The addresses every page's frame links to (header, menu, breadcrumb root): reversed once per
# process and script prefix instead of on every page.
FRAME_URLS = {
    "home": "portal:home",
    "workspace": "portal:workspace",
    "downloads": "portal:downloads",
    "help": "portal:help",
    "certification": "certification:index",
    "notifications": "notifications:inbox",
    "profile": "accounts:profile",
    "login": "accounts:login",
    "logout": "accounts:logout",
    "keep_alive": "accounts:keep_alive",
    "verify": "verify:form",
    "accessibility": "portal:accessibility",
}


@lru_cache(maxsize=8)
def _frame_urls(prefix: str) -> dict[str, str]:
    return {key: reverse(name) for key, name in FRAME_URLS.items()}


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        # For the idle-session warning of every signed-in page (static/js/session.js).
        "SESSION_SECONDS": settings.SESSION_COOKIE_AGE,
        "SESSION_WARNING_SECONDS": settings.SESSION_WARNING_SECONDS,
        "frame_urls": _frame_urls(get_script_prefix()),
    }
