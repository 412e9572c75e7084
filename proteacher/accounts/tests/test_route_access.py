"""Who may open which page: every login and account route, and 功能專區, for every role."""

import pytest
from django.urls import get_resolver, reverse

pytestmark = pytest.mark.django_db

# A 學校承辦人 (school_officer) is a teacher account holding a grant for one school.
ROLES = ["anonymous", "teacher", "reviewer", "county", "admin", "school_officer"]
STAFF_ROLES = ["reviewer", "county", "admin"]
SIGN_IN = "sign in"  # a 302 to the login page that comes back afterwards

OPEN = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": SIGN_IN, "teacher": 200, "reviewer": 200, "county": 200, "admin": 200}
ADMIN_ONLY = {"anonymous": SIGN_IN, "teacher": 403, "reviewer": 403, "county": 403, "admin": 200}
COUNTY_AND_ADMIN = {"anonymous": SIGN_IN, "teacher": 403, "reviewer": 403, "county": 200, "admin": 200}
STAFF = {"anonymous": SIGN_IN, "teacher": 403, "reviewer": 200, "county": 200, "admin": 200}
LOGIN_PAGE = "login page"  # a 302 to the login page itself: nobody is between the two steps
WORKSPACE = "workspace"  # a 302 to 功能專區
# The second step and the first enrolment: only between the password and the second factor (the
# personas here are signed in the whole way, so they go on to 功能專區).
BETWEEN_STEPS = {"anonymous": LOGIN_PAGE, "teacher": 403} | dict.fromkeys(STAFF_ROLES, WORKSPACE)
# The recovery codes are shown once, right after they are made; none were made here.
CODES_SHOWN_ONCE = {"anonymous": SIGN_IN, "teacher": 403} | dict.fromkeys(STAFF_ROLES, WORKSPACE)

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
    # 重設雙因素驗證 names its account in the POST; none named is none found.
    ("accounts:staff_second_factor_reset", {}, "get", dict.fromkeys(ROLES, 405)),
    ("accounts:staff_second_factor_reset", {}, "post", ADMIN_ONLY | {"admin": 404}),
    # 雙因素驗證
    ("accounts:second_factor", {}, "get", BETWEEN_STEPS),
    ("accounts:second_factor", {}, "post", BETWEEN_STEPS),
    ("accounts:second_factor_enrol", {}, "get", BETWEEN_STEPS),
    ("accounts:second_factor_enrol", {}, "post", BETWEEN_STEPS),
    ("accounts:second_factor_codes", {}, "get", CODES_SHOWN_ONCE),
    ("accounts:second_factor_codes", {}, "post", CODES_SHOWN_ONCE),
    ("accounts:second_factor_codes_download", {}, "get", STAFF | dict.fromkeys(STAFF_ROLES, 404)),
    ("accounts:second_factor_manage", {}, "get", STAFF),
    ("accounts:second_factor_renew_codes", {}, "get", dict.fromkeys(ROLES, 405)),
    ("accounts:second_factor_renew_codes", {}, "post", STAFF | dict.fromkeys(STAFF_ROLES, 302)),
    ("accounts:teacher_list", {}, "get", COUNTY_AND_ADMIN),
    # 學校承辦人: granted by 縣市 (its county's schools) and 管理者; an empty 授權 is refused as a form.
    ("accounts:school_officers", {}, "get", COUNTY_AND_ADMIN),
    ("accounts:school_officers", {}, "post", COUNTY_AND_ADMIN | {"county": 400, "admin": 400}),
    ("accounts:school_officers", {}, "put", COUNTY_AND_ADMIN | {"county": 405, "admin": 405}),
    ("portal:workspace", {}, "get", SIGNED_IN),
]

# A 學校承辦人 is a teacher holding a grant for one school: the grant opens nothing here that a
# teacher's account does not (its pages are certification's: test_school_route_access).
for *_, expected in MATRIX:
    expected.setdefault("school_officer", expected["teacher"])

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


PERSONA_FIXTURES = {
    "teacher": "teacher",
    "reviewer": "reviewer",
    "county": "taipei_officer",
    "admin": "admin_user",
    "school_officer": "school_officer",
}


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
    elif expected == LOGIN_PAGE:
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    elif expected == WORKSPACE:
        assert response.status_code == 302 and response["Location"] == reverse("portal:workspace")
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_account_route():
    names = {name for name in get_resolver().namespace_dict["accounts"][1].reverse_dict if isinstance(name, str)}

    covered = {route.split(":", 1)[1] for route, *_ in MATRIX if route.startswith("accounts:")}
    assert names - TESTED_ELSEWHERE == covered


# The passkey ceremony (django-otp-webauthn's endpoints, accounts.views.passkeys): JSON, and only
# for staff. Registering needs a signed-in staff member; verifying needs one between the two steps
# (the personas here are past them); completing needs the ceremony begun first.
NOT_STAFF = {"anonymous": 403, "teacher": 403, "school_officer": 403}
PASSKEY_MATRIX = [
    ("otp_webauthn:credential-registration-begin", "post", NOT_STAFF | dict.fromkeys(STAFF_ROLES, 200)),
    ("otp_webauthn:credential-registration-complete", "post", NOT_STAFF | dict.fromkeys(STAFF_ROLES, 400)),
    ("otp_webauthn:credential-authentication-begin", "post", dict.fromkeys(ROLES, 403)),
    ("otp_webauthn:credential-authentication-complete", "post", dict.fromkeys(ROLES, 403)),
    # Who may use it is asked before the method: a GET is refused as any other request would be.
    ("otp_webauthn:credential-registration-begin", "get", NOT_STAFF | dict.fromkeys(STAFF_ROLES, 405)),
    ("otp_webauthn:credential-authentication-begin", "get", dict.fromkeys(ROLES, 403)),
    ("otp_webauthn:js-i18n-catalog", "get", OPEN),
]


@pytest.mark.parametrize(
    ("route", "method", "role", "expected"),
    [
        pytest.param(route, method, role, expected[role], id=f"{route}-{method}-{role}")
        for route, method, expected in PASSKEY_MATRIX
        for role in ROLES
    ],
)
def test_passkey_route_access(client, request, route, method, role, expected):
    user = request.getfixturevalue(PERSONA_FIXTURES[role]) if role in PERSONA_FIXTURES else None
    if user is not None:
        client.force_login(user)

    response = getattr(client, method)(reverse(route), content_type="application/json")

    assert response.status_code == expected


def test_the_passkey_matrix_covers_every_passkey_route():
    names = {name for name in get_resolver().namespace_dict["otp_webauthn"][1].reverse_dict if isinstance(name, str)}

    assert names == {route.split(":", 1)[1] for route, *_ in PASSKEY_MATRIX}
