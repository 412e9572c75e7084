"""A NUL (or any control character) in what the back office, a 委員 or a teacher filing 申復
sends: a 原因訊息 or a search drops it, a single-line field says so in Chinese, a filter ignores
it; never a server error, never a NUL stored."""

import html

import pytest
from django.urls import reverse

from proteacher.certification.models import CaseEvent
from proteacher.certification.workflow import State
from proteacher.review.models import Appeal, Assignment, FormalReview
from proteacher.review.tests.test_appeal_intake import intake
from proteacher.review.tests.test_assignment import make_reviewer
from proteacher.review.tests.test_decisions import decide
from proteacher.review.tests.test_formal_review import formal_post
from proteacher.review.tests.test_reviewing import assigned_case
from proteacher.review.tests.test_teacher_appeal import TO_FIRST_FAILED, filled, walk
from proteacher.testing import factories
from proteacher.testing.workflow import advance
from proteacher.text import CONTROL_CHARACTERS

pytestmark = pytest.mark.django_db

NUL = "\x00"


def page(response) -> str:
    assert response.status_code < 500
    return html.unescape(response.content.decode())


def last_reason(case) -> str:
    return CaseEvent.objects.filter(case=case).last().reason


@pytest.fixture
def officer(client, taipei_officer):
    client.force_login(taipei_officer)
    return taipei_officer


def test_a_formal_return_keeps_its_reason_without_the_nul(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, officer)
    response = formal_post(client, case, "return", f"缺少{NUL}核章\r\n請補上", problems={"community": "缺少照片"})
    assert response.status_code == 302
    assert last_reason(case) == "缺少核章\n請補上"
    assert FormalReview.objects.get(case=case).reason == "缺少核章\n請補上"


def test_a_slots_reason_with_a_nul_says_so(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, officer)
    response = formal_post(client, case, "return", "缺少核章", problems={"community": f"缺少{NUL}照片"})
    assert response.status_code == 400 and CONTROL_CHARACTERS in page(response)
    assert not FormalReview.objects.filter(case=case).exists()


def test_a_decisions_reason_drops_the_nul(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_DECISION, officer)
    assert decide(client, case, "first_fail", f"資料{NUL}不足\x7f").status_code == 302
    assert last_reason(case) == "資料不足"


def test_a_reason_of_only_control_characters_is_no_reason(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_DECISION, officer)
    response = decide(client, case, "first_fail", f"{NUL}\x01")
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == State.FIRST_DECISION


def test_a_stale_decision_with_a_nul_is_refused_as_stale(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_DECISION, officer)
    response = decide(client, case, "first_fail", f"資料{NUL}不足", revision=case.revision - 1, state=f"x{NUL}")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.FIRST_DECISION


def test_an_appeal_intakes_reason_drops_the_nul(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.APPEAL_INTAKE, officer)
    assert intake(client, case, "no", f"逾期{NUL}提出").status_code == 302
    assert last_reason(case) == "逾期提出"


def test_the_queue_filters_ignore_the_nul(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, officer)
    filters = {"q": f"黃{NUL}", "school": f"測試{NUL}", "state": NUL, "county": NUL, "academic_year": f"1{NUL}"}
    shown = page(client.get(reverse("review:queue"), filters))
    assert reverse("review:case", args=[case.pk]) in shown
    assert client.get(reverse("review:export"), filters).status_code == 200


def test_the_reviewer_searches_drop_the_nul(client, admin_user):
    client.force_login(admin_user)
    someone = make_reviewer("reviewer-z", "趙委員")
    assert "趙委員" in page(client.get(reverse("review:reviewers"), {"q": f"趙{NUL}"}))
    assert client.get(reverse("review:reviewer_edit", args=[someone.pk]), {"q": f"測試{NUL}"}).status_code == 200


def test_the_assignment_queue_and_issuing_ignore_the_nul(client, admin_user):
    client.force_login(admin_user)
    filters = {"state": NUL, "certification_type": NUL, "academic_year": NUL, "per_case": NUL}
    assert client.get(reverse("review:assign_queue"), filters).status_code < 500
    issuing = {"type": f"advanced{NUL}", "year": NUL, "county": NUL}
    assert client.get(reverse("review:issuing"), issuing).status_code == 200
    assert client.post(reverse("review:issuing"), {**issuing, "action": NUL, "case": f"1{NUL}:2"}).status_code < 500


@pytest.mark.parametrize("number", ["²", "١", "9" * 30])
def test_issuing_takes_only_plain_digits_for_a_number(client, admin_user, number):
    client.force_login(admin_user)
    assert client.get(reverse("review:issuing"), {"year": number, "county": number}).status_code == 200
    posted = {"action": "approve", "case": [f"{number}:1", f"1:{number}"]}
    assert client.post(reverse("review:issuing"), posted).status_code < 500


@pytest.mark.parametrize("appeal_file", [NUL, "²", "9" * 30])
def test_a_file_number_that_is_no_number_is_no_file(client, teacher, officer, appeal_file):
    case = advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, officer)
    assert client.get(reverse("review:case", args=[case.pk]), {"appeal_file": appeal_file}).status_code == 404


def test_a_reviewers_form_keeps_the_text_without_the_nul(client, teacher, taipei_officer):
    reviewers = [make_reviewer("reviewer-b", "李委員")]
    _, (assignment,) = assigned_case(teacher, taipei_officer, reviewers)
    client.force_login(reviewers[0])
    posted = {"action": "save", "revision": str(assignment.revision), "notes": f"整體{NUL}完整\r\n"}
    posted["grades-1-facts"] = NUL
    response = client.post(reverse("review:review_form", args=[assignment.pk]), posted)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.data["notes"] == "整體完整" and "1" not in assignment.data["grades"]


def test_a_filed_appeal_keeps_the_text_without_the_nul(client, teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    case = walk(case, TO_FIRST_FAILED, teacher, taipei_officer)
    client.force_login(teacher)
    form = filled(case, appeal_opinion=f"觀察紀錄{NUL}已附\r\n請再審閱", school=f"測試{NUL}國小")
    response = client.post(reverse("review:appeal", args=[case.pk]), form)
    assert response.status_code == 302
    data = Appeal.objects.get(case=case).data
    assert data["appeal_opinion"] == "觀察紀錄已附\n請再審閱" and data["school"] == "測試國小"
    assert client.get(reverse("review:appeal", args=[case.pk]), {"file": NUL}).status_code < 500


def test_assigning_with_a_nul_for_a_reviewer_says_which(client, teacher, officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_ASSIGN, officer)
    response = client.post(reverse("review:assign", args=[case.pk]), {"reviewers": [NUL], "revision": case.revision})
    assert response.status_code < 500
    assert not Assignment.objects.filter(case=case).exists()
