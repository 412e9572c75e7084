"""Who may open 證書查驗 and the published key of the digital credentials: everyone, signed in or
not, with the same answer for each."""

import pytest
from django.urls import get_resolver, reverse

from proteacher.testing import factories

pytestmark = pytest.mark.django_db

PERSONAS = {"anonymous": None, "teacher": "teacher", "reviewer": "reviewer", "county": "taipei_officer"}
PERSONAS["admin"] = "admin_user"
CODE = "<a certificate's code>"

# (route, URL kwargs, method, posted, expected status for every visitor)
MATRIX = [
    ("verify:form", {}, "get", None, 200),
    ("verify:form", {}, "post", {"number": "", "name": ""}, 400),  # the form says what is missing
    ("verify:form", {}, "put", None, 405),
    ("verify:code", {"code": CODE}, "get", None, 200),
    ("verify:code", {"code": "A" * 22}, "get", None, 404),  # 查無此證書
    ("verify:code", {"code": CODE}, "post", None, 405),
    # The certificate's digital credential, its status, an uploaded one verified.
    ("verify:credential", {"code": CODE}, "get", None, 200),
    ("verify:credential", {"code": "A" * 22}, "get", None, 404),
    ("verify:credential", {"code": CODE}, "post", None, 405),
    ("verify:status", {"code": CODE}, "get", None, 200),
    ("verify:status", {"code": "A" * 22}, "get", None, 404),
    ("verify:status", {"code": CODE}, "post", None, 405),
    ("verify:credential_upload", {}, "get", None, 200),
    ("verify:credential_upload", {}, "post", {"text": ""}, 400),  # the form says what is missing
    ("verify:credential_upload", {}, "put", None, 405),
    # The key (JWKS, did:web document).
    ("well_known:jwks", {}, "get", None, 200),
    ("well_known:jwks", {}, "post", None, 405),
    ("well_known:did", {}, "get", None, 200),
    ("well_known:did", {}, "post", None, 405),
]


@pytest.mark.parametrize(
    ("route", "kwargs", "method", "posted", "persona", "expected"),
    [
        pytest.param(*row[:4], persona, row[4], id=f"{row[0]}-{row[2]}-{index}-{persona}")
        for index, row in enumerate(MATRIX)
        for persona in PERSONAS
    ],
)
def test_route_access(client, request, route, kwargs, method, posted, persona, expected):
    holder = factories.teacher(name="李持證", account="t-holder")
    certificate = factories.issued_certificate(holder)
    if PERSONAS[persona]:
        client.force_login(request.getfixturevalue(PERSONAS[persona]))
    url = reverse(route, kwargs={k: certificate.verify_code if v == CODE else v for k, v in kwargs.items()})

    response = getattr(client, method)(url, posted) if posted is not None else getattr(client, method)(url)

    assert response.status_code == expected


def test_the_matrix_covers_every_verification_route():
    routes = set()
    for namespace in ("verify", "well_known"):
        names = get_resolver().namespace_dict[namespace][1].reverse_dict
        routes |= {f"{namespace}:{name}" for name in names if isinstance(name, str)}

    assert routes == {route for route, *_ in MATRIX}
