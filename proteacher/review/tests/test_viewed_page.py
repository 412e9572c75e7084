"""檢視紀錄: the teacher reads who looked at their forms and files, by role and county, with the
委員 as 委員一, 委員二 (by assignment order, never by name), and what they looked at."""

import re

import pytest
from django.urls import reverse

from proteacher.certification.workflow import State
from proteacher.review.models import Assignment, ReviewRound
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def case(teacher, taipei_officer):
    return advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, taipei_officer)


def assign(case, reviewer, officer, round=ReviewRound.FIRST):
    Assignment.objects.create(
        case=case, round=round, reviewer=reviewer, assigned_by=officer, template_code="review_advanced"
    )


def looks(client, person, case):
    client.force_login(person)
    assert client.get(reverse("review:slot_print", args=[case.pk, "observation"])).status_code == 200
    assert client.get(reverse("review:slot_file", args=[case.pk, "implementation"])).status_code == 200


def test_the_teacher_sees_who_looked_by_role_and_county_never_by_name(
    client, teacher, taipei_officer, admin_user, reviewer, case
):
    second = factories.staff("reviewer-b", "reviewer", name="李委員")
    assign(case, second, taipei_officer)
    assign(case, reviewer, taipei_officer)
    for person in (taipei_officer, admin_user, reviewer, second):
        looks(client, person, case)
    client.force_login(teacher)

    response = client.get(reverse("review:viewed", args=[case.pk]))

    assert response.status_code == 200
    lines = [(line.who, line.what) for line in response.context["lines"]]
    assert lines == [
        ("委員一", "檢視檔案：公開授課實施證明"),
        ("委員一", "檢視表單：105年版教師專業發展規準觀察紀錄表"),
        ("委員二", "檢視檔案：公開授課實施證明"),
        ("委員二", "檢視表單：105年版教師專業發展規準觀察紀錄表"),
        ("管理者", "檢視檔案：公開授課實施證明"),
        ("管理者", "檢視表單：105年版教師專業發展規準觀察紀錄表"),
        ("縣市承辦人（臺北市）", "檢視檔案：公開授課實施證明"),
        ("縣市承辦人（臺北市）", "檢視表單：105年版教師專業發展規準觀察紀錄表"),
    ]
    page = text_of(response)
    for name in ("王委員", "李委員", "reviewer-a", "reviewer-b", "臺北市教專中心", "taipei-officer"):
        assert name not in page


def test_a_reviewer_keeps_their_number_in_a_later_round(client, teacher, taipei_officer, reviewer, case):
    second = factories.staff("reviewer-b", "reviewer", name="李委員")
    assign(case, reviewer, taipei_officer)
    assign(case, second, taipei_officer, round=ReviewRound.SECOND)
    assign(case, reviewer, taipei_officer, round=ReviewRound.SECOND)
    looks(client, second, case)
    looks(client, reviewer, case)
    client.force_login(teacher)

    response = client.get(reverse("review:viewed", args=[case.pk]))

    assert [line.who for line in response.context["lines"]] == ["委員一", "委員一", "委員二", "委員二"]


def test_the_teachers_own_looks_are_not_listed(client, teacher, case):
    client.force_login(teacher)
    client.get(reverse("certification:slot_print", args=[case.pk, "observation"]))

    response = client.get(reverse("review:viewed", args=[case.pk]))

    assert "目前沒有其他人檢視過您的表單或檔案。" in text_of(response)


def test_the_case_page_leads_its_teacher_there(client, teacher, taipei_officer, case):
    url = reverse("review:viewed", args=[case.pk])
    client.force_login(teacher)
    assert url in client.get(reverse("certification:case", args=[case.pk])).content.decode()

    client.force_login(taipei_officer)
    assert url not in client.get(reverse("certification:case", args=[case.pk])).content.decode()
    assert client.get(url).status_code == 403


def test_the_page_costs_the_same_queries_with_more_looks(
    client, teacher, taipei_officer, reviewer, case, django_assert_max_num_queries
):
    assign(case, reviewer, taipei_officer)
    for person in (taipei_officer, reviewer):
        looks(client, person, case)
    client.force_login(teacher)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("review:viewed", args=[case.pk]))
    budget = len(few)
    second = factories.staff("reviewer-b", "reviewer", name="李委員")
    assign(case, second, taipei_officer)
    for person in (factories.staff("taipei-2", "county", county_name="臺北市"), second, reviewer, taipei_officer):
        looks(client, person, case)
    client.force_login(teacher)

    with django_assert_max_num_queries(budget):
        client.get(reverse("review:viewed", args=[case.pk]))
