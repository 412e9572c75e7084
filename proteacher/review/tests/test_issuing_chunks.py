"""The worker moves a 發證 batch a chunk of items to a transaction (workflow.transition_many): the
numbers run on from chunk to chunk, a refused case is named and the rest of its chunk moves, an
item another worker handled meanwhile or a database error sends the chunk one item at a time."""

import dataclasses
from collections import defaultdict

import pytest
from django.db import IntegrityError

from proteacher.audit.models import AuditEntry
from proteacher.certification.models import Case, CaseEvent, Certificate
from proteacher.certification.tests.test_transition_many import approved
from proteacher.certification.workflow import State, table
from proteacher.notifications.models import Notification, OutgoingMail
from proteacher.review import issuing
from proteacher.review.models import IssuingBatch, IssuingBatchItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 7 items, so that a few dozen cases take several."""
    monkeypatch.setattr(issuing, "RENEW_EVERY_ITEMS", 7)
    monkeypatch.setattr(issuing, "MIN_CHUNK_ITEMS", 1)


def run(admin, cases, shown=True) -> IssuingBatch:
    chosen = [(case.pk, case.revision if shown else None) for case in cases]
    batch = issuing.create_batch("issue", chosen, admin, issuing.new_token())
    issuing.run_batches()
    batch.refresh_from_db()
    return batch


def test_the_chunk_size_follows_the_batch():
    assert issuing.chunk_size(10_000) == issuing.RENEW_EVERY_ITEMS
    assert issuing.chunk_size(400) == issuing.MIN_CHUNK_ITEMS
    assert issuing.chunk_size(3) == issuing.MIN_CHUNK_ITEMS


def test_numbers_are_consecutive_in_case_order_per_county_type_and_year_across_chunks(admin_user, small_chunks):
    cases = approved(40, county_names=("臺北市", "臺中市"), type_codes=("advanced", "basic"))

    batch = run(admin_user, cases)

    assert (batch.status, batch.done, batch.refused) == ("done", 40, 0)
    serials = defaultdict(list)
    for certificate in Certificate.objects.order_by("case_id"):
        serials[(certificate.county_id, certificate.certification_type_id, certificate.academic_year)].append(
            certificate.serial
        )
    assert len(serials) == 4
    assert all(found == list(range(1, len(found) + 1)) for found in serials.values()), serials
    assert CaseEvent.objects.filter(action="issue", extra__batch=batch.pk).count() == 40
    assert AuditEntry.objects.filter(action="case.transition", data__action="issue").count() == 40
    assert Notification.objects.count() == OutgoingMail.objects.count() == 40


def test_a_case_in_the_wrong_state_is_refused_by_name_and_its_chunk_moves_on(admin_user, small_chunks):
    cases = approved(10)
    wrong = cases[3]
    Case.objects.filter(pk=wrong.pk).update(state=State.PASSED)

    batch = run(admin_user, cases, shown=False)

    assert (batch.done, batch.refused) == (9, 1)
    item = batch.items.get(case=wrong)
    assert (item.outcome, item.message) == ("refused", "此申請目前的狀態為「通過」，無法執行「發證」。")
    assert set(batch.items.exclude(case=wrong).values_list("outcome", flat=True)) == {"done"}
    assert Case.objects.filter(state=State.ISSUED).count() == 9
    assert [c.serial for c in Certificate.objects.order_by("case_id")] == list(range(1, 10))
    assert CaseEvent.objects.count() == AuditEntry.objects.filter(action="case.transition").count() == 9
    assert Notification.objects.count() == 9


def test_an_item_another_worker_handled_sends_the_chunk_one_item_at_a_time(admin_user, small_chunks, monkeypatch):
    cases = approved(10)
    batch = issuing.create_batch("issue", [(case.pk, case.revision) for case in cases], admin_user, "t" * 32)
    taken = batch.items.get(position=2)
    moving = issuing.workflow.transition_many

    def another_worker_marks_one(*args, **kwargs):
        outcomes = moving(*args, **kwargs)
        # As if another worker had marked the item while this one was moving the chunk (SQLite
        # has no row locks to make it wait; PostgreSQL would).
        IssuingBatchItem.objects.filter(pk=taken.pk, outcome="").update(outcome="done")
        return outcomes

    monkeypatch.setattr(issuing.workflow, "transition_many", another_worker_marks_one)
    issuing.run_batches()

    # The first chunk was undone whole and went one by one, leaving out the item already handled.
    assert not Certificate.objects.filter(case_id=taken.case_id).exists()
    assert Case.objects.get(pk=taken.case_id).state == State.APPROVED
    assert Case.objects.filter(state=State.ISSUED).count() == 9
    assert CaseEvent.objects.filter(action="issue").values("case").distinct().count() == 9
    assert sorted(Certificate.objects.values_list("serial", flat=True)) == list(range(1, 10))


def test_a_database_error_in_a_chunk_refuses_only_its_case(admin_user, small_chunks, monkeypatch):
    cases = approved(10)
    broken = cases[4]

    def fail_on_the_broken_one(change):
        if change.case.pk == broken.pk:
            raise IntegrityError("duplicate key value violates unique constraint")

    declared = table.BY_ACTION["issue"]
    monkeypatch.setitem(
        table.BY_ACTION, "issue", dataclasses.replace(declared, effects=(*declared.effects, fail_on_the_broken_one))
    )

    batch = run(admin_user, cases)

    assert (batch.done, batch.refused) == (9, 1)
    item = batch.items.get(case=broken)
    assert (item.outcome, item.message) == ("refused", issuing.FAILED)
    assert not Certificate.objects.filter(case=broken).exists()
    others = [case for case in cases if case is not broken]
    assert [Certificate.objects.get(case=case).serial for case in others] == list(range(1, 10))
