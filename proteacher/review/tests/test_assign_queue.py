"""整批分發委員: a whole queue at once, balanced, never a colleague, one case at a time."""

import itertools
import re

import pytest
from django.urls import reverse

from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.review import assignment as services
from proteacher.review.models import Assignment, ReviewRound
from proteacher.review.short_panels import ShortPanel
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
    services.assign_reviewers(
        busy, ReviewRound.FIRST, [four[0]], taipei_officer, expected_revision=busy.revision, short_confirmed=True
    )
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


@pytest.fixture
def colleague_and_blocked(taipei_officer):
    """A 委員 at one school, a case of that school's teacher and a case elsewhere."""
    school = factories.school("臺北市立成淵高級中學")
    colleague = make_reviewer("reviewer-colleague", "同校委員", school)
    blocked = cases_of(taipei_officer, 1, school_name=school.name)[0]
    fine = cases_of(taipei_officer, 1, school_name=OTHER_SCHOOL)[0]
    return colleague, blocked, fine


COLLEAGUE_REASON = "委員服務於申請教師的學校（臺北市立成淵高級中學），不能審查同校教師的申請。"


def test_a_case_short_of_free_reviewers_stops_the_run_until_confirmed(taipei_officer, four, colleague_and_blocked):
    colleague, blocked, fine = colleague_and_blocked

    with pytest.raises(ShortPanel) as refused:
        services.assign_queue([blocked, fine], [colleague, four[0]], taipei_officer, per_case=2)

    assert refused.value.message == (
        "有 1 件申請可分發的委員不足 2 位（原因見下表），尚未分發任何申請。"
        "如確定以較少的委員審查，請勾選「確認委員人數不足，仍要分發」後再送出。"
    )
    [shortage] = refused.value.shortages
    assert (shortage.case, shortage.summary, shortage.reasons) == (
        blocked,
        "需 2 位委員，僅 1 位可分發",
        f"同校委員（{COLLEAGUE_REASON}）",
    )
    assert not Assignment.objects.exists()
    assert set(Case.objects.values_list("state", flat=True)) == {State.FIRST_ASSIGN}


def test_confirmed_the_short_case_gets_the_reviewers_it_may_have(taipei_officer, four, colleague_and_blocked):
    colleague, blocked, fine = colleague_and_blocked

    run = services.assign_queue([blocked, fine], [colleague, four[0]], taipei_officer, per_case=2, short_confirmed=True)

    first, second = run.results
    assert first.case == blocked and first.reviewers == [four[0]] and not first.error
    assert second.reviewers == [colleague, four[0]] and not second.error
    short = CaseEvent.objects.get(case=blocked, action="assign_first").extra["short_panel"]
    assert short == {
        "confirmed": True,
        "required": 2,
        "assigned": 1,
        "eligible": 1,
        "excluded": [{"reviewer": colleague.pk, "name": "同校委員", "reason": COLLEAGUE_REASON}],
    }
    assert "short_panel" not in CaseEvent.objects.get(case=fine, action="assign_first").extra


def test_a_case_without_any_free_reviewer_is_reported_and_skipped(taipei_officer, colleague_and_blocked):
    colleague, blocked, fine = colleague_and_blocked

    run = services.assign_queue([blocked, fine], [colleague], taipei_officer, per_case=1, short_confirmed=True)

    assert run.results[0].error == f"沒有可分發的委員：同校委員（{COLLEAGUE_REASON}）"
    assert run.results[1].reviewers == [colleague]
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


def test_the_page_lists_the_cases_short_of_reviewers_before_saving(client, taipei_officer, four, colleague_and_blocked):
    colleague, blocked, _ = colleague_and_blocked
    client.force_login(taipei_officer)

    response = client.get(URL, {"state": State.FIRST_ASSIGN, "per_case": 5})

    page = text_of(response.content.decode())
    assert [s.case for s in response.context["shortages"]] == [blocked]
    assert "可分發的委員不足（1 件）" in page
    assert (
        f"{blocked.teacher.name} 臺北市立成淵高級中學 需 5 位委員，僅 4 位可分發 同校委員（{COLLEAGUE_REASON}）" in page
    )
    assert "確認委員人數不足，仍要分發" in page


def test_posting_a_short_queue_without_the_confirmation_assigns_nothing(client, taipei_officer, colleague_and_blocked):
    colleague, blocked, fine = colleague_and_blocked
    lone = make_reviewer("reviewer-lone", "李委員", factories.school("新北市立板橋高級中學", "新北市"))
    client.force_login(taipei_officer)
    form = {"state": State.FIRST_ASSIGN, "per_case": 2, "reviewers": [colleague.pk, lone.pk]}

    refused = client.post(URL, form)

    assert refused.status_code == 400
    page = text_of(refused.content.decode())
    assert "有 1 件申請可分發的委員不足 2 位（原因見下表），尚未分發任何申請。" in page
    assert f"{blocked.teacher.name} 臺北市立成淵高級中學 需 2 位委員，僅 1 位可分發" in page
    assert not Assignment.objects.exists()

    confirmed = client.post(URL, {**form, "short_confirmed": "1"})

    assert "已分發 2 件。" in text_of(confirmed.content.decode())
    assert "李委員 委員不足（1/2）" in text_of(confirmed.content.decode())
    assert Assignment.objects.filter(case=blocked).count() == 1
    assert Assignment.objects.filter(case=fine).count() == 2


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
