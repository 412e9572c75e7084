"""整批分發委員: a whole queue at once, balanced, never a colleague, one case at a time."""

import itertools

import pytest
from django.urls import reverse

from proteacher.certification.models import Case
from proteacher.certification.workflow import State
from proteacher.review import assignment as services
from proteacher.review.models import Assignment, ReviewRound
from proteacher.review.tests.test_assignment import make_reviewer, waiting_case
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


_accounts = itertools.count(1)
OTHER_SCHOOL = "臺北市立建國高級中學"


def cases_of(officer, count, county_name="臺北市", school_name=None, state=State.FIRST_ASSIGN):
    """`count` cases waiting in the queue of `state`, of teachers of the county (and school)."""
    cases = []
    for _ in range(count):
        number = next(_accounts)
        teacher = factories.teacher(
            name=f"教師{number:02d}", account=f"t-{number}", county_name=county_name, school_name=school_name
        )
        cases.append(waiting_case(teacher, officer, state))
    return cases


@pytest.fixture
def four(db):
    elsewhere = factories.school("新北市立板橋高級中學", "新北市")
    return [
        make_reviewer(f"reviewer-{n}", name, elsewhere) for n, name in enumerate(["委員A", "委員B", "委員C", "委員D"])
    ]


def loads(users):
    return [services.reviewer_load([u]).get(u.pk, 0) for u in users]


def test_ten_cases_with_two_reviewers_each_among_four_load_them_evenly(taipei_officer, four):
    cases = cases_of(taipei_officer, 10)

    run = services.assign_queue(cases, four, taipei_officer, per_case=2)

    assert (run.assigned, run.skipped) == (10, 0)
    assert loads(four) == [5, 5, 5, 5]
    assert [run.loads[u.pk] for u in four] == [5, 5, 5, 5]
    assert all(len(result.reviewers) == 2 for result in run.results)
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == {
        State.FIRST_REVIEW
    }


def test_ties_go_by_name_and_existing_load_counts(taipei_officer, four):
    [busy] = cases_of(taipei_officer, 1)
    services.assign_reviewers(busy, ReviewRound.FIRST, [four[0]], taipei_officer, expected_revision=busy.revision)
    [case] = cases_of(taipei_officer, 1)

    run = services.assign_queue([case], four, taipei_officer, per_case=2)

    # 委員A already has one open review: B and C, the next names in order.
    assert run.results[0].reviewers == [four[1], four[2]]


def test_a_case_at_a_reviewers_school_never_gets_that_reviewer(taipei_officer, four):
    school = factories.school("臺北市立成淵高級中學")
    colleague = make_reviewer("reviewer-colleague", "同校委員", school)
    reviewers = [colleague, *four[:2]]
    at_school = cases_of(taipei_officer, 4, school_name=school.name)
    others = cases_of(taipei_officer, 2, school_name=OTHER_SCHOOL)

    run = services.assign_queue(at_school + others, reviewers, taipei_officer, per_case=2)

    assert run.skipped == 0
    for result in run.results:
        if result.case.school_id == school.pk:
            assert colleague not in result.reviewers
    assert not Assignment.objects.filter(reviewer=colleague, case__school=school).exists()


def test_a_case_without_enough_free_reviewers_is_reported_and_skipped(taipei_officer, four):
    school = factories.school("臺北市立成淵高級中學")
    colleague = make_reviewer("reviewer-colleague", "同校委員", school)
    blocked = cases_of(taipei_officer, 1, school_name=school.name)[0]
    fine = cases_of(taipei_officer, 1, school_name=OTHER_SCHOOL)[0]

    run = services.assign_queue([blocked, fine], [colleague, four[0]], taipei_officer, per_case=2)

    first, second = run.results
    assert first.case == blocked and first.reviewers == []
    assert first.error == (
        "可分發的委員不足 2 位：同校委員（委員服務於申請教師的學校（臺北市立成淵高級中學），不能審查同校教師的申請。）"
    )
    assert second.reviewers == [colleague, four[0]] and not second.error
    assert Case.objects.get(pk=blocked.pk).state == State.FIRST_ASSIGN
    assert Case.objects.get(pk=fine.pk).state == State.FIRST_REVIEW


def test_a_case_changed_meanwhile_is_skipped_and_the_rest_proceed(taipei_officer, four):
    stale, fresh = cases_of(taipei_officer, 2)
    stale.revision -= 1  # the list was read before someone else acted on this case

    run = services.assign_queue([stale, fresh], four, taipei_officer, per_case=1)

    assert run.results[0].error == "此頁面的資料已經更新，請重新整理後再操作。"
    assert run.results[1].reviewers == [four[0]]
    assert loads(four) == [1, 0, 0, 0]


def test_each_round_is_derived_from_the_state(taipei_officer, four):
    [case] = cases_of(taipei_officer, 1, state=State.SECOND_ASSIGN)
    services.assign_queue([case], four, taipei_officer, per_case=1)
    assert Assignment.objects.get(case=case).round == ReviewRound.SECOND


# --- the page ------------------------------------------------------------------------------------


URL = reverse("review:assign_queue")


def test_the_page_lists_the_queue_and_the_reviewers_with_loads(client, taipei_officer, four):
    cases_of(taipei_officer, 3)
    client.force_login(taipei_officer)

    response = client.get(URL, {"state": State.FIRST_ASSIGN})

    page = response.content.decode()
    assert response.status_code == 200
    assert "待分發的申請（共 3 件）" in page and "全部分發（3 件）" in page
    assert [tab["count"] for tab in response.context["tabs"]] == [3, 0, 0]
    assert [row["user"] for row in response.context["reviewer_rows"]] == four


def test_posting_assigns_the_officers_county_only_and_shows_the_result(client, taipei_officer, taichung_officer, four):
    taipei = cases_of(taipei_officer, 4)
    taichung = cases_of(taichung_officer, 2, county_name="臺中市")
    client.force_login(taipei_officer)

    response = client.post(URL, {"state": State.FIRST_ASSIGN, "per_case": 2, "reviewers": [u.pk for u in four]})

    assert response.status_code == 200
    page = response.content.decode()
    assert "已分發 4 件。" in page
    assert "分發結果" in page and "分發後各委員未完成審查件數" in page
    assert [row["load"] for row in response.context["loads_after"]] == [2, 2, 2, 2]
    assert {c.state for c in Case.objects.filter(pk__in=[c.pk for c in taipei])} == {State.FIRST_REVIEW}
    assert {c.state for c in Case.objects.filter(pk__in=[c.pk for c in taichung])} == {State.FIRST_ASSIGN}


def test_filters_narrow_the_queue(client, taipei_officer, four):
    cases_of(taipei_officer, 2)
    basic = waiting_case(factories.teacher(name="初階師", account="t-basic"), taipei_officer, type_code="basic")
    client.force_login(taipei_officer)
    basic_type = basic.certification_type

    response = client.post(
        URL,
        {"state": State.FIRST_ASSIGN, "certification_type": basic_type.pk, "per_case": 1, "reviewers": [four[0].pk]},
    )

    assert [r.case for r in response.context["run"].results] == [basic]
    assert Assignment.objects.count() == 1


def test_posting_without_reviewers_is_refused(client, taipei_officer, four):
    cases_of(taipei_officer, 1)
    client.force_login(taipei_officer)
    response = client.post(URL, {"state": State.FIRST_ASSIGN, "per_case": 2})
    assert response.status_code == 400
    assert "請至少選擇一位委員。" in response.content.decode()
    assert not Assignment.objects.exists()


def test_zero_reviewers_per_case_is_refused(client, taipei_officer, four):
    cases_of(taipei_officer, 1)
    client.force_login(taipei_officer)
    response = client.post(URL, {"state": State.FIRST_ASSIGN, "per_case": 0, "reviewers": [four[0].pk]})
    assert response.status_code == 400
    assert "每案至少分發一位委員。" in response.content.decode()


def test_the_suggested_number_comes_from_the_setting(client, settings, taipei_officer, four):
    settings.REVIEWERS_PER_CASE = 3
    cases_of(taipei_officer, 1)
    client.force_login(taipei_officer)
    response = client.get(URL)
    assert response.context["form"].cleaned_data["per_case"] == 3


@pytest.mark.parametrize("persona, status", [("reviewer", 403), ("teacher", 403), ("admin_user", 200)])
def test_who_may_open_the_queue(client, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(URL).status_code == status


def test_the_page_costs_the_same_queries_with_more_cases_and_reviewers(
    client, taipei_officer, four, django_assert_max_num_queries
):
    cases_of(taipei_officer, 2)
    client.force_login(taipei_officer)
    with django_assert_max_num_queries(20) as few:
        client.get(URL, {"state": State.FIRST_ASSIGN})

    cases_of(taipei_officer, 6, school_name=OTHER_SCHOOL)
    for n in range(4):
        make_reviewer(f"reviewer-more-{n}", f"加委員{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL, {"state": State.FIRST_ASSIGN})
