from django.conf import settings


def site(request):
    return {
        "SITE_URL": settings.SITE_URL,
        # For the idle-session warning of every signed-in page (static/js/session.js).
        "SESSION_SECONDS": settings.SESSION_COOKIE_AGE,
        "SESSION_WARNING_SECONDS": settings.SESSION_WARNING_SECONDS,
    }
