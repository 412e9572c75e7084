"""Sessions end after SESSION_IDLE_MINUTES without a request (settings.SESSION_COOKIE_AGE): each
request of a session starts that time again.

Starting it again means writing the session back with a new expiry. Doing so on every request
(Django's SESSION_SAVE_EVERY_REQUEST) made every page a write transaction — on deadline day, one
commit for each page any teacher opened. The session is written back only when its time was last
started more than `refresh_every()` seconds ago (a minute, or a hundredth of the idle time when
that is shorter), so a session ends between SESSION_IDLE_MINUTES and one minute less after its
last request. 繼續使用 (accounts.views.session) always writes it back.
"""

from django.conf import settings
from django.utils import timezone

STARTED_KEY = "_idle_started"


def refresh_every() -> int:
    return min(60, settings.SESSION_COOKIE_AGE // 100)


def restart(request) -> None:
    """Start the session's idle time again now (the session is written back with the response)."""
    request.session[STARTED_KEY] = _now()


def _now() -> int:
    # The clock the session's expiry is computed with.
    return int(timezone.now().timestamp())


def idle_session(get_response):
    def middleware(request):
        session = request.session
        # Only a session that holds something: a visitor without one is not given one.
        if session.keys() and _now() - session.get(STARTED_KEY, 0) >= refresh_every():
            restart(request)
        return get_response(request)

    return middleware
