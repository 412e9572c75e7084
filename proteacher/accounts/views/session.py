"""繼續使用: the idle-session dialog of every signed-in page (static/js/session.js) asks for more time.

Any request a signed-in user makes starts the SESSION_IDLE_MINUTES again (accounts.idle, which writes
the session back at most once a minute); this one always writes it back, and does nothing else.
"""

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from proteacher.accounts import idle
from proteacher.accounts.middleware import second_factor_exempt

SIGNED_OUT = "您已閒置過久，系統已自動登出，請重新登入。"


# Between the password and the second factor too: the step's page carries the idle warning.
@second_factor_exempt
@never_cache
@require_POST
def keep_alive(request):
    if not request.user.is_authenticated:
        return JsonResponse({"status": "signed_out", "message": SIGNED_OUT}, status=401)
    idle.restart(request)
    return JsonResponse({"status": "ok", "seconds": settings.SESSION_COOKIE_AGE})
