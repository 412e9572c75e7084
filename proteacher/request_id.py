"""Every request has an id: on the response (`X-Request-ID`), in every log line written while it is
served, and on the 500 page as 錯誤代碼, so that a user can quote it and an operator finds the lines.

The id comes from the proxy in front when it sent a sane `X-Request-ID` (so the proxy's logs and the
platform's carry the same one), else a new random one. It lives in a context variable for the time
of the request; `RequestIdFilter` copies it onto each log record (`-` outside a request, as in the
worker). `JsonFormatter` writes a record as one JSON object a line (settings.LOGGING, LOG_FORMAT).
"""

import contextvars
import datetime
import json
import logging
import re
import secrets

import csp.constants
from csp.utils import build_policy
from django.http import HttpResponseServerError
from django.template import loader

HEADER = "X-Request-ID"
NONE = "-"
# Letters, digits and a few separators (UUIDs, a proxy's own ids), nothing a log line or a page
# would need to escape.
SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NONE)


def new_id() -> str:
    return secrets.token_hex(8)


def incoming(value: str | None) -> str:
    """The id for a request that sent `value` in X-Request-ID: that one when sane, else a new one."""
    if value and SANE.fullmatch(value):
        return value
    return new_id()


def request_id(get_response):
    """First of the middleware, so that every other one, the view and the 500 page see the id."""

    def middleware(request):
        request.request_id = incoming(request.headers.get(HEADER))
        token = current.set(request.request_id)
        try:
            response = get_response(request)
        finally:
            current.reset(token)
        response[HEADER] = request.request_id
        return response

    return middleware


def server_error(request, *args, **kwargs):
    """handler500: the Chinese error page with the request's id as 錯誤代碼. Rendered without the
    request, so that no context processor (the signed-in user, unread messages) reads the
    database that may be what failed."""
    template = loader.get_template("500.html")
    found = current.get()
    response = HttpResponseServerError(template.render({"request_id": found if found != NONE else ""}))
    # The platform's policy even when what failed ran before django-csp's middleware (which then
    # leaves this one as it is).
    response[csp.constants.HEADER] = build_policy()
    return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        # Django logs a 4xx/5xx answer ("Not Found: /x") after the middleware has returned, with
        # the request attached to the record.
        record.request_id = getattr(getattr(record, "request", None), "request_id", None) or current.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, request id, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", NONE),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)
