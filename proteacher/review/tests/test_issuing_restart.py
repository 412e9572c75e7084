"""A 發證 batch survives its worker being killed: `manage.py run_worker` is started as a real process,
killed with SIGKILL when about half of a batch is issued, and another one started. Every case ends
issued exactly once, with one certificate and one "issue" event, and the serials of each county,
type and year are 1 … n: no gap, no duplicate.

Real OS processes against the test database (committed data: a transactional test). A killed
connection's transaction is rolled back by PostgreSQL; SQLite would test nothing of that here.
"""

import signal
from collections import defaultdict

import pytest
from django.db import connection
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.certification.models import Case, CaseEvent, Certificate, CertificationType
from proteacher.certification.workflow import State
from proteacher.review import issuing
from proteacher.review.models import IssuingBatch, IssuingBatchItem
from proteacher.testing import factories
from proteacher.testing.processes import start_worker, wait_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a killed worker's rollback needs PostgreSQL"),
]

CASES = 400
LEASE_SECONDS = 3


def approved_cases(count: int) -> list[tuple[int, int]]:
    """`count` 通過可產證 cases over two counties, two types and two years: (id, revision) each."""
    factories.certification_types()
    counties = [factories.county("臺北市"), factories.county("臺中市")]
    kinds = list(CertificationType.objects.filter(code__in=["basic", "advanced"]))
    users = User.objects.bulk_create(
        User(username=f"sso:restart-{n}", role=Role.TEACHER, name=f"教師{n}", email=f"restart-{n}@school.example.tw")
        for n in range(count)
    )
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            teacher=user,
            certification_type=kinds[n % 2],
            academic_year=113 + (n // 2) % 2,
            state=State.APPROVED,
            county=counties[(n // 4) % 2],
            updated_at=now,
            revision=7,
        )
        for n, user in enumerate(users)
    )
    return [(case.pk, case.revision) for case in cases]


def handled(batch) -> int:
    return IssuingBatchItem.objects.filter(batch=batch).exclude(outcome="").count()


def test_a_worker_killed_halfway_leaves_no_gap_and_no_duplicate(tmp_path):
    selection = approved_cases(CASES)
    admin = factories.staff("restart-admin", "admin")
    batch = issuing.create_batch("issue", selection, admin, issuing.new_token())
    workers = []
    try:
        first = start_worker(tmp_path, "first", ISSUING_LEASE_SECONDS=str(LEASE_SECONDS))
        workers.append(first)
        wait_for(lambda: handled(batch) >= CASES // 2, 300, "half of the batch")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)

        at_kill = handled(batch)
        assert CASES // 2 <= at_kill < CASES, "killed halfway, not after the end"
        # What the killed worker left: each case issued exactly when its item is done.
        assert Case.objects.filter(state=State.ISSUED).count() == at_kill
        assert Certificate.objects.filter(source="issued").count() == at_kill
        assert IssuingBatch.objects.get(pk=batch.pk).status == IssuingBatch.Status.RUNNING

        second = start_worker(tmp_path, "second", ISSUING_LEASE_SECONDS=str(LEASE_SECONDS))
        workers.append(second)
        wait_for(
            lambda: IssuingBatch.objects.get(pk=batch.pk).status == IssuingBatch.Status.DONE,
            300,
            "the second worker to finish the batch",
        )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=30)

    batch.refresh_from_db()
    assert (batch.total, batch.done, batch.refused) == (CASES, CASES, 0)
    assert not IssuingBatchItem.objects.filter(batch=batch).exclude(outcome="done").exists()
    assert Case.objects.filter(state=State.ISSUED).count() == CASES
    # Every case exactly one certificate and one "issue" event.
    assert Certificate.objects.filter(source="issued").values("case").distinct().count() == CASES
    assert Certificate.objects.filter(source="issued").count() == CASES
    assert CaseEvent.objects.filter(action="issue").count() == CASES
    assert CaseEvent.objects.filter(action="issue").values("case").distinct().count() == CASES
    # Serials 1 … n of each county, type and year, handed out in the batch's order.
    serials = defaultdict(list)
    for certificate in Certificate.objects.filter(source="issued").select_related("case").order_by("case__pk"):
        key = (certificate.county_id, certificate.certification_type_id, certificate.academic_year)
        serials[key].append(certificate.serial)
    assert len(serials) == 8
    for key, found in serials.items():
        assert found == list(range(1, len(found) + 1)), key
