"""The workflow table is whole: every state and every action says everything the pages, the
messages and the docs read from it, and the recipients of a notice follow its rule."""

import dataclasses
import string

import pytest

from proteacher.accounts.models import Role
from proteacher.certification import workflow
from proteacher.certification.models import CaseEvent
from proteacher.certification.workflow import State, To
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

PLACEHOLDERS = {"type", "short", "training"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("state", workflow.STATES, ids=lambda state: state.code)
def test_every_state_has_its_label_and_the_teachers_sentence(state):
    assert state.label and state.next_step
    assert all(sentence for sentence in state.next_step_after.values())
    assert set(state.next_step_after) <= {step.action for step in workflow.ACTIONS}


@pytest.mark.parametrize("step", workflow.ACTIONS, ids=lambda step: step.action)
def test_every_action_has_its_label_its_notice_and_its_page(step):
    assert step.label
    assert step.notice is workflow.SILENT or isinstance(step.notice, workflow.Notice)
    if step.notice is not workflow.SILENT:
        assert placeholders(step.notice.title + step.notice.body) <= PLACEHOLDERS
        assert set(step.notice.to) <= {To.TEACHER, To.REVIEWERS, To.COUNTY, To.ADMIN}
    if workflow.SYSTEM in step.roles:
        assert not step.route, "the platform's own steps are offered on no page"
    else:
        assert step.route and step.done, "a person's action has the page that offers it and what they read after"
    assert all(state in workflow.BY_STATE for state in step.sources)
    # SAME_STATE: a row that leaves the case where it is (延長期限).
    assert step.target == workflow.SAME_STATE or step.target in workflow.BY_STATE


def test_a_row_without_its_notice_is_refused_by_the_table_itself():
    with pytest.raises(TypeError, match="notice"):
        workflow.Transition(
            action="new", sources=(State.PREPARING,), target=State.FORMAL_REVIEW, roles=(workflow.TEACHER,), label="新"
        )


def test_every_state_is_reached_and_every_state_but_the_last_is_left():
    targets = {step.target for step in workflow.ACTIONS} - {workflow.SAME_STATE}
    sources = {source for step in workflow.TRANSITIONS for source in step.sources}

    assert targets == set(workflow.STATE_LABELS)
    assert sources | workflow.FINAL_STATES == set(workflow.STATE_LABELS)


def test_each_round_has_its_assignment_its_review_and_its_decisions():
    for round in workflow.ROUNDS:
        assert workflow.state_in(round, "assign") in workflow.OFFICE_STATES
        assert workflow.BY_ACTION[workflow.round_action(round, route="review:assign")].target == workflow.state_in(
            round, "review"
        )
        done = workflow.BY_ACTION[workflow.round_action(round, roles=(workflow.SYSTEM,))]
        assert done.target == workflow.state_in(round, "decision")
        assert workflow.decisions_of(round)


def test_the_queue_lists_every_state_once():
    tabs = workflow.OFFICE_STATES + workflow.OTHER_STATES

    assert sorted(tabs) == sorted(workflow.STATE_LABELS)


def test_case_events_take_their_actions_from_the_table():
    field = CaseEvent._meta.get_field("action")

    assert list(field.choices) == [(step.action, step.label) for step in workflow.ACTIONS]


def test_each_label_is_written_once():
    """A label shared by several rows (分發委員 of each round, 委員審查完成, 通過) is one constant."""
    from proteacher.certification.workflow import table

    source = open(table.__file__, encoding="utf-8").read()
    actions = source[source.index("# --- actions") : source.index("# --- read from the table")]
    for step in workflow.ACTIONS:
        assert actions.count(f'"{step.label}"') == 1, step.label


# --- who is told --------------------------------------------------------------------------------------


@pytest.fixture
def assigned_case(teacher, taipei_officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_ASSIGN, taipei_officer)
    reviewers = [factories.staff(f"r{n}", Role.REVIEWER) for n in (1, 2)]
    workflow.transition(
        case,
        "assign_first",
        actor=taipei_officer,
        expected_revision=case.revision,
        reviewers=[reviewer.pk for reviewer in reviewers],
    )
    return case, reviewers


def test_the_teacher_is_told_by_default(teacher, assigned_case):
    case, _ = assigned_case

    assert workflow.recipients(case, (To.TEACHER,)) == [teacher]


def test_the_assigned_reviewers_of_the_round_are_read_from_its_assignment(assigned_case):
    case, reviewers = assigned_case

    assert workflow.recipients(case, (To.REVIEWERS,), round=workflow.FIRST) == reviewers
    assert workflow.recipients(case, (To.REVIEWERS,), round=workflow.SECOND) == []


def test_the_county_officers_and_the_admins_are_told_when_named(teacher, assigned_case, taipei_officer, admin_user):
    case, _ = assigned_case
    factories.staff("taichung-officer", Role.COUNTY, county_name="臺中市")
    inactive = factories.staff("old-admin", Role.ADMIN)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])

    told = workflow.recipients(case, (To.COUNTY, To.ADMIN, To.TEACHER, To.COUNTY))

    assert told == [taipei_officer, admin_user, teacher]


def test_a_notice_for_reviewers_reaches_them_with_no_new_mechanism(monkeypatch, teacher, taipei_officer):
    """A row that names the assigned 委員 tells them: the table is all that changes."""
    from proteacher.certification.workflow import table
    from proteacher.notifications.models import Notification

    case = advance(factories.case(teacher, "advanced"), State.FIRST_ASSIGN, taipei_officer)
    reviewer = factories.staff("r1", Role.REVIEWER)
    row = table.BY_ACTION["assign_first"]
    notice = workflow.Notice("{type}審查案件分發通知", "您有一件{short}待審查。", to=(To.REVIEWERS,))
    monkeypatch.setitem(table.BY_ACTION, "assign_first", dataclasses.replace(row, notice=notice))

    workflow.transition(
        case, "assign_first", actor=taipei_officer, expected_revision=case.revision, reviewers=[reviewer.pk]
    )

    told = Notification.objects.get(event__action="assign_first")
    assert (told.recipient, told.title, told.body) == (
        reviewer,
        "進階專業回饋人才認證審查案件分發通知",
        "您有一件進階認證待審查。",
    )
