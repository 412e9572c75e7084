"""Every call of the API in the audit log: one entry (one INSERT) naming the token, the method,
the path and the answer's status. The OpenAPI document, which needs no token, is not a call."""

from functools import wraps

from django.urls import URLPattern, path

from proteacher.audit.log import record


def audited(view):
    @wraps(view)
    def call(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # What a token reads is personal data: no proxy or client keeps a copy.
        response["Cache-Control"] = "private, no-store"
        token = getattr(request, "api_token", None)
        prefix = token.prefix if token is not None else getattr(request, "api_token_prefix", "")
        who = f"API 權杖「{token.name}」" if token is not None else "API（未通過驗證）"
        record(
            "api.call",
            case=getattr(request, "api_case_id", None),
            target=f"{who} {request.method} {request.path}",
            data={
                "token": prefix,
                "method": request.method,
                "path": request.path,
                "query": request.META.get("QUERY_STRING", "")[:500],
                "status": response.status_code,
            },
        )
        return response

    return call


def audited_patterns(patterns: list) -> list:
    """The API's URL patterns with each operation audited (the document and the root left as they are)."""
    return [
        path(str(pattern.pattern), audited(pattern.callback), name=pattern.name)
        if isinstance(pattern, URLPattern) and pattern.name not in ("openapi-json", "api-root")
        else pattern
        for pattern in patterns
    ]
