"""The headers every response carries: the Content-Security-Policy, the Permissions-Policy, and
Cache-Control: no-store for a signed-in user (proteacher/headers.py, settings.py)."""

import pytest
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from proteacher.certification.workflow import State
from proteacher.headers import permissions_policy
from proteacher.review.tests.test_decisions import advance
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_a_page_runs_only_the_platforms_own_scripts_and_styles(client):
    policy = directives(client.get(reverse("portal:home")))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy)


def test_a_page_may_be_framed_by_nobody(client, teacher):
    client.force_login(teacher)

    response = client.get(reverse("certification:index"))

    assert directives(response)["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_form_shown_inside_the_office_page_may_be_framed_by_the_platform_only(client, teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    factories.answer(case, "implementation", "implementation_proof", file_name="公開授課實施證明.pdf")
    factories.answer(case, "observation", "anecdotal_record")
    case = advance(case, State.FORMAL_REVIEW, taipei_officer)
    client.force_login(taipei_officer)

    framed = client.get(reverse("review:submission_print", args=[case.pk, 1, "observation"]))
    pdf = client.get(reverse("review:submission_file", args=[case.pk, 1, "implementation"]))

    assert framed.status_code == 200
    assert directives(framed)["frame-ancestors"] == ["'self'"]
    assert directives(framed)["script-src"] == ["'self'"]
    # A stored PDF keeps the policy of its own: it runs no script in the platform's origin.
    assert pdf["Content-Security-Policy"] == "sandbox"


def test_an_inline_script_may_run_with_the_requests_nonce():
    # The way out for a script that must be inline (docs/architecture.md): the nonce the page used
    # is in the policy of that response, and only of that one.
    request = RequestFactory().get("/")

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    middleware = CSPMiddleware(view)
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))

    assert f"'nonce-{request.csp_nonce}'" in directives(response)["script-src"]


def test_unused_browser_features_are_off_and_passkeys_are_allowed(client):
    header = client.get(reverse("portal:home"))["Permissions-Policy"]

    for off in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert off in header
    assert "publickey-credentials-get=(self)" in header
    assert "publickey-credentials-create=(self)" in header


def test_the_permissions_policy_is_written_feature_by_feature():
    assert permissions_policy({"camera": [], "publickey-credentials-get": ["self"]}) == (
        "camera=(), publickey-credentials-get=(self)"
    )


@pytest.mark.parametrize("route", ["portal:home", "portal:workspace", "notifications:inbox", "certification:index"])
def test_no_page_shown_to_a_signed_in_user_is_stored(client, teacher, route):
    client.force_login(teacher)

    response = client.get(reverse(route))

    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= cache_control


def test_an_answer_to_a_script_of_a_signed_in_user_is_not_stored_either(client, teacher):
    client.force_login(teacher)

    response = client.post(reverse("accounts:keep_alive"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_a_page_for_anyone_may_be_cached(client):
    response = client.get(reverse("portal:downloads"))

    assert "no-store" not in response.get("Cache-Control", "")


def test_error_pages_carry_the_policy_too(client, teacher):
    client.force_login(teacher)

    missing = client.get("/no-such-page/")
    forbidden = client.get(reverse("accounts:staff_list"))

    assert missing.status_code == 404 and "script-src" in missing["Content-Security-Policy"]
    assert forbidden.status_code == 403 and "script-src" in forbidden["Content-Security-Policy"]
    assert "no-store" in missing["Cache-Control"]
