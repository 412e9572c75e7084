"""Every row of the workflow table refuses the wrong role, the wrong state, a stale page and a
double click with a message, and changes nothing (SPEC §6; docs/workflow.md)."""

import datetime

import pytest
from django.utils import timezone

from proteacher.certification import workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import SYSTEM, TRANSITIONS
from proteacher.errors import DomainError
from proteacher.testing import factories
from proteacher.testing.workflow import without_checks_and_effects

pytestmark = pytest.mark.django_db

# A 原因訊息, for the rows that ask for one.
REASON = "請補正。"


@pytest.fixture(autouse=True)
def only_the_table(monkeypatch):
    # The rule under test is transition()'s own; the rows' checks and effects (forms complete,
    # verdicts, certificate numbers) are tested where they live.
    without_checks_and_effects(monkeypatch)


@pytest.fixture
def people(teacher, taipei_officer, admin_user, reviewer):
    return {"teacher": teacher, "county": taipei_officer, "admin": admin_user, "reviewer": reviewer, SYSTEM: None}


def case_in(teacher, state: str) -> Case:
    factories.certification_types()
    case = factories.case(teacher)
    # Tests may place a case anywhere; the product moves it only through transition().
    Case.objects.filter(pk=case.pk).update(state=state, appeal_deadline=timezone.now() + datetime.timedelta(days=5))
    case.refresh_from_db()
    return case


def allowed_actor(step, people):
    return people[step.roles[0]]


def snapshot(case):
    case.refresh_from_db()
    return case.state, case.revision, CaseEvent.objects.filter(case=case).count()


@pytest.mark.parametrize("step", TRANSITIONS, ids=lambda step: step.action)
def test_the_wrong_role_is_refused(step, people, teacher):
    case = case_in(teacher, step.sources[0])
    before = snapshot(case)
    for role, actor in people.items():
        if role in step.roles:
            continue
        with pytest.raises(DomainError) as refused:
            workflow.transition(case, step.action, actor=actor, expected_revision=case.revision)
        assert refused.value.message
        assert snapshot(case) == before


@pytest.mark.parametrize("step", TRANSITIONS, ids=lambda step: step.action)
def test_the_wrong_state_is_refused(step, people, teacher):
    wrong = next(state for state in workflow.STATE_LABELS if state not in step.sources)
    case = case_in(teacher, wrong)
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        workflow.transition(case, step.action, actor=allowed_actor(step, people), expected_revision=case.revision)
    assert f"目前的狀態為「{workflow.label(wrong)}」" in refused.value.message
    assert snapshot(case) == before


@pytest.mark.parametrize("step", TRANSITIONS, ids=lambda step: step.action)
def test_a_stale_page_is_refused(step, people, teacher):
    case = case_in(teacher, step.sources[0])
    Case.objects.filter(pk=case.pk).update(revision=3)
    before = snapshot(case)
    with pytest.raises(DomainError) as refused:
        workflow.transition(case, step.action, actor=allowed_actor(step, people), expected_revision=2)
    assert refused.value.message == "此頁面的資料已經更新，請重新整理後再操作。"
    assert snapshot(case) == before


@pytest.mark.parametrize("step", TRANSITIONS, ids=lambda step: step.action)
def test_a_double_click_acts_once(step, people, teacher):
    case = case_in(teacher, step.sources[0])
    shown = Case.objects.get(pk=case.pk)  # what the page showed, for both clicks
    actor = allowed_actor(step, people)

    workflow.transition(shown, step.action, actor=actor, expected_revision=shown.revision, reason=REASON)
    after_first = snapshot(case)
    # A row that leaves the case where it is (延長期限, SAME_STATE) still counts as acted on.
    assert after_first[0] == (step.target or step.sources[0])

    stale_view = Case.objects.get(pk=case.pk)
    stale_view.state, stale_view.revision = step.sources[0], after_first[1] - 1
    with pytest.raises(DomainError) as refused:
        workflow.transition(stale_view, step.action, actor=actor, expected_revision=stale_view.revision, reason=REASON)
    assert "已經處理過" in refused.value.message or "已經更新" in refused.value.message
    assert snapshot(case) == after_first
