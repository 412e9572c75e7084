"""送審紀錄: each round's submission as sent, and the 複審 reviewer's side-by-side comparison."""

import re

import pytest
from django.urls import reverse

from proteacher.certification import answers
from proteacher.certification.models import FormSlot, SlotAnswer
from proteacher.certification.workflow import State
from proteacher.documents.catalogue import get_template
from proteacher.review.models import Assignment, ReviewRound
from proteacher.testing import factories
from proteacher.testing.workflow import advance, take

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def revised(teacher, taipei_officer, reviewer):
    """A case reviewed in 初審 by `reviewer`, revised by the teacher (教學單元 changed) and sent to 複審."""
    case = advance(factories.case(teacher, "advanced"), State.FIRST_REVISION, taipei_officer)
    Assignment.objects.create(
        case=case,
        round=ReviewRound.FIRST,
        reviewer=reviewer,
        assigned_by=taipei_officer,
        template_code="review_advanced",
    )
    observation = SlotAnswer.objects.in_use().get(case=case, slot_code="observation")
    slot = FormSlot.objects.get(certification_type=case.certification_type, code="observation")
    answers.save_answer(
        case,
        slot,
        get_template(observation.template_code),
        data={**observation.data, "unit": "分數的加法（修正）"},
        is_complete=True,
        expected_revision=observation.revision,
    )
    take(case, "resubmit", taipei_officer, expected_revision=case.revision)
    return case


@pytest.fixture
def second_reviewer(revised, taipei_officer):
    person = factories.staff("reviewer-2", "reviewer", name="王委員")
    Assignment.objects.create(
        case=revised,
        round=ReviewRound.SECOND,
        reviewer=person,
        assigned_by=taipei_officer,
        template_code="review_advanced",
    )
    return person


def test_the_second_round_reviewer_sees_both_rounds_side_by_side(client, revised, second_reviewer):
    client.force_login(second_reviewer)

    response = client.get(reverse("review:compare", args=[revised.pk, 2]))

    text = text_of(response)
    assert response.status_code == 200
    assert "第1次送審（初審・送出審查文件）" in text and "第2次送審（複審・送出複審資料）" in text
    changed = re.findall(r"<tr class=\"table-warning\" data-changed>(.*?)</tr>", response.content.decode(), re.S)
    assert len(changed) == 1 and "教學單元" in changed[0] and "分數的加法（修正）" in changed[0]
    assert "1 項表單有變更" in text


def test_the_reviewer_page_links_to_the_comparison(client, revised, second_reviewer):
    assignment = Assignment.objects.get(case=revised, reviewer=second_reviewer)
    client.force_login(second_reviewer)

    page = client.get(reverse("review:review_form", args=[assignment.pk])).content.decode()

    assert reverse("review:compare", args=[revised.pk, 2]) in page
    assert reverse("review:submission_print", args=[revised.pk, 2, "observation"]) in page


def test_a_first_round_reviewer_never_sees_what_was_sent_after(client, revised, reviewer):
    client.force_login(reviewer)

    assert client.get(reverse("review:compare", args=[revised.pk, 2])).status_code == 404
    assert client.get(reverse("review:submission_print", args=[revised.pk, 2, "observation"])).status_code == 404
    assert client.get(reverse("review:submission_print", args=[revised.pk, 1, "observation"])).status_code == 200


def test_the_teacher_and_the_office_read_every_round_and_other_counties_nothing(
    client, revised, teacher, taipei_officer, taichung_officer
):
    for person, expected in ((teacher, 200), (taipei_officer, 200), (taichung_officer, 404)):
        client.force_login(person)
        assert client.get(reverse("review:submissions", args=[revised.pk])).status_code == expected
        assert client.get(reverse("review:compare", args=[revised.pk, 2])).status_code == expected


def test_round_one_as_printed_is_what_was_first_sent(client, revised, taipei_officer):
    client.force_login(taipei_officer)

    first = text_of(client.get(reverse("review:submission_print", args=[revised.pk, 1, "observation"])))
    second = text_of(client.get(reverse("review:submission_print", args=[revised.pk, 2, "observation"])))

    assert "分數的加法（修正）" not in first and "分數的加法（修正）" in second


def test_送審紀錄_lists_each_send_with_its_hashes_newest_first(client, revised, teacher):
    from proteacher.certification.models import Submission

    client.force_login(teacher)

    text = text_of(client.get(reverse("review:submissions", args=[revised.pk])))

    assert text.index("第2次送審（複審・送出複審資料）") < text.index("第1次送審（初審・送出審查文件）")
    assert "與第1次送審比較" in text
    first = Submission.objects.get(case=revised, number=1)
    upload = first.answers.get(slot_code="implementation")
    assert upload.file_sha256 and upload.file_sha256 in text
