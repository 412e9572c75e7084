"""Two worker processes issuing the same 1,000 cases at once on PostgreSQL, each its own batch of
them (one forwards, one backwards): every case is issued exactly once, and the numbers are
1 … 1,000 of their county, type and year — distinct, gap-free.

Real OS processes, each with its own database connection, against the test database (committed
data: a transactional test). SQLite has no row locks to test, so the test needs PostgreSQL.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.certification.models import Case, CaseEvent, Certificate, CertificateSerial, CertificationType
from proteacher.certification.workflow import State
from proteacher.review import issuing
from proteacher.testing import factories
from proteacher.testing.processes import database_url

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"),
]

CASES = 1000
YEAR = 114

# One worker process: set up Django, claim one batch, wait for the word, work it to the end.
ISSUER = """
import json, sys, time
import django
django.setup()
from proteacher.review import issuing
batch = issuing.claim()
sys.stdout.write(f"ready {batch.pk}\\n"); sys.stdout.flush()
sys.stdin.readline()
issuing.work(batch, time.monotonic() + 600)
items = batch.items.order_by("position")
print(json.dumps({
    "done": [item.case_id for item in items if item.outcome == "done"],
    "refused": [item.message for item in items if item.outcome == "refused"],
}))
"""


def approved_cases(count: int) -> list[int]:
    # The cases start where issuing starts: walking a thousand cases through a dozen transitions
    # each would test nothing more here and take minutes.
    factories.certification_types()
    county = factories.county("臺北市")
    kind = CertificationType.objects.get(code="advanced")
    users = User.objects.bulk_create(
        User(username=f"sso:bulk-{n}", role=Role.TEACHER, name=f"教師{n}", email=f"bulk-{n}@school.example.tw")
        for n in range(count)
    )
    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            teacher=user,
            certification_type=kind,
            academic_year=YEAR,
            state=State.APPROVED,
            county=county,
            updated_at=now,
        )
        for user in users
    )
    return [case.pk for case in cases]


def test_two_processes_issue_a_thousand_distinct_gap_free_numbers():
    case_ids = approved_cases(CASES)
    admin = factories.staff("issuing-admin", "admin")
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "proteacher.settings"}
    # One walks the list forwards, the other backwards: they meet in the middle of the cases and
    # contend for the one counter row the whole way.
    for order in (case_ids, list(reversed(case_ids))):
        issuing.create_batch("issue", [(pk, None) for pk in order], admin, issuing.new_token())
    processes = []
    try:
        for _ in range(2):
            # One after the other, so that each claims its own batch.
            process = subprocess.Popen(
                [sys.executable, "-c", ISSUER],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
                cwd=settings.BASE_DIR,
            )
            processes.append(process)
            assert process.stdout.readline().startswith("ready "), process.stderr.read()
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=600) for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()

    results = []
    for process, (out, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    done = [pk for result in results for pk in result["done"]]
    assert sorted(done) == sorted(case_ids)  # every case issued once, by one process or the other
    # …and refused to the other because it was issued, never for a clash over a number.
    refusals = [why for result in results for why in result["refused"]]
    assert len(refusals) == CASES
    assert set(refusals) == {"此申請目前的狀態為「已發證」，無法執行「發證」。"}
    assert all(result["done"] for result in results), "both processes issued some: they really ran together"

    serials = sorted(Certificate.objects.filter(source="issued").values_list("serial", flat=True))
    assert serials == list(range(1, CASES + 1))
    numbers = set(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == CASES
    assert f"臺北證號第B{YEAR:03d}000001號" in numbers and f"臺北證號第B{YEAR:03d}001000號" in numbers
    assert CertificateSerial.objects.get().last_serial == CASES
    assert Case.objects.filter(state=State.ISSUED).count() == CASES
    assert CaseEvent.objects.filter(action="issue").count() == CASES
