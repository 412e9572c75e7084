"""The back office's forms are in the audit log: the 形式審查表, each 儲存 and 送出 of a 委員's
審查標準表, the teacher's 申復表 draft, and a 委員's settings. A refused one writes nothing."""

import pytest
from django.urls import reverse

from proteacher.certification.workflow import State
from proteacher.review.models import Assignment
from proteacher.review.tests.test_assignment import make_reviewer
from proteacher.review.tests.test_formal_review import formal_post, sent  # noqa: F401
from proteacher.review.tests.test_reviewer_workspace import form_url, posted
from proteacher.review.tests.test_reviewing import assigned_case
from proteacher.review.tests.test_teacher_appeal import appeal_url, failed_case, filled  # noqa: F401
from proteacher.testing import factories
from proteacher.testing.audit import entries, the_entry, who_whose_what

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewers(db):
    return [make_reviewer("reviewer-b", "李委員"), make_reviewer("reviewer-c", "陳委員")]


@pytest.fixture
def first_round(teacher, taipei_officer, reviewers):
    return assigned_case(teacher, taipei_officer, reviewers)


def test_the_formal_review_is_recorded_with_what_it_found(client, teacher, taipei_officer, sent):  # noqa: F811
    client.force_login(taipei_officer)

    formal_post(client, sent, decision="return", reason="請補核章。", problems={"implementation": "缺少核章。"})

    entry = the_entry("formal.save")
    assert who_whose_what(entry) == (taipei_officer.pk, teacher.pk, sent.pk, "形式審查表")
    assert entry.data["passed"] is False and entry.data["not_ok"] == ["implementation"]
    assert entries("case.transition")[-1].data["action"] == "formal_return"


def test_a_formal_review_of_a_stale_page_records_nothing(client, taipei_officer, sent):  # noqa: F811
    client.force_login(taipei_officer)

    formal_post(client, sent, revision=sent.revision - 1)

    assert not entries("formal.save")


def test_a_reviewers_draft_and_submit_are_recorded(client, teacher, reviewers, first_round):
    case, (mine, _) = first_round
    client.force_login(reviewers[0])

    client.post(form_url(mine), posted(mine, action="save"))
    client.post(form_url(mine), posted(mine, action="submit"))

    saved, submitted = entries("review.save", "review.submit")
    assert who_whose_what(saved) == (reviewers[0].pk, teacher.pk, case.pk, "進階審查標準表（初審）")
    assert (saved.action, submitted.action) == ("review.save", "review.submit")
    assert (submitted.actor_role, submitted.data["assignment"], submitted.data["recommendation"]) == (
        "reviewer",
        mine.pk,
        "pass",
    )


def test_a_submit_with_something_missing_is_recorded_as_the_draft_it_keeps(client, reviewers, first_round):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])

    client.post(form_url(mine), posted(mine, action="submit", notes="", recommendation=""))

    assert [entry.action for entry in entries("review.save", "review.submit")] == ["review.save"]


def test_a_refused_review_save_records_nothing(client, reviewers, first_round):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])

    client.post(form_url(mine), posted(mine, action="save", revision="7"))

    assert not entries("review.save", "review.submit")


def test_the_last_submit_is_followed_by_the_platforms_step(client, reviewers, first_round):
    case, assignments = first_round
    for reviewer, assignment in zip(reviewers, assignments, strict=True):
        client.force_login(reviewer)
        client.post(form_url(assignment), posted(assignment))

    moved = entries("case.transition")[-1]
    assert (moved.data["action"], moved.actor_id) == ("first_reviews_done", None)
    assert Assignment.objects.filter(case=case, submitted_at__isnull=False).count() == 2
    case.refresh_from_db()
    assert case.state == State.FIRST_DECISION


def test_the_appeal_draft_is_recorded_for_the_teacher(client, teacher, failed_case):  # noqa: F811
    client.force_login(teacher)

    client.post(appeal_url(failed_case), filled(failed_case))

    entry = the_entry("appeal.save")
    assert who_whose_what(entry) == (teacher.pk, teacher.pk, failed_case.pk, "認證審查結果申復表")
    assert entry.data == {"revision": 1, "complete": True}


def test_a_stale_appeal_draft_records_nothing(client, teacher, failed_case):  # noqa: F811
    client.force_login(teacher)
    client.post(appeal_url(failed_case), filled(failed_case))

    client.post(appeal_url(failed_case), filled(failed_case, revision=0))

    assert len(entries("appeal.save")) == 1


def test_a_reviewers_settings_are_recorded_with_before_and_after(client, admin_user, reviewers):
    school = factories.school("臺北市立大安國小")
    client.force_login(admin_user)

    client.post(reverse("review:reviewer_edit", args=[reviewers[0].pk]), {"school": school.pk, "is_active": "on"})

    entry = the_entry("staff.change")
    assert (entry.actor_id, entry.target) == (admin_user.pk, "審查委員：李委員（reviewer-b）")
    assert entry.data["after"] == {"school": "臺北市立大安國小", "is_active": True}
