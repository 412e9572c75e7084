"""The case page costs the same number of queries however many slots, answers and cases there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.testing import factories
from proteacher.testing.workflow import take

pytestmark = pytest.mark.django_db

# Session, user (with the menu's unread count), case (its teacher is the user: no join reads them
# again), events, answers (the type's slots are kept per process), and the session saved again
# (its idle time started, accounts.idle: savepoint, update, release). Anything more is a query per row
# sneaking in.
MOST_QUERIES = 8
# A staff member's request also reads the second factor that verified the session (django-otp).
STAFF_MOST_QUERIES = MOST_QUERIES + 1


def queries_for_case_page(client, user, case) -> int:
    client.force_login(user)
    url = reverse("certification:case", args=[case.pk])
    client.get(url)  # the first request may warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def filled_case(user, type_code):
    case = factories.case(user, type_code)
    factories.fill_every_slot(case)
    return case


def other_teachers_cases(count: int, first: int = 0) -> None:
    for number in range(first, first + count):
        other = factories.teacher(name=f"其他{number}", account=f"t-other-{number}")
        filled_case(other, "advanced")


def test_three_slots_and_twelve_slots_cost_the_same(client, teacher, django_assert_max_num_queries):
    basic = filled_case(teacher, "basic")
    mentor = filled_case(teacher, "mentor")
    assert (basic.answers.count(), mentor.answers.count()) == (3, 12)

    assert queries_for_case_page(client, teacher, basic) == queries_for_case_page(client, teacher, mentor)
    with django_assert_max_num_queries(MOST_QUERIES):
        client.get(reverse("certification:case", args=[mentor.pk]))


def test_other_teachers_cases_do_not_add_queries(client, teacher):
    case = filled_case(teacher, "advanced")
    other_teachers_cases(1)
    with_one = queries_for_case_page(client, teacher, case)

    other_teachers_cases(19, first=1)  # 20 other cases now
    with_twenty = queries_for_case_page(client, teacher, case)

    assert with_one == with_twenty <= MOST_QUERIES


def test_a_long_history_costs_the_same(client, teacher, taipei_officer):
    case = filled_case(teacher, "advanced")
    short = queries_for_case_page(client, teacher, case)
    for _ in range(5):
        workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)
        take(case, "formal_return", taipei_officer, reason="請補核章。")

    assert queries_for_case_page(client, teacher, case) == short


def test_the_county_officer_reads_it_at_the_same_cost(client, teacher, taipei_officer):
    case = filled_case(teacher, "mentor")

    assert queries_for_case_page(client, taipei_officer, case) <= STAFF_MOST_QUERIES
