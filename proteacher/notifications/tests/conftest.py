"""A case walked along real transitions, and a clock the outbox tests can move forward."""

import datetime

import pytest
from django.utils import timezone

from proteacher.certification import workflow
from proteacher.testing import factories
from proteacher.testing.workflow import without_checks_and_effects

_TO_FIRST_DECISION = ["submit", "formal_pass", "assign_first", "first_reviews_done"]
_TO_SECOND_DECISION = _TO_FIRST_DECISION + ["first_revise", "resubmit", "assign_second", "second_reviews_done"]
_TO_APPEAL_INTAKE = _TO_FIRST_DECISION + ["first_fail", "appeal"]
_TO_APPEAL_DECISION = _TO_APPEAL_INTAKE + ["appeal_accept", "appeal_resubmit", "assign_appeal", "appeal_reviews_done"]

# The actions that bring a new case to where `action` can be taken.
ROUTE_TO = {
    "submit": [],
    "formal_pass": ["submit"],
    "formal_return": ["submit"],
    "assign_first": ["submit", "formal_pass"],
    "first_reviews_done": ["submit", "formal_pass", "assign_first"],
    "first_pass": _TO_FIRST_DECISION,
    "first_revise": _TO_FIRST_DECISION,
    "first_fail": _TO_FIRST_DECISION,
    "resubmit": _TO_FIRST_DECISION + ["first_revise"],
    "revision_expire": _TO_FIRST_DECISION + ["first_revise"],
    "extend_deadline": _TO_FIRST_DECISION + ["first_revise"],
    "second_pass": _TO_SECOND_DECISION,
    "second_fail": _TO_SECOND_DECISION,
    "appeal": _TO_FIRST_DECISION + ["first_fail"],
    "appeal_expire": _TO_FIRST_DECISION + ["first_fail"],
    "appeal_accept": _TO_APPEAL_INTAKE,
    "appeal_reject": _TO_APPEAL_INTAKE,
    "appeal_resubmit": _TO_APPEAL_INTAKE + ["appeal_accept"],
    "appeal_pass": _TO_APPEAL_DECISION,
    "appeal_fail": _TO_APPEAL_DECISION,
    "approve": _TO_FIRST_DECISION + ["first_pass"],
    "issue": _TO_FIRST_DECISION + ["first_pass", "approve"],
    "revoke": _TO_FIRST_DECISION + ["first_pass", "approve", "issue"],
    "restore": _TO_FIRST_DECISION + ["first_pass", "approve", "issue", "revoke"],
}


class Walker:
    """Takes actions on a case as the role the workflow table names for each."""

    def __init__(self, office):
        self.office = office

    def actor_for(self, case, action):
        roles = workflow.BY_ACTION[action].roles
        if workflow.TEACHER in roles:
            return case.teacher
        if workflow.SYSTEM in roles:
            return None
        return self.office

    def take(self, case, action, reason=""):
        # Every 原因訊息 the table asks for is given, as the office's form makes sure of.
        step = workflow.BY_ACTION[action]
        reason = reason or ("測試原因" if step.reason_required else "")
        return workflow.transition(
            case, action, actor=self.actor_for(case, action), expected_revision=case.revision, reason=reason
        )

    def to(self, case, action):
        """Walk `case` to where `action` is the next step."""
        for step in ROUTE_TO[action]:
            self.take(case, step)
        return case


@pytest.fixture
def walk(monkeypatch, admin_user):
    # Only the workflow's own rules and its messages: the rows' checks and effects (forms
    # complete, verdicts, numbers issued) need data these tests are not about.
    without_checks_and_effects(monkeypatch)
    return Walker(office=admin_user)


@pytest.fixture
def case_of(teacher):
    def make(type_code="advanced", user=None):
        return factories.case(user or teacher, type_code)

    return make


class Clock:
    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta) -> datetime.datetime:
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Freezes django.utils.timezone.now (the outbox's clock) until advanced."""
    return Clock(monkeypatch)
