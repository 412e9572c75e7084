"""Who may open which portal page: 首頁, 功能專區, 檔案下載, 操作教學, 下載個人資料 and 通知設定, for every
role, and the probes for load balancers and monitoring (/healthz, /metrics)."""

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from proteacher.portal import heartbeat

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "teacher", "reviewer", "county", "admin"]
SIGN_IN = "sign in"  # a 302 to the login page that comes back afterwards

OPEN = dict.fromkeys(ROLES, 200)
SIGNED_IN = {"anonymous": SIGN_IN} | dict.fromkeys(ROLES[1:], 200)
# A teacher's own personal data: the teacher alone, never any staff role (管理者 included).
TEACHER_ONLY = {"anonymous": SIGN_IN, "teacher": 200, "reviewer": 403, "county": 403, "admin": 403}
# No page for anyone: /metrics while METRICS_ENABLED is off (its default); test_metrics has it on.
NOBODY = dict.fromkeys(ROLES, 404)

# (route name, method, expected status per role)
MATRIX = [
    ("portal:home", "get", OPEN),
    ("portal:workspace", "get", SIGNED_IN),
    ("portal:downloads", "get", OPEN),
    ("portal:help", "get", OPEN),
    ("portal:accessibility", "get", OPEN),
    ("portal:personal_data", "get", TEACHER_ONLY),
    ("portal:personal_data", "post", TEACHER_ONLY),
    ("portal:personal_data", "put", TEACHER_ONLY | {"teacher": 405}),
    # 通知設定: everyone's own choice; a post that chose nothing is the page again, with the error.
    ("portal:notice_settings", "get", SIGNED_IN),
    ("portal:notice_settings", "post", SIGNED_IN),
    ("portal:notice_settings", "put", SIGNED_IN | dict.fromkeys(ROLES[1:], 405)),
    # The same for every role, signed in or not: it reads no session (a worker beats in `_live_worker`).
    ("portal:healthz", "get", OPEN),
    ("portal:healthz", "post", dict.fromkeys(ROLES, 405)),
    ("portal:metrics", "get", NOBODY),
    ("portal:metrics", "post", NOBODY),
]

PERSONA_FIXTURES = {"teacher": "teacher", "reviewer": "reviewer", "county": "taipei_officer", "admin": "admin_user"}


@pytest.fixture(autouse=True)
def _live_worker(db):
    """A worker that has just finished a pass, so /healthz has every check to pass."""
    heartbeat.beat("worker-host:1", started_at=timezone.now(), passes=1)


@pytest.mark.parametrize(
    ("route", "method", "role", "expected"),
    [
        pytest.param(route, method, role, expected[role], id=f"{route}-{method}-{role}")
        for route, method, expected in MATRIX
        for role in ROLES
    ],
)
def test_route_access(client, request, route, method, role, expected):
    user = request.getfixturevalue(PERSONA_FIXTURES[role]) if role in PERSONA_FIXTURES else None
    if user is not None:
        client.force_login(user)
    url = reverse(route)

    response = getattr(client, method)(url)

    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_portal_route():
    names = {name for name in get_resolver().namespace_dict["portal"][1].reverse_dict if isinstance(name, str)}

    assert {f"portal:{name}" for name in names} == {route for route, *_ in MATRIX}
