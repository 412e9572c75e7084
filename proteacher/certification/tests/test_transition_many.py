"""workflow.transition_many(): many cases moved by one action in one transaction, each with the
checks, event, audit entry and message transition() gives one case; the refused ones named with
their reason and left untouched, the others written a statement per table."""

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.audit.models import AuditEntry
from proteacher.certification import state_counts, workflow
from proteacher.certification.models import Case, CaseEvent, Certificate, CertificationType, TrainingCertificate
from proteacher.certification.workflow import State, table
from proteacher.errors import DomainError
from proteacher.notifications.models import Notification, OutgoingMail
from proteacher.notifications.services import _email_body
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

YEAR = 114
_made = iter(range(1, 100_000))


def approved(count: int, *, county_names=("臺北市",), type_codes=("advanced",), state=State.APPROVED) -> list[Case]:
    """`count` cases in `state` (通過可產證), spread over the counties and types given in turn."""
    factories.certification_types()
    counties = [factories.county(name) for name in county_names]
    kinds = [CertificationType.objects.get(code=code) for code in type_codes]
    numbers = [next(_made) for _ in range(count)]
    users = User.objects.bulk_create(
        User(username=f"sso:many-{n}", role=Role.TEACHER, name=f"教師{n}", email=f"many-{n}@school.example.tw")
        for n in numbers
    )
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            teacher=user,
            certification_type=kinds[i % len(kinds)],
            academic_year=YEAR,
            state=state,
            county=counties[(i // len(kinds)) % len(counties)],
            updated_at=now,
            revision=3,
        )
        for i, user in enumerate(users)
    )
    state_counts.rebuild()
    return cases


def test_one_case_in_the_wrong_state_is_named_and_the_others_move(admin_user):
    cases = approved(5)
    wrong = cases[2]
    Case.objects.filter(pk=wrong.pk).update(state=State.PASSED)

    outcomes = workflow.transition_many(cases, "issue", actor=admin_user)

    assert list(outcomes) == [case.pk for case in cases]
    assert outcomes[wrong.pk].refusal == "此申請目前的狀態為「通過」，無法執行「發證」。"
    assert not outcomes[wrong.pk].moved
    moved = [case for case in cases if case is not wrong]
    assert all(outcomes[case.pk].moved and outcomes[case.pk].refusal == "" for case in moved)
    assert outcomes[moved[0].pk].case.state == State.ISSUED
    assert dict(Case.objects.values_list("pk", "state")) == {
        **{case.pk: State.ISSUED for case in moved},
        wrong.pk: State.PASSED,
    }
    assert set(Case.objects.filter(pk__in=[c.pk for c in moved]).values_list("revision", flat=True)) == {4}
    assert Case.objects.get(pk=wrong.pk).revision == 3
    # Numbered in the given order, the refused one leaving no gap.
    assert [Certificate.objects.get(case=case).serial for case in moved] == [1, 2, 3, 4]
    assert not Certificate.objects.filter(case=wrong).exists()
    assert not CaseEvent.objects.filter(case=wrong).exists()


def test_each_moved_case_has_its_event_audit_entry_message_and_email(admin_user):
    cases = approved(6, county_names=("臺北市", "臺中市"), type_codes=("advanced", "basic"))
    refused = cases[0]
    Case.objects.filter(pk=refused.pk).update(state=State.ISSUED)
    state_counts.rebuild()
    moved = cases[1:]

    workflow.transition_many(cases, "issue", actor=admin_user, batch=41)

    events = CaseEvent.objects.filter(action="issue").order_by("case_id")
    assert [event.case_id for event in events] == [case.pk for case in moved]
    for event in events:
        certificate = Certificate.objects.get(case_id=event.case_id)
        assert (event.actor, event.from_state, event.to_state) == (admin_user, State.APPROVED, State.ISSUED)
        assert event.extra == {"batch": 41, "certificate_number": certificate.number}
        assert certificate.issued_at == event.at
        assert TrainingCertificate.objects.get(case_id=event.case_id).issued_at == event.at
    entries = AuditEntry.objects.filter(action="case.transition").order_by("case_id")
    assert [(e.case_id, e.subject_id) for e in entries] == [(case.pk, case.teacher_id) for case in moved]
    entry, event = entries[0], events[0]
    assert (entry.actor_id, entry.actor_role, entry.actor_name) == (admin_user.pk, "admin", "工作小組")
    assert entry.target == "發證（通過可產證 → 已發證）" and entry.at == event.at
    assert entry.data == {"action": "issue", "from": State.APPROVED, "to": State.ISSUED, "event": event.pk}

    messages = Notification.objects.order_by("recipient_id")
    assert [m.recipient_id for m in messages] == [case.teacher_id for case in moved]
    for message in messages:
        case = Case.objects.select_related("certification_type").get(pk=message.case_id)
        assert (message.title, message.body) == workflow.notice_of("issue", case.certification_type)
        assert message.event.case_id == case.pk
    assert OutgoingMail.objects.count() == len(moved)
    for mail in OutgoingMail.objects.select_related("notification__recipient"):
        notification = mail.notification
        # The same email notify() would have written for the message, the name and link its own.
        assert mail.body == _email_body(notification.recipient, notification)
        assert mail.to == notification.recipient.email
        assert mail.subject == f"【教師專業發展支持作業平臺】{notification.title}"
    unread = dict(User.objects.filter(role=Role.TEACHER).values_list("pk", "unread_notifications"))
    assert unread == {**{case.teacher_id: 1 for case in moved}, refused.teacher_id: 0}
    assert state_counts.differences() == {}


def test_the_statements_do_not_grow_with_the_number_of_cases(admin_user):
    cases = approved(34)
    first, few, many = cases[0], cases[1:4], cases[4:]
    # The counter's row exists from then on (its first case inserts it).
    workflow.transition(first, "issue", actor=admin_user)

    with CaptureQueriesContext(connection) as for_few:
        workflow.transition_many(few, "issue", actor=admin_user)
    with CaptureQueriesContext(connection) as for_many:
        workflow.transition_many(many, "issue", actor=admin_user)

    assert len(for_many) == len(for_few)
    assert Certificate.objects.count() == 34


def test_freshness_is_checked_per_case(admin_user):
    fresh, changed, moved_since, gone = approved(4)
    Case.objects.filter(pk=changed.pk).update(revision=4)
    Case.objects.filter(pk=moved_since.pk).update(state=State.ISSUED, revision=4)
    Case.objects.filter(pk=gone.pk).delete()
    shown = {case.pk: (State.APPROVED, 3) for case in (fresh, changed, moved_since, gone)}

    outcomes = workflow.transition_many([fresh, changed, moved_since, gone], "issue", actor=admin_user, expected=shown)

    assert outcomes[fresh.pk].moved
    assert outcomes[changed.pk].refusal == "此頁面的資料已經更新，請重新整理後再操作。"
    assert outcomes[moved_since.pk].refusal == "此申請已經處理過，目前的狀態為「已發證」。"
    assert outcomes[gone.pk].refusal == workflow.CASE_GONE and outcomes[gone.pk].missing


def test_roles_and_the_required_reason_are_checked_as_for_one_case(admin_user):
    cases = approved(2)
    officer = factories.staff("county-officer", "county", county_name="臺北市")

    outcomes = workflow.transition_many(cases, "issue", actor=officer)
    assert {o.refusal for o in outcomes.values()} == {"您沒有執行此操作的權限。"}

    issued = approved(2)
    workflow.transition_many(issued, "issue", actor=admin_user)
    outcomes = workflow.transition_many(issued, "revoke", actor=admin_user, category="other")
    assert {o.refusal for o in outcomes.values()} == {"撤銷證書請填寫原因訊息。"}
    assert not Case.objects.filter(state=State.REVOKED).exists()


def test_an_effect_refusing_one_case_undoes_only_that_case(admin_user, monkeypatch):
    cases = approved(4)
    broken = cases[1]

    def refuse_the_broken_one(change):
        if change.case.pk == broken.pk:
            raise DomainError("此申請的資料不完整。")

    declared = table.BY_ACTION["issue"]
    monkeypatch.setitem(
        table.BY_ACTION, "issue", dataclasses.replace(declared, effects=(*declared.effects, refuse_the_broken_one))
    )

    outcomes = workflow.transition_many(cases, "issue", actor=admin_user)

    assert outcomes[broken.pk].refusal == "此申請的資料不完整。"
    others = [case for case in cases if case is not broken]
    assert [Certificate.objects.get(case=case).serial for case in others] == [1, 2, 3]
    assert not Certificate.objects.filter(case=broken).exists()
    assert Case.objects.get(pk=broken.pk).state == State.APPROVED
    assert CaseEvent.objects.count() == AuditEntry.objects.filter(action="case.transition").count() == 3


def test_a_case_without_a_county_is_refused_its_number(admin_user):
    cases = approved(3)
    Case.objects.filter(pk=cases[0].pk).update(county=None)

    outcomes = workflow.transition_many(cases, "issue", actor=admin_user)

    assert outcomes[cases[0].pk].refusal == "此申請沒有所屬縣市，無法編列證號。"
    assert [Certificate.objects.get(case=case).serial for case in cases[1:]] == [1, 2]


def test_one_case_refused_by_transition_raises_and_changes_nothing(admin_user):
    (case,) = approved(1, state=State.PASSED)

    with pytest.raises(DomainError, match="無法執行「發證」"):
        workflow.transition(case, "issue", actor=admin_user)

    assert Case.objects.get(pk=case.pk).state == State.PASSED
    assert not CaseEvent.objects.exists() and not Notification.objects.exists()
