"""The page a refused form post gets (settings.CSRF_FAILURE_VIEW), in place of Django's English one.

A post is refused when its page was opened before the session changed (signed in again in another
tab, signed out by the idle timer) or when the browser sent no token at all. Nothing was changed,
and an online form's text is still in its draft (自動儲存), so the page says to go back and reload.
"""

from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme


def csrf_failure(request, reason=""):
    # Django has already logged the reason (logger django.security.csrf); the user reads none of it.
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    return render(request, "csrf_failure.html", {"back_url": back}, status=403)
