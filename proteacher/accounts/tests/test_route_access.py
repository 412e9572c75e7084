"""Who may open which page: every login and account route, and 功能專區, for every role."""

import pytest
from django.urls import get_resolver, reverse

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "teacher", "reviewer", "county", "admin"]
SIGN_IN = "sign in"  # a 302 to the login page that comes back afterwards

OPEN = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": SIGN_IN, "teacher": 200, "reviewer": 200, "county": 200, "admin": 200}
ADMIN_ONLY = {"anonymous": SIGN_IN, "teacher": 403, "reviewer": 403, "county": 403, "admin": 200}
COUNTY_AND_ADMIN = {"anonymous": SIGN_IN, "teacher": 403, "reviewer": 403, "county": 200, "admin": 200}

# (route name, URL kwargs, method, expected status per role)
MATRIX = [
    ("accounts:login", {}, "get", OPEN),
    ("accounts:logout", {}, "get", dict.fromkeys(ROLES, 405)),
    ("accounts:logout", {}, "post", dict.fromkeys(ROLES, 302)),
    # 繼續使用 of the idle-session warning: JSON, and a session that ended says so.
    ("accounts:keep_alive", {}, "get", dict.fromkeys(ROLES, 405)),
    ("accounts:keep_alive", {}, "post", {"anonymous": 401} | dict.fromkeys(ROLES[1:], 200)),
    ("accounts:password_reset", {}, "get", OPEN),
    ("accounts:password_reset_done", {}, "get", OPEN),
    # A link that leads nowhere still answers with the page that says so.
    ("accounts:password_reset_confirm", {"uidb64": "MQ", "token": "not-a-token"}, "get", OPEN),
    ("accounts:password_reset_complete", {}, "get", OPEN),
    ("accounts:staff_list", {}, "get", ADMIN_ONLY),
    ("accounts:staff_list", {}, "post", ADMIN_ONLY | {"admin": 404}),
    ("accounts:staff_create", {}, "get", ADMIN_ONLY),
    ("accounts:teacher_list", {}, "get", COUNTY_AND_ADMIN),
    ("portal:workspace", {}, "get", SIGNED_IN),
]

# accounts: routes whose access is tested beside their own views (SSO, 教師驗證, 個人資訊).
TESTED_ELSEWHERE = {
    "sso_start",
    "sso_callback",
    "dev_identity",
    "verify",
    "verify_email",
    "verify_resend",
    "profile",
    "profile_email",
    "profile_training",
}


PERSONA_FIXTURES = {"teacher": "teacher", "reviewer": "reviewer", "county": "taipei_officer", "admin": "admin_user"}


@pytest.mark.parametrize(
    ("route", "kwargs", "method", "role", "expected"),
    [
        pytest.param(route, kwargs, method, role, expected[role], id=f"{route}-{method}-{role}")
        for route, kwargs, method, expected in MATRIX
        for role in ROLES
    ],
)
def test_route_access(client, request, route, kwargs, method, role, expected):
    user = request.getfixturevalue(PERSONA_FIXTURES[role]) if role in PERSONA_FIXTURES else None
    if user is not None:
        client.force_login(user)
    url = reverse(route, kwargs=kwargs)

    response = getattr(client, method)(url)

    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_account_route():
    names = {name for name in get_resolver().namespace_dict["accounts"][1].reverse_dict if isinstance(name, str)}

    covered = {route.split(":", 1)[1] for route, *_ in MATRIX if route.startswith("accounts:")}
    assert names - TESTED_ELSEWHERE == covered
