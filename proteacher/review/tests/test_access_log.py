"""The back office's looks at a teacher's forms and files are recorded: a 委員 or an officer
printing a frozen submission's form or opening its PDF, comparing two rounds, reading the 申復表
or opening its PDF. The teacher's own looks are not."""

import pytest
from django.urls import reverse

from proteacher.certification.workflow import State
from proteacher.review.models import Appeal
from proteacher.review.tests.test_case_view import appealed  # noqa: F401
from proteacher.review.tests.test_rounds import revised, second_reviewer  # noqa: F401
from proteacher.testing import factories
from proteacher.testing.audit import entries, the_entry, who_whose_what
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

RUBRIC = "105年版教師專業發展規準觀察紀錄表"


@pytest.fixture
def sent(teacher, taipei_officer):
    return advance(factories.case(teacher, "advanced"), State.FORMAL_REVIEW, taipei_officer)


def test_a_submitted_form_printed_by_an_officer_is_recorded(client, teacher, taipei_officer, sent):
    client.force_login(taipei_officer)

    client.get(reverse("review:submission_print", args=[sent.pk, 1, "observation"]))

    entry = the_entry("form.view")
    assert who_whose_what(entry) == (taipei_officer.pk, teacher.pk, sent.pk, RUBRIC)
    assert entry.data == {"slot": "observation", "submission": 1, "county": taipei_officer.county_id}


def test_a_submitted_pdf_opened_by_a_reviewer_is_recorded(client, teacher, revised, second_reviewer):  # noqa: F811
    client.force_login(second_reviewer)

    response = client.get(reverse("review:submission_file", args=[revised.pk, 2, "implementation"]))

    assert response.status_code == 200
    entry = the_entry("file.view")
    assert who_whose_what(entry) == (second_reviewer.pk, teacher.pk, revised.pk, "公開授課實施證明")
    assert (entry.actor_role, entry.data["submission"], entry.data["file_name"]) == (
        "reviewer",
        2,
        "implementation.pdf",
    )


def test_comparing_two_rounds_is_a_look_at_the_forms(client, teacher, revised, second_reviewer):  # noqa: F811
    client.force_login(second_reviewer)

    assert client.get(reverse("review:compare", args=[revised.pk, 2])).status_code == 200

    entry = the_entry("form.view")
    assert who_whose_what(entry)[:3] == (second_reviewer.pk, teacher.pk, revised.pk)
    assert entry.target.startswith("送審紀錄比較：第2次送審")


def test_the_teacher_reading_their_own_submissions_is_not_recorded(client, teacher, revised):  # noqa: F811
    client.force_login(teacher)

    client.get(reverse("review:submission_print", args=[revised.pk, 2, "observation"]))
    client.get(reverse("review:submission_file", args=[revised.pk, 2, "implementation"]))
    client.get(reverse("review:compare", args=[revised.pk, 2]))

    assert not entries("form.view", "file.view")


def test_the_appeal_shown_on_the_office_case_page_and_its_pdf_are_recorded(
    client,
    teacher,
    taipei_officer,
    appealed,  # noqa: F811
):
    appeal = Appeal.objects.get(case=appealed)
    client.force_login(taipei_officer)

    client.get(reverse("review:case", args=[appealed.pk]))
    client.get(f"{reverse('review:case', args=[appealed.pk])}?appeal_file={appeal.pk}")

    shown, opened = entries("form.view", "file.view")
    assert who_whose_what(shown) == (taipei_officer.pk, teacher.pk, appealed.pk, "認證審查結果申復表")
    assert (opened.action, opened.target, opened.data["file_name"]) == (
        "file.view",
        "認證審查結果申復表",
        "補充資料.pdf",
    )


def test_the_filed_appeal_page_and_its_pdf_are_recorded_for_the_office_only(
    client,
    teacher,
    admin_user,
    appealed,  # noqa: F811
):
    url = reverse("review:appeal", args=[appealed.pk])
    client.force_login(teacher)
    client.get(url)
    client.get(f"{url}?file=1")
    assert not entries("form.view", "file.view")

    client.force_login(admin_user)
    client.get(url)
    client.get(f"{url}?file=1")

    assert [(entry.action, entry.actor_id) for entry in entries("form.view", "file.view")] == [
        ("form.view", admin_user.pk),
        ("file.view", admin_user.pk),
    ]


def test_an_office_case_page_without_an_appeal_records_no_look(client, taipei_officer, sent):
    client.force_login(taipei_officer)

    client.get(reverse("review:case", args=[sent.pk]))

    assert not entries("form.view", "file.view")
