"""What a 委員 may open: exactly the cases assigned to them (any round), their forms and files,
through the 審查標準表 page; never the teacher's own 流程進度 page, never anyone else's case."""

import pytest
from django.http import Http404
from django.urls import reverse

from proteacher.certification.selectors import case_for
from proteacher.certification.workflow import State
from proteacher.review import selectors as back_office
from proteacher.review.assignment import assign_reviewers
from proteacher.review.selectors import cases_visible_to
from proteacher.review.tests.test_assignment import advance, make_reviewer, waiting_case
from proteacher.review.tests.test_reviewing import assigned_case, submit
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(db):
    return make_reviewer("reviewer-assigned", "李委員")


@pytest.fixture
def unassigned(db):
    return make_reviewer("reviewer-other", "陳委員")


@pytest.fixture
def case(teacher, taipei_officer, assigned):
    return assigned_case(teacher, taipei_officer, [assigned])[0]


def test_a_reviewer_sees_exactly_the_cases_assigned_to_them(case, assigned, unassigned, taipei_officer):
    waiting_case(factories.teacher(name="未分發", account="t-waiting"), taipei_officer)
    theirs, _ = assigned_case(factories.teacher(name="別人", account="t-else"), taipei_officer, [unassigned])

    assert list(cases_visible_to(assigned)) == [case]
    assert list(cases_visible_to(unassigned)) == [theirs]


def test_a_case_stays_visible_after_the_review_and_in_later_rounds(case, assigned, unassigned, taipei_officer):
    [assignment] = case.assignments.all()
    submit(assignment, "revise")
    case.refresh_from_db()
    advance(case, taipei_officer, "first_revise", "resubmit")
    assert case.state == State.SECOND_ASSIGN

    assign_reviewers(case, "second", [assigned], taipei_officer, expected_revision=case.revision, short_confirmed=True)

    # Two rounds, one case: listed once.
    assert list(cases_visible_to(assigned)) == [case]
    assert back_office.case_for(assigned, case.pk) == case
    with pytest.raises(Http404):
        back_office.case_for(unassigned, case.pk)


def test_the_teachers_case_page_is_not_the_reviewers(case, assigned, teacher, taipei_officer):
    # Decided: a 委員 reads the forms from the 審查標準表 page; 流程進度 is the teacher's page.
    with pytest.raises(Http404):
        case_for(assigned, case.pk)
    assert case_for(teacher, case.pk) == case
    assert case_for(taipei_officer, case.pk) == case


ROUTES = [
    ("review:slot_file", {"slot_code": "implementation"}),
    ("review:slot_print", {"slot_code": "observation"}),
]


@pytest.mark.parametrize("route, kwargs", ROUTES)
def test_the_assigned_reviewer_opens_the_forms_and_files(client, case, assigned, route, kwargs):
    client.force_login(assigned)
    response = client.get(reverse(route, kwargs={"pk": case.pk, **kwargs}))
    assert response.status_code == 200


@pytest.mark.parametrize("route, kwargs", [*ROUTES, ("certification:case", {})])
def test_an_unassigned_reviewer_gets_404(client, case, unassigned, route, kwargs):
    client.force_login(unassigned)
    assert client.get(reverse(route, kwargs={"pk": case.pk, **kwargs})).status_code == 404


def test_the_assigned_reviewer_gets_404_on_the_teachers_case_page(client, case, assigned):
    client.force_login(assigned)
    assert client.get(reverse("certification:case", args=[case.pk])).status_code == 404


def test_review_form_is_200_for_the_assigned_reviewer_and_404_for_another(client, case, assigned, unassigned):
    [assignment] = case.assignments.all()
    url = reverse("review:review_form", args=[assignment.pk])
    client.force_login(assigned)
    assert client.get(url).status_code == 200
    client.force_login(unassigned)
    assert client.get(url).status_code == 404
