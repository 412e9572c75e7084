"""Deadline day on one machine: 500 teachers signing in through SSO, opening their case, autosaving and
saving a form and uploading 2 MB PDFs over 10 minutes, while county officers work the queue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/surge.py

Needs locust (`.venv/bin/pip install -c requirements.lock -e '.[dev,bench]'`) and the national-scale
data of case_pages.py in that database (loaded by it when missing). It picks `--teachers` teachers
with a 進階 case in 準備資料, empties the form and the upload slot it will use, starts an OpenID
Connect provider (oidc-provider-mock, the national network's stand-in) that knows them, gunicorn with
`--workers` sync workers pointed at it, and runs locust headless for `--minutes`. Then prints each
request kind's count, failures, median and 95th percentile, and checks the data: every save and
every upload the run counted as done is in the database, each upload with its SHA-256. Exits with
an error on any failed request or missing data. See bench/README.md.
"""

import argparse
import csv
import hashlib
import json
import logging
import os
import secrets
import string
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]

import case_pages  # noqa: E402  (sets the benchmark's settings and key before Django loads)

FORM_SLOT, FORM_TEMPLATE = "pre_conference", "pre_conference_a"
UPLOAD_SLOT, UPLOAD_TEMPLATE = "implementation", "implementation_proof"
TWO_MB = 2 * 1024 * 1024
OFFICERS = 10


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teachers", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--spawn-rate", type=float, default=5, help="teachers arriving per second")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    return parser.parse_args()


def prepare(count: int, provider, port: int) -> dict:
    """The plan locust reads: who signs in, which pages each one opens, what the forms post."""
    from proteacher.certification.models import Case, SlotAnswer, SlotDraft
    from proteacher.certification.workflow import State

    cases = list(
        Case.objects.filter(certification_type__code="advanced", state=State.PREPARING, county__isnull=False)
        .select_related("teacher__profile__school", "county")
        .order_by("pk")[:count]
    )
    if len(cases) < count:
        sys.exit(f"only {len(cases)} 進階 cases in 準備資料: load more cases or ask for fewer --teachers")
    SlotAnswer.objects.filter(case__in=cases, slot_code__in=[FORM_SLOT, UPLOAD_SLOT]).delete()
    SlotDraft.objects.filter(case__in=cases).delete()
    teachers = []
    for case in cases:
        teacher = case.teacher
        profile = teacher.profile
        provider.set_user(
            teacher.inservice_account,
            {
                "name": teacher.name,
                "school": profile.school.name if profile.school_id else profile.school_name,
                "county": case.county.name,
                "title_code": profile.title_code_value,
            },
        )
        teachers.append(
            {
                "sub": teacher.inservice_account,
                "case_id": case.pk,
                "case": f"/certification/cases/{case.pk}/",
                "form": f"/certification/cases/{case.pk}/slots/{FORM_SLOT}/?template={FORM_TEMPLATE}",
                "draft": f"/certification/cases/{case.pk}/slots/{FORM_SLOT}/draft/",
                "upload": f"/certification/cases/{case.pk}/slots/{UPLOAD_SLOT}/?template={UPLOAD_TEMPLATE}",
            }
        )
    return {"teachers": teachers, "sso_start": "/accounts/sso/login/", **form_payloads(cases[0], port)}


def form_payloads(case, port: int) -> dict:
    """What the form and the upload page post, read from the pages themselves (as a browser would),
    with every text box filled; each simulated teacher adds its own CSRF token and revision."""
    cookie = case_pages.signed_in_cookie(case.teacher)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    found = {}
    for key, slot, template in (
        ("form_fields", FORM_SLOT, FORM_TEMPLATE),
        ("upload_fields", UPLOAD_SLOT, UPLOAD_TEMPLATE),
    ):
        path = f"/certification/cases/{case.pk}/slots/{slot}/?template={template}"
        status, _, content = case_pages.request(port, "GET", path, {"Cookie": f"{cookie}; csrftoken={csrf}"})
        if status != 200:
            sys.exit(f"the form page {path} answered HTTP {status}")
        parser = case_pages.FormFields(urllib.parse.urlsplit(path).path)
        parser.feed(content.decode())
        fields = {}
        for name, value, kind in parser.fields:
            if name in ("csrfmiddlewaretoken", "revision", "action") or kind == "file":
                continue
            if not value and kind in ("text", "textarea"):
                value = case_pages.NOTE[:40] if kind == "text" else case_pages.NOTE
            elif not value and kind == "date":
                value = "2025-10-15"
            elif not value and kind == "time":
                value = "10:00"
            fields[name] = value
        fields.setdefault("template", template)
        found[key] = fields
    return found


def officers(count: int) -> list[dict]:
    from django.urls import reverse

    from proteacher.certification.models import Case
    from proteacher.certification.workflow import State

    officer = case_pages.prepare_review()["officer"]
    cases = Case.objects.filter(county=officer.county, state=State.FORMAL_REVIEW).order_by("pk")
    pages = [reverse("review:case", args=[pk]) for pk in cases.values_list("pk", flat=True)[:50]]
    queue = f"{reverse('review:queue')}?state={State.FORMAL_REVIEW}"
    return [{"cookie": case_pages.signed_in_cookie(officer), "queue": queue, "cases": pages} for _ in range(count)]


def run_locust(plan_file: Path, port: int, users: int, args, out: Path) -> None:
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f",
        str(BENCH / "surge_locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{port}",
        "--users",
        str(users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        f"{int(args.minutes * 60)}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(out),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    subprocess.run(command, env={**os.environ, "SURGE_PLAN": str(plan_file)}, check=False)


def report(out: Path) -> int:
    """Print the stats and return how many requests failed."""
    with open(f"{out}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    print()
    print(f"{'request':<34} {'count':>7} {'failed':>7} {'median':>8} {'p95':>8} {'p99':>8} {'max':>8}")
    failed = 0
    for row in rows:
        name = row["Name"] if row["Type"] else "all"
        print(
            f"{name:<34} {row['Request Count']:>7} {row['Failure Count']:>7} {row['50%']:>6}ms"
            f" {row['95%']:>6}ms {row['99%']:>6}ms {float(row['Max Response Time']):>6.0f}ms"
        )
        if row["Type"]:
            failed += int(row["Failure Count"])
    failures = Path(f"{out}_failures.csv")
    if failed and failures.exists():
        print()
        print(failures.read_text(encoding="utf-8")[:3000])
    return failed


def check_data(plan: dict) -> list[str]:
    """Every teacher's saved form and uploaded PDF, as the database and the storage hold them: each
    stored file a PDF whose SHA-256 is the one its answer keeps."""
    from proteacher.certification.models import SlotAnswer

    problems = []
    case_ids = [teacher["case_id"] for teacher in plan["teachers"]]
    answers = SlotAnswer.objects.in_use().filter(case_id__in=case_ids)
    saved = answers.filter(slot_code=FORM_SLOT).count()
    uploads = list(answers.filter(slot_code=UPLOAD_SLOT))
    for answer in uploads:
        with answer.file.open("rb") as stored:
            data = stored.read()
        if not data.startswith(b"%PDF-"):
            problems.append(f"case {answer.case_id}: the stored upload is not a PDF")
        if hashlib.sha256(data).hexdigest() != answer.file_sha256:
            problems.append(f"case {answer.case_id}: the stored upload does not match its SHA-256")
    print(f"data: {saved} of {len(case_ids)} cases hold the saved form, {len(uploads)} the uploaded PDF, all intact")
    return problems


def main() -> None:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to PostgreSQL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench")
    case_pages.ensure_postgres_database(url)
    work = Path(tempfile.mkdtemp(prefix="surge-"))
    # The uploads are stored here, by the server and as this process reads them back.
    os.environ["VAR_DIR"] = str(work / "var")
    port = case_pages.free_port()
    # The SSO callback address comes from SITE_URL.
    os.environ["SITE_URL"] = f"http://127.0.0.1:{port}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from proteacher.certification.models import Case
    from proteacher.documents.tests.test_pdf_rules import pdf_of_size
    from proteacher.testing import oidc

    # The provider's line per authorization code would bury the report.
    logging.getLogger("oidc_provider_mock").setLevel(logging.WARNING)
    call_command("migrate", verbosity=0)
    if not Case.objects.exists():
        sys.exit("no cases: run bench/case_pages.py once to load the national data")
    (work / "upload.pdf").write_bytes(pdf_of_size(TWO_MB))
    with oidc.running_provider() as provider:
        os.environ.update(
            OIDC_ISSUER=provider.url, OIDC_CLIENT_ID=oidc.CLIENT_ID, OIDC_CLIENT_SECRET=oidc.CLIENT_SECRET
        )
        server = case_pages.Server(args.workers, port=port)
        try:
            plan = prepare(args.teachers, provider, port)
            plan["officers"] = officers(OFFICERS)
            plan["pdf"] = str(work / "upload.pdf")
            plan_file = work / "plan.json"
            plan_file.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
            connection.close()
            print(
                f"surge: {args.teachers} teachers signing in through SSO and {OFFICERS} county officers for "
                f"{args.minutes:g} minutes (teachers arriving {args.spawn_rate:g}/s), gunicorn {args.workers} sync "
                "workers, PostgreSQL on the same machine"
            )
            started = time.monotonic()
            run_locust(plan_file, port, args.teachers + OFFICERS, args, work / "surge")
            print(f"ran {time.monotonic() - started:.0f} s")
        finally:
            server.stop()
    failed = report(work / "surge")
    problems = check_data(plan)
    for problem in problems:
        print(problem)
    if failed or problems:
        sys.exit(f"{failed} failed requests, {len(problems)} data problems")


if __name__ == "__main__":
    main()
