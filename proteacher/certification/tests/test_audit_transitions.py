"""Every move of a case writes one audit entry beside its CaseEvent, in the same transaction, with
the same actor and moment; a refused move writes neither."""

import pytest
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.models import CaseEvent
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.testing import factories
from proteacher.testing.audit import entries, the_entry, who_whose_what
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(teacher):
    return factories.case(teacher)


def test_opening_a_case_is_recorded_with_its_first_event(teacher, case):
    entry = the_entry("case.transition")
    event = CaseEvent.objects.get(case=case)

    assert who_whose_what(entry) == (teacher.pk, teacher.pk, case.pk, "申請（準備資料）")
    assert entry.at == event.at
    assert entry.data == {"action": "apply", "from": "", "to": State.PREPARING, "event": event.pk}


def test_each_transition_is_one_entry_beside_its_event(teacher, taipei_officer, case):
    advance(case, State.FIRST_ASSIGN, taipei_officer)

    events = list(CaseEvent.objects.filter(case=case).order_by("at", "id"))
    recorded = entries("case.transition")
    assert [entry.data["event"] for entry in recorded] == [event.pk for event in events]
    submitted, passed = recorded[1:]
    assert who_whose_what(submitted) == (teacher.pk, teacher.pk, case.pk, "送出審查文件（準備資料 → 形式審查）")
    assert who_whose_what(passed)[:3] == (taipei_officer.pk, teacher.pk, case.pk)
    assert passed.target == f"{workflow.label_of('formal_pass')}（形式審查 → 初審分發委員）"
    assert (passed.actor_role, passed.at) == ("county", events[-1].at)


def test_the_platforms_own_step_is_recorded_without_an_actor(taipei_officer, case):
    advance(case, State.FIRST_DECISION, taipei_officer)

    done = next(entry for entry in entries("case.transition") if entry.data["action"] == "first_reviews_done")
    assert (done.actor_id, done.actor_role, done.actor_name) == (None, "", "")


def test_a_refused_transition_records_nothing(taipei_officer, taichung_officer, case):
    advance(case, State.FORMAL_REVIEW, taipei_officer)
    before = len(entries())

    with pytest.raises(DomainError):
        workflow.transition(case, "formal_pass", actor=taichung_officer, slots={})

    assert len(entries()) == before


def test_a_transition_from_a_page_carries_the_client_address(client, teacher, case):
    factories.fill_every_slot(case)
    client.force_login(teacher)

    client.post(reverse("certification:submit", args=[case.pk]), {"revision": case.revision}, REMOTE_ADDR="192.0.2.7")

    assert entries("case.transition")[-1].ip == "192.0.2.7"
