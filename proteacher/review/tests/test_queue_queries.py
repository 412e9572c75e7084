"""The office's pages cost the same number of queries however many cases there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.certification.workflow import State
from proteacher.review.models import Assignment, ReviewRound
from proteacher.review.tests.test_decisions import advance
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

# Session and user, the filter choices (types, counties for 管理者), the kept counts (which give the
# 學年度 choices, the tabs and the paginator's total), the page of cases, and the session saved again (savepoint,
# update, release); the navigation's unread count comes with the user; the second factor that
# verified the session (django-otp). A search by school or name counts the cases it finds: one more.
# Anything more is a query per row sneaking in.
MOST_QUERIES = 10


def queries_for(client, user, url, params=None) -> int:
    client.force_login(user)
    client.get(url, params)  # the first request may warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def make_cases(count: int, first: int = 0) -> None:
    """Cases across two counties, two types, several schools and states."""
    for number in range(first, first + count):
        county = "臺北市" if number % 3 else "臺中市"
        teacher = factories.teacher(
            name=f"教師{number}",
            account=f"t-{number}",
            county_name=county,
            school_name=f"{county[:2]}第{number % 4}國小",
        )
        case = factories.case(teacher, "basic" if number % 2 else "advanced")
        if number % 5 < 2:  # some of the first five in each county, too
            officer = User.objects.filter(username=f"officer-{county}").first() or factories.staff(
                f"officer-{county}", "county", county_name=county, name=county
            )
            advance(case, State.FORMAL_REVIEW, officer)


@pytest.mark.parametrize("persona", ["taipei_officer", "admin_user"])
@pytest.mark.parametrize(
    "params", [None, {"state": State.FORMAL_REVIEW}, {"q": "教師", "school": "第1"}], ids=["all", "state", "search"]
)
def test_the_queue_costs_the_same_for_five_and_sixty_cases(client, request, persona, params):
    user = request.getfixturevalue(persona)
    make_cases(5)
    with_five = queries_for(client, user, reverse("review:queue"), params)

    make_cases(55, first=5)
    with_sixty = queries_for(client, user, reverse("review:queue"), params)

    assert with_five == with_sixty <= MOST_QUERIES + (1 if params and "q" in params else 0)


def test_the_state_counts_are_one_query(client, admin_user, django_assert_max_num_queries):
    make_cases(12)
    client.force_login(admin_user)
    client.get(reverse("review:queue"))

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("review:queue"))

    grouped = [query["sql"] for query in captured if "GROUP BY" in query["sql"]]
    assert len(grouped) == 1


@pytest.mark.parametrize("persona", ["taipei_officer", "admin_user"])
def test_the_export_costs_the_same_for_five_and_sixty_cases(client, request, persona):
    user = request.getfixturevalue(persona)
    make_cases(5)
    with_five = queries_for(client, user, reverse("review:export"))

    make_cases(55, first=5)
    with_sixty = queries_for(client, user, reverse("review:export"))

    assert with_five == with_sixty


def test_the_case_page_costs_the_same_with_a_long_story(client, teacher, taipei_officer, reviewer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_REVIEW, taipei_officer)
    Assignment.objects.create(
        case=case,
        round=ReviewRound.FIRST,
        reviewer=reviewer,
        assigned_by=taipei_officer,
        template_code="review_advanced",
        template_version=1,
        data={"recommendation": "pass"},
        recommendation="pass",
        submitted_at=timezone.now(),
    )
    short = queries_for(client, taipei_officer, reverse("review:case", args=[case.pk]))

    for number in range(3):
        other = factories.staff(f"reviewer-{number}", "reviewer", name=f"委員{number}")
        Assignment.objects.create(
            case=case,
            round=ReviewRound.FIRST,
            reviewer=other,
            assigned_by=taipei_officer,
            template_code="review_advanced",
            template_version=1,
            data={"recommendation": "fail"},
            recommendation="fail",
            submitted_at=timezone.now(),
        )
    longer = advance(
        factories.case(factories.teacher(name="另一位", account="t-another"), "mentor"),
        State.FIRST_DECISION,
        taipei_officer,
    )

    assert queries_for(client, taipei_officer, reverse("review:case", args=[case.pk])) == short
    assert queries_for(client, taipei_officer, reverse("review:case", args=[longer.pk])) <= short
