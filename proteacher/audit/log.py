"""Write an audit entry: `record(action, …)` in the transaction of what it records (a change
rolled back leaves no entry), or on its own for what changes nothing (a sign-in failure, a file
looked at).

An entry names who (the signed-in user, or nobody for the platform itself), what (`action`, a
dotted code of audit.actions, and `target`, words a 管理者 reads), whose data (`subject`: the
teacher), the case, a little structured `data`, and the client address: the given request's, else
that of the request being served (audit.middleware), so a service deep under a view records where
its change came from without being handed the request.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

from proteacher.audit.actions import LABELS
from proteacher.audit.models import AuditEntry

# The request this thread (or task) is serving, set by audit.middleware for the length of it.
_serving: ContextVar = ContextVar("audit_serving", default=None)


@contextmanager
def serving(request) -> Iterator[None]:
    token = _serving.set(request)
    try:
        yield
    finally:
        _serving.reset(token)


def client_ip(request) -> str | None:
    """The address the request came from (REMOTE_ADDR: a proxy in front sets it right, see
    README, Deploying)."""
    return (request.META.get("REMOTE_ADDR") or None) if request is not None else None


def record(
    action: str,
    *,
    actor=None,
    request=None,
    subject=None,
    case=None,
    target: str = "",
    data: dict | None = None,
    at=None,
) -> AuditEntry:
    """Append one entry. `actor` defaults to the given request's signed-in user (never to the
    request being served: a service names its actor, None for the platform itself); `subject` and
    `case` take a model instance or an id. One INSERT, nothing read."""
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    entry = _entry(action, actor, subject, case, target, data, at or timezone.now(), _ip(request))
    entry.save(force_insert=True)
    return entry


def record_many(action: str, entries: Iterable[dict], *, actor=None, at=None) -> list[AuditEntry]:
    """Append entries of one action by one actor at one moment (a batch of cases moved in one
    transaction): each dict holds record()'s `subject`, `case`, `target` and `data`. The same
    fields as record() writes, in one INSERT."""
    at = at or timezone.now()
    ip = _ip(None)
    rows = [
        _entry(
            action,
            actor,
            entry.get("subject"),
            entry.get("case"),
            entry.get("target", ""),
            entry.get("data"),
            at,
            ip,
        )
        for entry in entries
    ]
    return AuditEntry.objects.bulk_create(rows) if rows else []


def _ip(request) -> str | None:
    return client_ip(request if request is not None else _serving.get())


def _entry(action: str, actor, subject, case, target: str, data: dict | None, at, ip) -> AuditEntry:
    if action not in LABELS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit.actions first")
    return AuditEntry(
        at=at,
        action=action,
        actor_id=actor.pk if actor is not None else None,
        actor_role=getattr(actor, "role", "") if actor is not None else "",
        actor_name=(getattr(actor, "name", "") or getattr(actor, "username", "")) if actor is not None else "",
        subject_id=_id(subject),
        case_id=_id(case),
        target=target[:200],
        data=data or {},
        ip=ip,
    )


def _id(value) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else value.pk
