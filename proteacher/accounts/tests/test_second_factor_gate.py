"""No page of the platform for a 委員, 縣市 or 管理者 who has given the password but not yet the
second factor: every route, every method, every staff role, is sent to the second step, except
the few pages of that step itself (SecondFactorMiddleware)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from proteacher.accounts import second_factor
from proteacher.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

SECOND_FACTOR = reverse("accounts:second_factor")

# What a staff member reaches between the two steps: the step, the enrolment, 登出, 使用者登入
# itself, the idle-session keep-alive of the step's page, and the passkey ceremony.
BETWEEN_STEPS = {
    "accounts:login",
    "accounts:logout",
    "accounts:keep_alive",
    "accounts:second_factor",
    "accounts:second_factor_enrol",
    "accounts:second_factor_codes",
    "accounts:second_factor_codes_download",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "otp_webauthn:js-i18n-catalog",
    # The probes for load balancers and monitoring, answered before any session is read (portal.probes).
    "portal:healthz",
    "portal:metrics",
}

# A value for each kind of URL parameter: the middleware answers before any view looks it up.
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": "00000000-0000-0000-0000-000000000000"}


def every_route(patterns=None, prefix="", namespace=""):
    """(name, path) of every named route, with sample values in place of its parameters."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_route(entry.url_patterns, prefix + sample_path(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", "/" + prefix + sample_path(entry.pattern)


def sample_path(pattern) -> str:
    return re.sub(r"<(?:(\w+):)?\w+>", lambda found: SAMPLES.get(found.group(1) or "str", "1"), str(pattern))


ROUTES = sorted(set(every_route()))


def test_the_walk_finds_the_staff_pages():
    names = {name for name, _ in ROUTES}

    assert {"portal:workspace", "review:queue", "accounts:staff_list", "certification:settings"} <= names
    assert BETWEEN_STEPS <= names
    assert not [path for _, path in ROUTES if "<" in path]


@pytest.mark.parametrize("persona", ["taipei_officer", "reviewer", "admin_user"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_other_route_waits_for_the_second_factor(client, request, persona, method):
    user = request.getfixturevalue(persona)
    client.password_only(user)
    reached = []

    for name, path in ROUTES:
        if name in BETWEEN_STEPS:
            continue
        response = getattr(client, method)(path)
        if not (response.status_code == 302 and response["Location"] == SECOND_FACTOR):
            reached.append((name, path, response.status_code))

    assert reached == []
    # Still waiting: nothing above signed the user out or in.
    assert second_factor.PENDING_KEY in client.session
    assert not AuditEntry.objects.filter(action="login.ok").exists()


def test_a_teacher_is_not_asked_for_a_second_factor(client, teacher):
    client.force_login(teacher)

    assert client.get(reverse("certification:index")).status_code == 200
