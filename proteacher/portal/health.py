"""/healthz for load balancers and monitoring: is this web server able to serve?

Three checks, each read-only: the database answers `SELECT 1` (within a statement timeout on
PostgreSQL), the file storage answers (`exists()` of a key, which is what every upload asks it
too: a HEAD request on S3; on local disk the folder is listed when it exists), and the newest worker
heartbeat is no older than HEALTH_WORKER_MAX_AGE_SECONDS. All hold: 200 and
{"status": "ok", "checks": {…}}; any fails: 503, "status": "fail" and the failing checks named in
"failing". `?full=0` checks nothing and answers 200 while the process serves (liveness).

The page is public, so it says which check failed and the kind of error, never the error's text
(a database's host and port); that is logged. It is answered by portal.probes before any other
middleware, so no session is read or written and a database that is down gives a 503, not a 500.
"""

import functools
import logging
import os
import time

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection, transaction
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils import timezone

from proteacher.accounts.middleware import second_factor_exempt
from proteacher.portal import heartbeat

logger = logging.getLogger("proteacher.health")

# A key that need not exist: asking for it proves the storage answers and lets us in.
STORAGE_PROBE_KEY = "healthz-probe"
# The longest the database may take for `SELECT 1` on PostgreSQL, for this transaction only.
STATEMENT_TIMEOUT = "SET LOCAL statement_timeout = 2000"


def get_and_head_only(view):
    """Like Django's require_safe, with a plain-text answer: the probes render no page."""

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"], content_type="text/plain; charset=utf-8")
        return view(request, *args, **kwargs)

    return checked


class CheckFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def check_database() -> dict:
    try:
        if connection.vendor == "postgresql":
            # SET LOCAL lasts for its transaction only, never the connection kept for the next request.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(STATEMENT_TIMEOUT)
                cursor.execute("SELECT 1")
                cursor.fetchone()
        else:
            # Outside a transaction: SQLite's are BEGIN IMMEDIATE (settings), which would take the
            # write lock.
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
    except Exception as error:
        logger.warning("Health check: the database failed", exc_info=True)
        raise CheckFailed(f"資料庫無法連線（{type(error).__name__}）") from error
    return {}


def check_storage() -> dict:
    try:
        default_storage.exists(STORAGE_PROBE_KEY)
        if isinstance(default_storage, FileSystemStorage) and os.path.isdir(default_storage.location):
            # A local folder (or a mount of a shared disk) that cannot be read fails here.
            os.scandir(default_storage.location).close()
    except Exception as error:
        logger.warning("Health check: the file storage failed", exc_info=True)
        raise CheckFailed(f"檔案儲存無法存取（{type(error).__name__}）") from error
    return {}


def check_worker() -> dict:
    limit = settings.HEALTH_WORKER_MAX_AGE_SECONDS
    try:
        newest = heartbeat.newest_beat()
    except Exception as error:
        logger.warning("Health check: reading the worker heartbeat failed", exc_info=True)
        raise CheckFailed(f"無法讀取背景程式的運作紀錄（{type(error).__name__}）") from error
    if newest is None:
        raise CheckFailed("背景程式（run_worker）從未回報運作")
    age = max(0, round((timezone.now() - newest).total_seconds()))
    if age > limit:
        raise CheckFailed(f"背景程式（run_worker）已 {age} 秒未回報運作，上限 {limit} 秒")
    return {"age_seconds": age, "limit_seconds": limit}


CHECKS = {"database": check_database, "storage": check_storage, "worker": check_worker}
# Read from the database: not tried when the database itself failed (it would only wait again).
NEEDS_DATABASE = {"worker"}


def run_checks() -> tuple[bool, dict]:
    results = {}
    for name, check in CHECKS.items():
        if name in NEEDS_DATABASE and not results["database"]["ok"]:
            results[name] = {"ok": False, "error": "資料庫無法連線，未檢查"}
            continue
        started = time.monotonic()
        try:
            details = check()
        except CheckFailed as failed:
            result = {"ok": False, "error": failed.message}
        else:
            result = {"ok": True, **details}
        result["ms"] = round((time.monotonic() - started) * 1000, 1)
        results[name] = result
    return all(result["ok"] for result in results.values()), results


@second_factor_exempt
@get_and_head_only
def healthz(request):
    if request.GET.get("full") == "0":
        return _answer(200, {"status": "ok", "checks": {}})
    healthy, results = run_checks()
    body = {"status": "ok" if healthy else "fail", "checks": results}
    if not healthy:
        body["failing"] = [name for name, result in results.items() if not result["ok"]]
    return _answer(200 if healthy else 503, body)


def _answer(status: int, body: dict) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response
