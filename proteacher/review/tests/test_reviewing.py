"""The 審查標準表 service: drafts, 送出, and the round's move to 判定 when the last 委員 submits."""

import threading

import pytest
from django.db import connection

from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.documents import engine
from proteacher.errors import DomainError
from proteacher.review import reviewing
from proteacher.review.assignment import assign_reviewers
from proteacher.review.models import Assignment, ReviewRound
from proteacher.review.reviewing import save_review
from proteacher.review.tests.test_assignment import make_reviewer, waiting_case
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


def complete_review(assignment, recommendation="pass") -> dict:
    """Every row graded and commented, every form present, and the recommended result."""
    form = engine.form_for(reviewing.template_for(assignment))
    rubric = next(f for f in form.fields if f.key == "grades")
    data = {f.key: ["present"] for f in form.fields if f.key.startswith("formal_")}
    data["grades"] = {item["code"]: {"facts": "內容完整詳實。", "rating": "grade_1_2"} for item in rubric.items()}
    data["notes"] = ""
    data["recommendation"] = recommendation
    return data


def submit(assignment, recommendation="pass"):
    assignment.refresh_from_db()
    return save_review(
        assignment, complete_review(assignment, recommendation), submit=True, expected_revision=assignment.revision
    )


@pytest.fixture
def reviewers(db):
    return [make_reviewer("reviewer-b", "李委員"), make_reviewer("reviewer-c", "陳委員")]


def assigned_case(teacher, officer, reviewers, state=State.FIRST_ASSIGN):
    case = waiting_case(teacher, officer, state)
    round = {State.FIRST_ASSIGN: "first", State.SECOND_ASSIGN: "second", State.APPEAL_ASSIGN: "appeal"}[state]
    assign_reviewers(case, round, reviewers, officer, expected_revision=case.revision, short_confirmed=True)
    case.refresh_from_db()
    return case, list(Assignment.objects.filter(case=case).order_by("reviewer__username"))


@pytest.fixture
def first_round(teacher, taipei_officer, reviewers):
    return assigned_case(teacher, taipei_officer, reviewers)


def test_the_first_submit_leaves_the_case_in_review_and_the_last_moves_it_with_one_event(first_round):
    case, (first, second) = first_round

    submit(first)
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVIEW

    submit(second, "revise")
    case.refresh_from_db()
    assert case.state == State.FIRST_DECISION
    done = CaseEvent.objects.filter(case=case, action="first_reviews_done")
    assert [(e.actor, e.from_state, e.to_state) for e in done] == [(None, State.FIRST_REVIEW, State.FIRST_DECISION)]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.recommendation, second.recommendation) == ("pass", "revise")
    assert first.submitted_at and second.submitted_at


@pytest.mark.parametrize(
    "state, decision_state, action",
    [
        (State.SECOND_ASSIGN, State.SECOND_DECISION, "second_reviews_done"),
        (State.APPEAL_ASSIGN, State.APPEAL_DECISION, "appeal_reviews_done"),
    ],
)
def test_each_round_ends_in_its_own_decision(teacher, taipei_officer, reviewers, state, decision_state, action):
    case, assignments = assigned_case(teacher, taipei_officer, reviewers[:1], state)

    submit(assignments[0], "fail")

    case.refresh_from_db()
    assert case.state == decision_state
    assert CaseEvent.objects.filter(case=case).last().action == action


def test_a_draft_keeps_the_answers_and_moves_nothing(first_round):
    case, (first, _) = first_round
    data = complete_review(first)
    data["grades"]["1"]["facts"] = "實施證明日期需補正。"

    saved = save_review(first, data, submit=False, expected_revision=first.revision)

    assert (saved.revision, saved.submitted_at, saved.recommendation) == (1, None, "pass")
    assert Assignment.objects.get(pk=first.pk).data["grades"]["1"]["facts"] == "實施證明日期需補正。"
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.revision) == (State.FIRST_REVIEW, case.revision)


def test_a_draft_may_be_incomplete_but_submit_may_not(first_round):
    _, (first, _) = first_round
    save_review(first, {"notes": "先寫一點"}, submit=False, expected_revision=0)

    with pytest.raises(DomainError) as refused:
        save_review(first, {"notes": "先寫一點"}, submit=True, expected_revision=1)

    assert refused.value.message.startswith("尚未填寫：1 審查等級與審查意見、")
    assert refused.value.message.endswith("審查結果建議。填寫完成後才能送出。")
    assert Assignment.objects.get(pk=first.pk).submitted_at is None


def test_a_second_submit_is_refused_and_changes_nothing(first_round):
    case, (first, _) = first_round
    submit(first)
    before = Assignment.objects.get(pk=first.pk)

    with pytest.raises(DomainError) as refused:
        save_review(first, complete_review(first, "fail"), submit=True, expected_revision=None)

    assert refused.value.message == "此審查標準表已送出，僅供檢視。"
    after = Assignment.objects.get(pk=first.pk)
    assert (after.revision, after.recommendation, after.submitted_at) == (
        before.revision,
        "pass",
        before.submitted_at,
    )


def test_the_last_reviewers_double_click_moves_the_case_once(first_round):
    case, (first, second) = first_round
    submit(first)
    second.refresh_from_db()
    shown = second.revision
    save_review(second, complete_review(second), submit=True, expected_revision=shown)

    with pytest.raises(DomainError):
        save_review(second, complete_review(second), submit=True, expected_revision=shown)

    assert CaseEvent.objects.filter(case=case, action="first_reviews_done").count() == 1


def test_a_stale_tab_is_refused(first_round):
    _, (first, _) = first_round
    save_review(first, {"notes": "第一個分頁"}, submit=False, expected_revision=0)

    with pytest.raises(DomainError) as refused:
        save_review(first, {"notes": "第二個分頁"}, submit=False, expected_revision=0)

    assert refused.value.message == "此審查標準表已在其他視窗儲存過，請重新整理後再修改，以免覆蓋較新的內容。"
    assert Assignment.objects.get(pk=first.pk).data == {"notes": "第一個分頁"}


def test_only_the_forms_fields_are_kept(first_round):
    _, (first, _) = first_round
    saved = save_review(first, {"notes": "意見", "reviewer_name": "不該存"}, submit=False, expected_revision=0)
    assert saved.data == {"notes": "意見"}


def test_the_first_round_offers_four_results_and_the_others_two(teacher, taipei_officer, reviewers):
    case, (first, _) = assigned_case(teacher, taipei_officer, reviewers)
    assert [label for _, label in reviewing.recommendation_choices(first)] == [
        "通過 (認證資料完整詳實)",
        "修正後通過 (自行修正，無須繳回複審)",
        "修正後複審 (部分錯誤與疏漏，須補件複審)",
        "不通過 (較嚴重之錯誤與缺失)",
    ]
    second = Assignment(case=case, round=ReviewRound.SECOND, template_code="review_advanced", template_version=1)
    assert [value for value, _ in reviewing.recommendation_choices(second)] == ["pass", "fail"]


def test_a_first_round_only_result_is_refused_in_the_second_round(teacher, taipei_officer, reviewers):
    case, (assignment,) = assigned_case(teacher, taipei_officer, reviewers[:1], State.SECOND_ASSIGN)

    with pytest.raises(DomainError) as refused:
        save_review(assignment, complete_review(assignment, "revise"), submit=True, expected_revision=0)

    assert refused.value.message == "「審查結果建議」的選項不正確，請重新選擇。"
    assert Case.objects.get(pk=case.pk).state == State.SECOND_REVIEW


def test_the_form_has_one_row_per_form_of_the_type(first_round):
    _, (first, _) = first_round
    form = engine.form_for(reviewing.template_for(first))
    rubric = next(f for f in form.fields if f.key == "grades")
    assert [item["text"] for item in rubric.items()] == [
        "實施證明",
        "社群參與證明",
        "觀察前會談紀錄表",
        "觀察紀錄表",
        "觀察後回饋會談紀錄表",
        "認證檢核表",
    ]
    assert [level["label"] for level in rubric.scale] == [
        "第1-2等級 優良",
        "第3等級 中等",
        "第4等級 待修正",
        "第5等級 待加強",
    ]
    assert [f.label for f in form.fields if f.key.startswith("formal_")][0] == "實施證明"
    assert {f.key for f in form.fields} >= {"notes", "recommendation"}


@pytest.mark.parametrize("code", ["review_basic", "review_advanced", "review_mentor"])
def test_each_types_rows_follow_its_form_slots(code):
    from proteacher.certification.models import FormSlot
    from proteacher.documents.catalogue import get_template

    template = get_template(code)
    assert template.definition["audience"] == "reviewer" and engine.definition_problems(template) == []
    rubric = next(f for f in engine.form_for(template).fields if f.key == "grades")
    labels = list(
        FormSlot.objects.filter(certification_type__code=code.removeprefix("review_")).values_list("label", flat=True)
    )
    assert [item["text"] for item in rubric.items()] == labels


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_submitting_at_once_move_the_case_exactly_once():
    factories.certification_types()
    teacher = factories.teacher()
    officer = factories.staff("taipei-officer", "county", county_name="臺北市")
    case, assignments = assigned_case(teacher, officer, [make_reviewer(f"r-{n}", f"委員{n}") for n in range(2)])
    start = threading.Barrier(2)
    errors = []

    def hand_in(assignment):
        try:
            data = complete_review(assignment)
            start.wait()
            save_review(assignment, data, submit=True, expected_revision=0)
        except Exception as error:  # collected for the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=hand_in, args=(a,)) for a in assignments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION
    assert CaseEvent.objects.filter(case=case, action="first_reviews_done").count() == 1
