"""Cases through the API, in the token's scope exactly as the pages' selectors give it: a county
token reads its county's cases and gets 404 for another's, a national token reads every county."""

import datetime

import pytest
from django.utils import timezone

from proteacher.api.tests.conftest import bearer
from proteacher.certification import workflow
from proteacher.certification.workflow import State
from proteacher.review.models import Assignment, ReviewRound
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


def url(case=None) -> str:
    return f"/api/v1/cases/{case.pk}" if case is not None else "/api/v1/cases"


def test_a_county_token_reads_its_own_county_and_never_another(client, issue, taipei, taipei_case, taichung_case):
    _, raw = issue(county=taipei)

    listed = client.get(url(), headers=bearer(raw)).json()
    own = client.get(url(taipei_case), headers=bearer(raw))
    other = client.get(url(taichung_case), headers=bearer(raw))

    assert [row["id"] for row in listed["items"]] == [taipei_case.pk]
    assert own.status_code == 200
    assert other.status_code == 404
    assert other.json()["code"] == "not_found"
    # The same answer as for a case that does not exist: nothing to learn by probing numbers.
    assert client.get("/api/v1/cases/999999", headers=bearer(raw)).json() == other.json()


def test_a_national_token_reads_every_county(client, issue, taipei_case, taichung_case):
    _, raw = issue(county=None)

    listed = client.get(url(), headers=bearer(raw)).json()

    assert {row["id"] for row in listed["items"]} == {taipei_case.pk, taichung_case.pk}
    assert client.get(url(taichung_case), headers=bearer(raw)).status_code == 200


def test_a_case_with_its_state_and_history(client, issue, taipei, taipei_case, teacher, taipei_officer):
    _, raw = issue(county=taipei)

    body = client.get(url(taipei_case), headers=bearer(raw)).json()

    assert body["state"] == {"code": State.FIRST_ASSIGN, "label": workflow.label(State.FIRST_ASSIGN)}
    assert body["certification_type"] == {"code": "advanced", "label": taipei_case.certification_type.name}
    assert body["county"] == {"code": taipei.code, "name": "臺北市"}
    assert body["teacher"] == {"name": "黃測試", "inservice_account": "t-huang"}
    assert body["updated_at"].endswith("+08:00")
    steps = [(row["from_state"] and row["from_state"]["code"], row["to_state"]["code"]) for row in body["history"]]
    assert steps == [
        (None, State.PREPARING),
        (State.PREPARING, State.FORMAL_REVIEW),
        (State.FORMAL_REVIEW, State.FIRST_ASSIGN),
    ]
    sent = body["history"][1]
    assert sent["action"] == {"code": "submit", "label": workflow.label_of("submit")}
    assert sent["at"].endswith("+08:00")
    # As the office's case page shows it: who acted (the teacher, the officer).
    assert [row["actor"] for row in body["history"][1:]] == ["黃測試老師", "臺北市教專中心"]


def test_the_history_never_names_a_reviewer(client, issue, taipei, teacher, taipei_officer, reviewer):
    case = factories.case(teacher, "advanced")
    advance(case, State.FIRST_REVIEW, taipei_officer)
    Assignment.objects.create(
        case=case,
        round=ReviewRound.FIRST,
        reviewer=reviewer,
        assigned_by=taipei_officer,
        template_code="review_advanced",
        template_version=1,
    )
    _, raw = issue(county=taipei)

    text = client.get(url(case), headers=bearer(raw)).content.decode()

    assert "王委員" not in text
    assert "reviewer-a" not in text


def test_filters(client, issue, teacher, taipei_case, taichung_case):
    _, raw = issue()
    basic = factories.case(teacher, "basic", academic_year=taipei_case.academic_year - 1)

    def ids(**query):
        response = client.get(url(), query, headers=bearer(raw))
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["items"]}

    assert ids(certification_type="basic") == {basic.pk}
    assert ids(academic_year=basic.academic_year) == {basic.pk}
    assert ids(state=State.FIRST_ASSIGN) == {taipei_case.pk}
    assert ids(state=State.PREPARING) == {basic.pk, taichung_case.pk}
    assert ids(certification_type="none-such") == set()
    # The 臺北市 case moved before the other two were opened.
    since = timezone.localtime(taipei_case.updated_at).isoformat()
    assert ids(updated_since=since) == {basic.pk, taichung_case.pk}
    naive = timezone.localtime(taipei_case.updated_at).replace(tzinfo=None).isoformat()  # read as Taipei time
    assert ids(updated_since=naive) == {basic.pk, taichung_case.pk}
    later = timezone.now() + datetime.timedelta(minutes=1)
    assert ids(updated_since=later.isoformat()) == set()


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"state": "no-such-state"}, 422),
        ({"academic_year": "0"}, 422),
        ({"academic_year": "abc"}, 422),
        ({"limit": "0"}, 422),
        ({"limit": "201"}, 422),
        ({"updated_since": "yesterday"}, 422),
        ({"updated_since": "0001-01-01T00:00:00+08:00"}, 400),
        ({"cursor": "!!!"}, 422),
        ({"acadmic_year": "110"}, 400),
        ({"cursor": "bm8tYmFy"}, 400),
    ],
)
def test_bad_filters_get_a_clear_error_never_a_500(client, issue, query, status):
    _, raw = issue()

    response = client.get(url(), query, headers=bearer(raw))

    assert response.status_code == status
    assert response.json()["code"] in ("invalid_request", "invalid_cursor", "invalid_time", "unknown_parameter")
    assert response.json()["message"]


def test_pages_follow_the_cursor_in_a_stable_order_without_repeats(client, issue, taipei):
    _, raw = issue(county=taipei)
    made = [factories.case(factories.teacher(name=f"教師{n}", account=f"t-{n}"), "advanced").pk for n in range(7)]

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = client.get(url(), query, headers=bearer(raw)).json()
        seen += [row["id"] for row in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break

    assert pages == 3
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


def test_the_list_costs_the_same_queries_at_any_size(client, issue, taipei, django_assert_max_num_queries):
    _, raw = issue(county=taipei)
    for n in range(12):
        factories.case(factories.teacher(name=f"教師{n}", account=f"t-{n}"), "advanced")

    # The token, its count, the page of cases (with teacher, type, school, county joined), the audit entry.
    with django_assert_max_num_queries(4):
        assert len(client.get(url(), headers=bearer(raw)).json()["items"]) == 12
