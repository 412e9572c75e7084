"""Who may open which route of the api app, for every kind of visitor: the API 權杖 pages are
管理者's alone; the API itself answers a bearer token only, never a session (every signed-in
role gets 401 without a token), and its OpenAPI document is public."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from proteacher.api.models import TokenImport
from proteacher.review import imports
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "teacher", "reviewer", "county", "admin"]
SIGN_IN = "sign in"
PERSONA_FIXTURES = {"teacher": "teacher", "reviewer": "reviewer", "county": "taipei_officer", "admin": "admin_user"}

ADMIN_ONLY = {"anonymous": SIGN_IN, "teacher": 403, "reviewer": 403, "county": 403, "admin": 200}
# 撤銷 answers with the list again (a redirect) once done.
ADMIN_ONLY_POST = ADMIN_ONLY | {"admin": 302}
TOKEN_ONLY = dict.fromkeys(ROLES, 401)
OPEN = dict.fromkeys(ROLES, 200)
NOWHERE = dict.fromkeys(ROLES, 404)

TOKEN = "<a token>"
CASE = "<a case>"
CERTIFICATE = "<a certificate>"
IMPORT_RUN = "<a training file a token sent>"

# (route, URL kwargs, method, expected status per role)
MATRIX = [
    ("api:tokens", {}, "get", ADMIN_ONLY),
    ("api:token_new", {}, "get", ADMIN_ONLY),
    # An empty form is refused with its errors (400) for 管理者.
    ("api:token_new", {}, "post", ADMIN_ONLY | {"admin": 400}),
    ("api:token_revoke", {"pk": TOKEN}, "get", ADMIN_ONLY),
    ("api:token_revoke", {"pk": TOKEN}, "post", ADMIN_ONLY_POST),
    ("api:v1:openapi-json", {}, "get", OPEN),
    # The API's root is no page (no browsable documentation is served).
    ("api:v1:api-root", {}, "get", NOWHERE),
    ("api:v1:list_cases", {}, "get", TOKEN_ONLY),
    ("api:v1:case_detail", {"case_id": CASE}, "get", TOKEN_ONLY),
    ("api:v1:list_certificates", {}, "get", TOKEN_ONLY),
    ("api:v1:certificate_detail", {"certificate_id": CERTIFICATE}, "get", TOKEN_ONLY),
    ("api:v1:get_statistics", {}, "get", TOKEN_ONLY),
    ("api:v1:create_training_import", {}, "post", TOKEN_ONLY),
    ("api:v1:get_training_import", {"run_id": IMPORT_RUN}, "get", TOKEN_ONLY),
]


@pytest.fixture
def objects(issue, teacher):
    token, _ = issue()
    upload = SimpleUploadedFile("研習時數.csv", "全教網帳號,課程名稱,類別,時數,研習日期\n".encode())
    run = imports.submit("training", upload, actor=None, by="API 測試系統", load_when_clean=True)
    TokenImport.objects.create(token=token, run=run)
    return {
        TOKEN: token.pk,
        CASE: factories.case(teacher).pk,
        CERTIFICATE: factories.certificate(teacher).pk,
        IMPORT_RUN: run.pk,
    }


@pytest.mark.parametrize(
    ("route", "kwargs", "method", "role", "expected"),
    [
        pytest.param(route, kwargs, method, role, expected[role], id=f"{route}-{method}-{role}")
        for route, kwargs, method, expected in MATRIX
        for role in ROLES
    ],
)
def test_route_access(client, request, objects, route, kwargs, method, role, expected):
    if role in PERSONA_FIXTURES:
        client.force_login(request.getfixturevalue(PERSONA_FIXTURES[role]))
    url = reverse(route, kwargs={key: objects.get(value, value) for key, value in kwargs.items()})

    response = getattr(client, method)(url)

    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    else:
        assert response.status_code == expected


def route_names(namespace: str, resolver=None) -> set[str]:
    resolver = resolver or get_resolver()
    names = {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
    for inner, (_, nested) in resolver.namespace_dict.items():
        names |= route_names(f"{namespace}:{inner}", nested)
    return names


def test_the_matrix_covers_every_api_route():
    _, api_resolver = get_resolver().namespace_dict["api"]

    assert route_names("api", api_resolver) == {route for route, *_ in MATRIX}
