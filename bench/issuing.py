"""How long does 發證 of a national batch take in the worker, and are its numbers gap-free?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_issuing .venv/bin/python bench/issuing.py

Creates the PostgreSQL database when it is missing and migrates it. Each run empties the case
tables, loads 10,000 teachers and their approved (通過可產證) cases with COPY (bench/case_pages.py's
copy_rows) over every county, the three types and two academic years, queues one 發證 batch of
them as the page does (issuing.create_batch) and times the worker's job (issuing.run_batches) until
the batch is 已完成. Then checks, per county, type and year, that the serials are 1 … n with no
gap and no duplicate, and that every case has one certificate and one "issue" event. See
bench/README.md.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

from case_pages import copy_rows  # noqa: E402
from import_training import ensure_postgres_database  # noqa: E402

# case_pages chooses its own settings (with a bare page); this script needs the platform's alone.
os.environ["DJANGO_SETTINGS_MODULE"] = "proteacher.settings"

USERNAME_PREFIX = "benchissue:"
YEARS = (113, 114)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--allow-any-database",
        action="store_true",
        help="load into a database whose name does not contain 'bench' (it empties its case and user tables)",
    )
    return parser.parse_args()


def load(count: int):
    """`count` teachers, each with one 通過可產證 case; returns the 管理者 who issues them."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from proteacher.accounts.models import Role, User
    from proteacher.audit.models import AuditEntry
    from proteacher.certification import state_counts
    from proteacher.certification.models import Case, CaseEvent, Certificate, CertificationType
    from proteacher.certification.workflow import State
    from proteacher.registry.models import County
    from proteacher.review.models import IssuingBatch

    tables = [m._meta.db_table for m in (IssuingBatch, Certificate, CaseEvent, Case, AuditEntry, User)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}, certification_certificateserial RESTART IDENTITY CASCADE")
    counties = list(County.objects.order_by("sort_order").values_list("pk", flat=True))
    types = list(CertificationType.objects.order_by("sort_order").values_list("pk", flat=True))
    now = timezone.now()
    unusable = make_password(None)
    copy_rows(
        User,
        (
            {
                "id": number + 1,
                "password": unusable,
                "username": f"{USERNAME_PREFIX}t{number:06d}",
                "email": f"t{number:06d}@school.example.tw",
                "date_joined": now,
                "role": Role.TEACHER,
                "name": f"教師{number:06d}",
                "county_id": counties[number % len(counties)],
            }
            for number in range(count)
        ),
    )
    copy_rows(
        Case,
        (
            {
                "id": number + 1,
                "teacher_id": number + 1,
                "certification_type_id": types[(number // len(counties)) % len(types)],
                "academic_year": YEARS[number % len(YEARS)],
                "state": State.APPROVED,
                "county_id": counties[number % len(counties)],
                "eligibility": {},
                "created_at": now,
                "updated_at": now,
                "revision": 7,
            }
            for number in range(count)
        ),
    )
    with connection.cursor() as cursor:
        for model in (User, Case):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    state_counts.rebuild()
    return User.objects.create(username=f"{USERNAME_PREFIX}admin", role=Role.ADMIN, name="工作小組管理者")


def check(count: int) -> str:
    """Gaps and duplicates per county, type and year; one certificate and one event per case."""
    from django.db.models import Count, Max, Min

    from proteacher.certification.models import Case, CaseEvent, Certificate
    from proteacher.certification.workflow import State

    groups = (
        Certificate.objects.filter(source=Certificate.Source.ISSUED)
        .values("county_id", "certification_type_id", "academic_year")
        .annotate(n=Count("pk"), distinct=Count("serial", distinct=True), low=Min("serial"), high=Max("serial"))
    )
    problems = [g for g in groups if not (g["n"] == g["distinct"] == g["high"] and g["low"] == 1)]
    issued = Case.objects.filter(state=State.ISSUED).count()
    certificates = Certificate.objects.filter(source=Certificate.Source.ISSUED).values("case").distinct().count()
    events = CaseEvent.objects.filter(action="issue").count()
    if problems or not (issued == certificates == events == count):
        sys.exit(f"FAILED: {problems[:5]} issued={issued} certificates={certificates} events={events}")
    return f"{len(groups)} county/type/year groups, serials 1…n in each: 0 gaps, 0 duplicates"


def backend_cpu_seconds() -> float | None:
    """CPU seconds the database process serving this connection has used (PostgreSQL on this
    host only: read from /proc), so that the cost of a case can be told from the machine's load."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to PostgreSQL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_issuing")
    ensure_postgres_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from proteacher.certification.models import Case
    from proteacher.review import issuing
    from proteacher.review.models import IssuingBatch

    name = connection.settings_dict["NAME"]
    if "bench" not in str(name) and not args.allow_any_database:
        sys.exit(f"Database {name!r} does not look like a benchmark database; loading would empty its cases.")
    call_command("migrate", verbosity=0)
    times = []
    for run in range(1, args.runs + 1):
        started = time.perf_counter()
        admin = load(args.cases)
        loaded = time.perf_counter() - started
        selection = list(Case.objects.order_by("county__sort_order", "pk").values_list("pk", "revision"))
        started = time.perf_counter()
        batch = issuing.create_batch("issue", selection, admin, issuing.new_token())
        queued = time.perf_counter() - started
        started, cpu, backend = time.perf_counter(), time.process_time(), backend_cpu_seconds()
        while IssuingBatch.objects.get(pk=batch.pk).status != IssuingBatch.Status.DONE:
            issuing.run_batches()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu
        backend = backend_cpu_seconds() - backend if backend is not None else None
        batch.refresh_from_db()
        times.append(elapsed)
        per_case = f"worker {cpu / args.cases * 1000:.1f} ms" + (
            f" + PostgreSQL {backend / args.cases * 1000:.1f} ms" if backend is not None else ""
        )
        print(
            f"run {run}: loaded in {loaded:.1f} s, batch queued in {queued:.2f} s; "
            f"worker: {batch.done:,} issued, {batch.refused} refused in {elapsed:.1f} s "
            f"({batch.done / elapsed:,.0f} cases/s; CPU per case: {per_case}); {check(args.cases)}"
        )
    print(f"median of {args.runs} runs: {statistics.median(times):.1f} s for {args.cases:,} cases")


if __name__ == "__main__":
    main()
