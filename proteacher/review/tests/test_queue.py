"""認證審查: the office's list of cases, a tab per state with its count, filters and search."""

import re

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode

from proteacher.certification.models import CertificationType
from proteacher.certification.workflow import State
from proteacher.review.assignment import assign_reviewers
from proteacher.review.models import ReviewRound
from proteacher.review.tests.test_assignment import advance as walk_on
from proteacher.review.tests.test_assignment import make_reviewer, waiting_case
from proteacher.review.tests.test_decisions import advance
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

URL = reverse("review:queue")


def teacher_in(county_name: str, number: int, name: str = "", school: str | None = None):
    return factories.teacher(
        name=name or f"教師{number:03d}", account=f"t-{number:03d}", county_name=county_name, school_name=school
    )


@pytest.fixture
def cases(taipei_officer, taichung_officer):
    """Three 臺北市 cases in different states and types, one 臺中市 case in 形式審查."""
    return {
        "taipei_sent": advance(factories.case(teacher_in("臺北市", 1, "陳一")), State.FORMAL_REVIEW, taipei_officer),
        "taipei_basic": advance(
            factories.case(teacher_in("臺北市", 2, "林二", school="臺北市立大安國中"), "basic"),
            State.FIRST_DECISION,
            taipei_officer,
        ),
        "taipei_draft": factories.case(teacher_in("臺北市", 3, "王三")),
        "taichung_sent": advance(
            factories.case(teacher_in("臺中市", 4, "張四")), State.FORMAL_REVIEW, taichung_officer
        ),
    }


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'<tr data-case="(\d+)">', response.content.decode())]


def count_of(response, state: str) -> int:
    match = re.search(
        rf'data-state="{state}">[^<]*<span class="badge[^"]*" data-count>(\d+)</span>', response.content.decode()
    )
    assert match, state
    return int(match.group(1))


def test_a_county_sees_only_its_own_cases(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    response = client.get(URL)

    assert response.status_code == 200
    assert sorted(listed(response)) == sorted(
        [cases["taipei_sent"].pk, cases["taipei_basic"].pk, cases["taipei_draft"].pk]
    )
    assert "張四" not in response.content.decode()


def test_the_county_filter_is_fixed_for_a_county(client, cases, taipei_officer, taichung):
    client.force_login(taipei_officer)

    response = client.get(URL, {"county": taichung.pk})

    assert cases["taichung_sent"].pk not in listed(response)
    assert len(listed(response)) == 3
    page = response.content.decode()
    assert 'name="county"' not in page
    assert '<span class="form-control-plaintext" data-fixed-county>臺北市</span>' in page


def test_the_admin_sees_every_county_and_may_choose_one(client, cases, admin_user, taichung):
    client.force_login(admin_user)

    everything = client.get(URL)
    one_county = client.get(URL, {"county": taichung.pk})

    assert len(listed(everything)) == 4
    assert listed(one_county) == [cases["taichung_sent"].pk]
    assert 'name="county"' in everything.content.decode()


def test_each_state_has_its_count(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    response = client.get(URL)

    assert count_of(response, "") == 3
    assert count_of(response, State.FORMAL_REVIEW) == 1
    assert count_of(response, State.FIRST_DECISION) == 1
    assert count_of(response, State.PREPARING) == 1
    assert count_of(response, State.APPEAL_INTAKE) == 0
    page = response.content.decode()
    for label in ("形式審查", "初審分發委員", "初審判定", "複審分發委員", "複審判定", "申復審查 (受理中)"):
        assert f"{label} <span" in page
    for label in ("申復分發委員", "申復判定", "通過", "通過可產證", "準備資料", "初審未通過", "已發證", "不合格"):
        assert f"{label} <span" in page


def test_a_state_tab_lists_its_cases_and_keeps_the_other_filters(client, cases, taipei_officer):
    client.force_login(taipei_officer)
    advanced = CertificationType.objects.get(code="advanced")

    response = client.get(URL, {"state": State.FORMAL_REVIEW, "certification_type": advanced.pk})

    assert listed(response) == [cases["taipei_sent"].pk]
    assert "共 1 件，狀態為「形式審查」。" in response.content.decode()
    # The counts follow the other filters (here 進階 only), not the state.
    assert count_of(response, State.FIRST_DECISION) == 0
    assert count_of(response, State.PREPARING) == 1
    assert f"certification_type={advanced.pk}&amp;state=first_decision" in response.content.decode()


def test_filter_by_type(client, cases, taipei_officer):
    client.force_login(taipei_officer)
    basic = CertificationType.objects.get(code="basic")

    assert listed(client.get(URL, {"certification_type": basic.pk})) == [cases["taipei_basic"].pk]


def test_filter_by_academic_year(client, taipei_officer):
    old = factories.case(teacher_in("臺北市", 10), academic_year=112)
    new = factories.case(teacher_in("臺北市", 11), academic_year=113)
    client.force_login(taipei_officer)

    response = client.get(URL, {"academic_year": 112})

    assert listed(response) == [old.pk]
    assert new.pk not in listed(response)
    page = response.content.decode()
    assert '<option value="113">113學年度</option>' in page
    assert '<option value="112" selected>112學年度</option>' in page


def test_filter_by_school_name(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    assert listed(client.get(URL, {"school": "大安國中"})) == [cases["taipei_basic"].pk]


@pytest.mark.parametrize(
    ("query", "case_key"), [("林二", "taipei_basic"), ("陳", "taipei_sent"), ("t-003", "taipei_draft")]
)
def test_search_by_teacher_name_or_account(client, cases, taipei_officer, query, case_key):
    client.force_login(taipei_officer)

    assert listed(client.get(URL, {"q": query})) == [cases[case_key].pk]


def test_search_never_reaches_beyond_the_county(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    assert listed(client.get(URL, {"q": "張四"})) == []


def test_a_filter_that_does_not_parse_filters_nothing(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    response = client.get(URL, {"academic_year": "abc", "state": "no-such-state", "certification_type": "9999"})

    assert response.status_code == 200
    assert len(listed(response)) == 3


def test_the_table_links_every_case(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    page = client.get(URL, {"state": State.FIRST_DECISION}).content.decode()

    row = page.split(f'<tr data-case="{cases["taipei_basic"].pk}">')[1].split("</tr>")[0]
    assert f'<a href="{reverse("review:case", args=[cases["taipei_basic"].pk])}">林二</a>' in row
    for text in ("臺北市立大安國中", "臺北市", "初階專業回饋人才認證", "初審判定"):
        assert text in row
    assert re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</td>", row)


def test_fifty_a_page(client, taipei_officer):
    for number in range(51):
        factories.case(teacher_in("臺北市", 100 + number))
    client.force_login(taipei_officer)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(listed(first)) == 50
    assert len(listed(second)) == 1
    assert "第 1 頁，共 2 頁" in first.content.decode()
    assert "共 51 件" in first.content.decode()


def test_the_export_link_carries_the_filters(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    page = client.get(URL, {"state": State.FORMAL_REVIEW, "q": "陳", "page": 1}).content.decode()

    assert f'href="{reverse("review:export")}?state=formal_review&amp;q=%E9%99%B3"' in page


@pytest.mark.parametrize("persona", ["teacher", "reviewer"])
def test_teachers_and_reviewers_are_forbidden(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert client.get(reverse("review:export")).status_code == 403


def test_visitors_are_asked_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == redirect_to_login(URL).url


def test_the_workspace_links_the_queue(client, taipei_officer):
    client.force_login(taipei_officer)

    assert f'href="{URL}"' in client.get(reverse("portal:workspace")).content.decode()


@pytest.mark.parametrize("state", [State.FIRST_ASSIGN, State.SECOND_ASSIGN, State.APPEAL_ASSIGN])
def test_a_tab_of_cases_waiting_for_reviewers_links_the_whole_queue_assignment(client, taipei_officer, state):
    client.force_login(taipei_officer)

    page = client.get(URL, {"state": state}).content.decode()

    link = f"{reverse('review:assign_queue')}?state={state}"
    assert f'<a class="btn btn-success" href="{link}" data-assign-queue>整批分發委員</a>' in page
    # The link opens that page on the same queue.
    opened = client.get(link).content.decode()
    assert f'href="?state={state}">' in opened
    assert re.search(rf'nav-link active" aria-current="page" href="\?state={state}"', opened)


def test_the_whole_queue_link_keeps_the_type_and_year(client, taipei_officer):
    waiting = advance(factories.case(teacher_in("臺北市", 20), academic_year=113), State.FIRST_ASSIGN, taipei_officer)
    client.force_login(taipei_officer)

    filters = {"certification_type": waiting.certification_type_id, "academic_year": 113}
    page = client.get(URL, {"state": State.FIRST_ASSIGN, **filters, "q": "教師020"}).content.decode()

    # Search, school and county do not carry over: that page takes the state, type and year only.
    link = f"{reverse('review:assign_queue')}?" + urlencode({"state": State.FIRST_ASSIGN, **filters})
    assert f'href="{escape(link)}" data-assign-queue' in page
    opened = client.get(link).content.decode()
    assert "待分發的申請（共 1 件）" in opened


@pytest.mark.parametrize("state", ["", State.FORMAL_REVIEW, State.FIRST_DECISION, State.FIRST_REVIEW])
def test_other_tabs_do_not_offer_the_whole_queue_assignment(client, cases, taipei_officer, state):
    client.force_login(taipei_officer)

    page = client.get(URL, {"state": state}).content.decode()

    assert "整批分發委員" not in page


def test_a_round_with_fewer_reviewers_than_the_count_is_marked(client, taipei_officer):
    other = factories.school("臺北市立建國高級中學")
    first, second = make_reviewer("reviewer-b", "李委員", other), make_reviewer("reviewer-c", "陳委員", other)
    short, full, waiting = (
        waiting_case(teacher_in("臺北市", number, name), taipei_officer)
        for number, name in ((1, "陳一"), (2, "林二"), (3, "王三"))
    )
    assign_reviewers(short, ReviewRound.FIRST, [first], taipei_officer, short.revision, short_confirmed=True)
    assign_reviewers(full, ReviewRound.FIRST, [first, second], taipei_officer, full.revision)
    client.force_login(taipei_officer)

    response = client.get(URL)

    rows = {row["pk"]: row["short"] for row in response.context["rows"]}
    assert rows == {short.pk: "委員不足（1/2）", full.pk: "", waiting.pk: ""}
    page = response.content.decode()
    assert '<span class="badge text-bg-warning" data-short-panel>委員不足（1/2）</span>' in page
    assert page.count("data-short-panel>") == 1


def test_the_mark_follows_the_round_the_case_is_in(client, taipei_officer):
    reviewer = make_reviewer("reviewer-b", "李委員", factories.school("臺北市立建國高級中學"))
    case = waiting_case(teacher_in("臺北市", 1, "陳一"), taipei_officer)
    assign_reviewers(case, ReviewRound.FIRST, [reviewer], taipei_officer, case.revision, short_confirmed=True)
    client.force_login(taipei_officer)
    assert client.get(URL).context["rows"][0]["short"] == "委員不足（1/2）"

    # Decided and waiting for the next round's 委員: no panel to be short of.
    walk_on(case, taipei_officer, "first_reviews_done", "first_revise", "resubmit")

    assert client.get(URL).context["rows"][0]["short"] == ""
