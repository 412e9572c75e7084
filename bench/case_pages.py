"""How fast are the case page, a form save, the office's queue and a 委員's review with a national load?

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/case_pages.py

Creates the PostgreSQL database when it is missing and migrates it, loads teachers, cases, their
histories and the answers in their slots with COPY (once: a later run finds them and skips the
load), starts gunicorn on a free loopback port (2 sync workers, DEBUG off) with the platform's
settings plus one bare Django list page, and measures each page with a bounded number of requests:
the bare page, the case page (流程進度) signed in as a teacher, the save of an online form and its
自動儲存 (a draft), the 認證審查 queue of a 縣市 and of 管理者, and a 委員's 審查標準表 (儲存 of a draft,
and 送出 that ends the 初審 of a case). Prints the median and the 95th percentile per page and their
ratio to the bare page. See bench/README.md.
"""

import argparse
import datetime
import html.parser
import http.client
import json
import os
import random
import re
import secrets
import socket
import statistics
import string
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(ROOT), str(BENCH)]
os.environ["DJANGO_SETTINGS_MODULE"] = "case_pages_settings"
# The script signs sessions and the server checks them: both must use this key.
os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 50)
os.environ["DEBUG"] = "0"

from import_training import ensure_postgres_database  # noqa: E402

USERNAME_PREFIX = "bench:"
# Staff made for the review pages: not counted with the teachers (a different prefix).
STAFF_PREFIX = "benchstaff:"
# 委員 holding the loaded cases' 初審 (two per case), besides the one whose pages are measured.
REVIEWER_POOL = 300
# Cases per type out of ten: 初階 4, 進階 5, 教學輔導教師 1.
TYPE_MIX = ["basic"] * 4 + ["advanced"] * 5 + ["mentor"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周"
GIVEN = "怡君雅婷志明淑芬家豪俊傑美玲建宏佳穎宗翰欣怡承恩詠晴"
# Requests per page before the next page takes its turn.
BLOCK = 25
NOTE = "學生能說出文本的主旨並以自己的話摘要段落，小組討論時能依據提問回到文本找證據；" * 3


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teachers", type=int, default=200_000)
    parser.add_argument("--cases", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=300, help="measured requests per page and run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2, help="requests in flight at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument(
        "--skip-save", action="store_true", help="measure the bare page and the case page only (no form save)"
    )
    parser.add_argument(
        "--skip-review", action="store_true", help="leave out the office queue and the 委員's 審查標準表"
    )
    parser.add_argument(
        "--submits",
        type=int,
        default=60,
        help="送出 measured per run; each ends the 初審 of a case prepared for it (default 60)",
    )
    parser.add_argument("--reload", action="store_true", help="empty the tables and load again")
    parser.add_argument(
        "--allow-any-database",
        action="store_true",
        help="load into a database whose name does not contain 'bench' (it empties its case and user tables)",
    )
    return parser.parse_args()


# --- Loading -------------------------------------------------------------------------------------


def copy_rows(model, rows) -> int:
    """COPY `rows` (dicts by attribute name; missing ones take the field's default) into `model`'s table."""
    from django.db import connection
    from django.db.models import JSONField
    from psycopg import sql

    fields = model._meta.concrete_fields
    defaults = {field.attname: field.get_default() for field in fields}
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(field.column) for field in fields)
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = []
            for field in fields:
                value = row.get(field.attname, defaults[field.attname])
                if isinstance(field, JSONField):
                    value = json.dumps(value, ensure_ascii=False)
                values.append(value)
            copy.write_row(values)
            count += 1
    return count


def online_data(rng: random.Random, name: str) -> dict:
    """An online form's answers of a realistic size (about 2 KB of JSON)."""
    return {
        "teacher": name,
        "grade": f"{rng.randint(1, 9)}年級",
        "subject": rng.choice(["國語文", "數學", "自然科學", "社會", "英語文"]),
        "observer": f"{name}老師",
        "unit": "第三課 " + NOTE[:12],
        "date": f"2025-{rng.randint(9, 12):02d}-{rng.randint(10, 28)}",
        "place": "三年二班教室",
        "context": NOTE,
        "focus": NOTE[:60],
        "rows": [
            {"time": f"10:{minute:02d}", "behaviour": "提問", "fact": NOTE[:40], "note": ""} for minute in range(8)
        ],
    }


def load(args) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from proteacher.accounts.models import Role, TeacherProfile, User
    from proteacher.certification import state_counts
    from proteacher.certification.models import Case, CaseEvent, CertificationType, FormSlot, SlotAnswer
    from proteacher.certification.workflow import State
    from proteacher.documents.catalogue import get_template
    from proteacher.registry.models import County, School, TitleCode

    tables = [m._meta.db_table for m in (SlotAnswer, CaseEvent, Case, TeacherProfile, User)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}, django_session RESTART IDENTITY CASCADE")
    rng = random.Random(2026)
    started = time.perf_counter()
    now = timezone.now()

    counties = list(County.objects.order_by("sort_order"))
    title_code, _ = TitleCode.objects.get_or_create(code="8", defaults={"name": "專任教師", "is_formal_teacher": True})
    if School.objects.count() < 3000:
        School.objects.bulk_create(
            [
                School(
                    code=f"B{number:05d}",
                    name=f"{counties[number % len(counties)].name}立第{number}國民小學",
                    county=counties[number % len(counties)],
                )
                for number in range(3300)
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
    schools = list(School.objects.values_list("pk", "name", "county_id"))
    county_names = {county.pk: county.name for county in counties}
    unusable = make_password(None)  # teachers sign in through SSO only

    names, school_of = [], []
    for number in range(args.teachers):
        names.append(rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2]))
        school_of.append(schools[number % len(schools)])

    copy_rows(
        User,
        (
            {
                "id": number + 1,
                "password": unusable,
                "username": f"{USERNAME_PREFIX}t{number:07d}",
                "email": f"t{number:07d}@school.example.tw",
                "date_joined": now,
                "role": Role.TEACHER,
                "name": names[number],
                "inservice_account": f"t{number:07d}",
                "county_id": school_of[number][2],
            }
            for number in range(args.teachers)
        ),
    )
    copy_rows(
        TeacherProfile,
        (
            {
                "id": number + 1,
                "user_id": number + 1,
                "school_name": school_of[number][1],
                "school_id": school_of[number][0],
                "county_name": county_names[school_of[number][2]],
                "title_code_value": "8",
                "title_code_id": title_code.pk,
                "phone": "02-12345678",
                "levels": ["國小"],
                "domains": ["語文"],
                "formal_since": datetime.date(2010 + number % 12, 8, 1),
                "teaching_years": 3 + number % 20,
                "email_verified_at": now,
                "old_data_decision": "none",
                "verified_at": now,
                "updated_at": now,
            }
            for number in range(args.teachers)
        ),
    )
    print(f"  {args.teachers:,} teachers with profiles: {time.perf_counter() - started:.1f} s")

    types = {kind.code: kind for kind in CertificationType.objects.all()}
    slots = {
        code: list(FormSlot.objects.filter(certification_type=kind).order_by("sort_order", "id"))
        for code, kind in types.items()
    }
    versions = {}
    # States cases are found in, out of ten, with the transitions that led there.
    paths = [
        [],
        [],
        [],
        [],
        ["submit"],
        ["submit"],
        ["submit", "formal_pass"],
        ["submit", "formal_pass", "assign_first"],
        ["submit", "formal_return"],
        ["submit", "formal_pass", "assign_first", "first_reviews_done", "first_pass"],
    ]
    targets = {
        "submit": (State.PREPARING, State.FORMAL_REVIEW),
        "formal_pass": (State.FORMAL_REVIEW, State.FIRST_ASSIGN),
        "formal_return": (State.FORMAL_REVIEW, State.PREPARING),
        "assign_first": (State.FIRST_ASSIGN, State.FIRST_REVIEW),
        "first_reviews_done": (State.FIRST_REVIEW, State.FIRST_DECISION),
        "first_pass": (State.FIRST_DECISION, State.PASSED),
    }
    cases, events, answers = [], [], []
    for number in range(args.cases):
        teacher_id = number + 1
        code = TYPE_MIX[number % len(TYPE_MIX)]
        path = paths[rng.randrange(len(paths))]
        created = now - datetime.timedelta(days=rng.randint(20, 300), minutes=rng.randint(0, 1440))
        at = created
        state = State.PREPARING
        events.append({"case_id": number + 1, "actor_id": teacher_id, "at": at, "action": "apply", "to_state": state})
        for action in path:
            at += datetime.timedelta(days=rng.randint(1, 10))
            source, state = targets[action]
            events.append(
                {
                    "case_id": number + 1,
                    "actor_id": teacher_id if action == "submit" else None,
                    "at": at,
                    "action": action,
                    "from_state": source,
                    "to_state": state,
                    "reason": "請補核章。" if action == "formal_return" else "",
                }
            )
        school_id, _, county_id = school_of[number]
        cases.append(
            {
                "id": number + 1,
                "teacher_id": teacher_id,
                "certification_type_id": types[code].pk,
                "academic_year": 114,
                "state": state,
                "school_id": school_id,
                "county_id": county_id,
                "eligibility": {"rule_set": 1, "result": "pass", "rows": ["identity", "formal_years", "hours"]},
                "created_at": created,
                "updated_at": at,
                "revision": len(path),
            }
        )
        # Sent cases have every slot filled; a case in 準備資料 some of them.
        type_slots = slots[code]
        filled = len(type_slots) if path else rng.randint(0, len(type_slots))
        for slot in type_slots[:filled]:
            template_code = slot.template_codes[0]
            if template_code not in versions:
                template = get_template(template_code)
                versions[template_code] = (template.version, template.is_upload)
            version, is_upload = versions[template_code]
            answers.append(
                {
                    "case_id": number + 1,
                    "slot_code": slot.code,
                    "template_code": template_code,
                    "template_version": version,
                    "data": {} if is_upload else online_data(rng, names[number]),
                    "file": f"answers/2025/10/{number}-{slot.code}.pdf" if is_upload else "",
                    "file_name": f"{slot.code}.pdf" if is_upload else "",
                    "is_complete": True,
                    "updated_at": at,
                    "revision": 1,
                }
            )
    copy_rows(Case, cases)
    copy_rows(CaseEvent, ({"id": index + 1, **event} for index, event in enumerate(events)))
    copy_rows(SlotAnswer, ({"id": index + 1, **answer} for index, answer in enumerate(answers)))
    with connection.cursor() as cursor:
        for model in (User, TeacherProfile, Case, CaseEvent, SlotAnswer):
            table = model._meta.db_table
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute(f"ANALYZE {', '.join(tables)}")
    # The queue's tab counts, which the workflow keeps for cases it moves, for the cases copied in.
    state_counts.rebuild()
    print(
        f"  {len(cases):,} cases, {len(events):,} events, {len(answers):,} answers: "
        f"{time.perf_counter() - started:.1f} s in all"
    )


def prepare_review() -> dict:
    """The staff the review pages need and the 初審 of the loaded cases; run on every start, idempotent.

    The load moves cases into 初審, 初審判定 and 通過 without reviewers. Here each such case without
    any gets two 委員 of a pool of REVIEWER_POOL, never of the teacher's school (their 審查標準表
    submitted for the cases past 初審), so that the assignment table, the 委員's open loads and
    the queue hold what a national year holds. Also made: a 管理者, a 縣市 officer of the county with
    the most cases, and the 委員 whose pages are measured. Returns them, by role.
    """
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.db.models import Count, Max

    from proteacher.accounts.models import Role, User
    from proteacher.certification.models import Case, CertificationType
    from proteacher.certification.workflow import State
    from proteacher.documents.catalogue import get_template
    from proteacher.registry.models import County, School
    from proteacher.review.models import Assignment, Reviewer, ReviewRound

    started = time.perf_counter()
    rng = random.Random(2027)
    unusable = make_password(None)  # signed in by writing their sessions, as for the teachers
    biggest = Case.objects.values("county").annotate(count=Count("pk")).order_by("-count", "county").first()
    county = County.objects.get(pk=biggest["county"])
    school_ids = list(School.objects.order_by("pk").values_list("pk", flat=True))

    def staff(key: str, role: str, name: str, county_id=None) -> User:
        values = {"role": role, "name": name, "county_id": county_id, "email": f"{key}@proteacher.example.tw"}
        user, _ = User.objects.update_or_create(
            username=f"{STAFF_PREFIX}{key}", defaults=values, create_defaults={**values, "password": unusable}
        )
        return user

    admin = staff("admin", Role.ADMIN, "工作小組管理者")
    officer = staff("county", Role.COUNTY, f"{county.name}教專中心", county.pk)
    reviewer = staff("reviewer", Role.REVIEWER, "測試委員")
    Reviewer.objects.get_or_create(user=reviewer, defaults={"school_id": school_ids[0]})

    have = set(User.objects.filter(username__startswith=f"{STAFF_PREFIX}r-").values_list("username", flat=True))
    User.objects.bulk_create(
        User(
            username=name,
            password=unusable,
            role=Role.REVIEWER,
            name=f"委員{number:03d}",
            email=f"r{number:03d}@proteacher.example.tw",
        )
        for number in range(REVIEWER_POOL)
        if (name := f"{STAFF_PREFIX}r-{number:03d}") not in have
    )
    pool = list(
        User.objects.filter(username__startswith=f"{STAFF_PREFIX}r-").order_by("username").values_list("pk", flat=True)
    )
    Reviewer.objects.bulk_create(
        [Reviewer(user_id=pk, school_id=rng.choice(school_ids)) for pk in pool], ignore_conflicts=True
    )
    school_of = dict(Reviewer.objects.filter(user_id__in=pool).values_list("user_id", "school_id"))

    templates = {}
    for kind in CertificationType.objects.all():
        template = get_template(kind.review_template_code)
        templates[kind.pk] = (template.code, template.version)
    past_first = {State.FIRST_REVIEW: False, State.FIRST_DECISION: True, State.PASSED: True}
    waiting = Case.objects.filter(state__in=list(past_first), assignments__isnull=True).values_list(
        "pk", "state", "school_id", "certification_type_id", "updated_at"
    )
    rows = []
    for case_id, state, school_id, type_id, at in waiting.order_by("pk").iterator(chunk_size=5000):
        chosen = set()
        while len(chosen) < 2:
            candidate = rng.choice(pool)
            if school_of[candidate] != school_id:
                chosen.add(candidate)
        submitted = past_first[state]
        for reviewer_id in sorted(chosen):
            rows.append(
                {
                    "case_id": case_id,
                    "round": ReviewRound.FIRST,
                    "reviewer_id": reviewer_id,
                    "assigned_by_id": admin.pk,
                    "assigned_at": at,
                    "template_code": templates[type_id][0],
                    "template_version": templates[type_id][1],
                    "data": {"notes": NOTE, "recommendation": "pass"} if submitted else {},
                    "recommendation": "pass" if submitted else "",
                    "submitted_at": at if submitted else None,
                    "revision": 1 if submitted else 0,
                }
            )
    if rows:
        first_id = (Assignment.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
        copy_rows(Assignment, ({"id": first_id + index, **row} for index, row in enumerate(rows)))
        table = Assignment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute(f"ANALYZE {table}, {Reviewer._meta.db_table}, {User._meta.db_table}")
        print(
            f"  初審 of the loaded cases: {len(rows):,} assignments to {len(pool)} 委員 "
            f"in {time.perf_counter() - started:.1f} s"
        )
    print(f"  縣市 officer of {county.name}, the county with the most cases ({biggest['count']:,})")
    return {"admin": admin, "officer": officer, "reviewer": reviewer, "county": county}


# --- The measured requests -----------------------------------------------------------------------


def signed_in_cookie(user) -> str:
    """A session for `user`, as a login leaves it; the cookie header the browser would send."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from proteacher.accounts import second_factor
    from proteacher.accounts.models import STAFF_ROLES

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if user.role in STAFF_ROLES:
        # Staff pages open only to a session whose second factor is done, as after the second step.
        device = second_factor.totp_devices(user).first() or TOTPDevice.objects.create(
            user=user, name=second_factor.TOTP_NAME, confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


class FormFields(html.parser.HTMLParser):
    """The named inputs of the page's form that posts to `action` (what the browser would send)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.fields, self.textarea = action, False, [], None
        # Every option of the form's radios, check boxes and drop-downs, checked or not, in page
        # order: {name: (kind, [values])}, for a filler that answers what is still unanswered.
        self.options: dict[str, tuple[str, list[str]]] = {}
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urllib.parse.urlsplit(attrs.get("action", "")).path
            self.inside = attrs.get("method", "get").lower() == "post" and action in ("", self.action)
            return
        if tag == "option":
            if self.inside and self.select is not None:
                self.options.setdefault(self.select, ("select", []))[1].append(attrs.get("value", ""))
            return
        if not self.inside or "name" not in attrs or "disabled" in attrs:
            return
        kind = attrs.get("type", "text")
        if tag == "select":
            self.select = attrs["name"]
        elif tag == "input" and kind in ("checkbox", "radio"):
            self.options.setdefault(attrs["name"], (kind, []))[1].append(attrs.get("value", "on"))
            if "checked" in attrs:
                self.fields.append([attrs["name"], attrs.get("value", "on"), kind])
        elif tag == "input" and kind not in ("submit", "button", "file"):
            self.fields.append([attrs["name"], attrs.get("value", ""), kind])
        elif tag == "textarea":
            self.textarea = [attrs["name"], "", "textarea"]
            self.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving the platform on a free loopback port (or the one given)."""

    def __init__(self, workers: int, port: int | None = None):
        self.port = port or free_port()
        env = {
            **os.environ,
            "ALLOWED_HOSTS": "127.0.0.1",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
            "LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "proteacher.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=BENCH,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if request(self.port, "GET", "/bench/bare/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        sys.exit("gunicorn did not answer within 30 s")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


def request(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


class Page:
    """One measured page: `make(client_number)` returns (method, path, headers, body) per request.

    `per_run` bounds a page whose requests each use something up (a 送出 ends a case's 初審): it
    is measured that many times per run, spread over the blocks, after `warmup` requests.
    `verify()`, when given, checks in the database after the runs that the requests did their work.
    """

    def __init__(self, name: str, make, check, *, per_run: int | None = None, warmup: int = 30, verify=None):
        self.name, self.make, self.check = name, make, check
        self.per_run, self.warmup, self.verify = per_run, warmup, verify

    def block_counts(self, requests: int) -> list[int]:
        """How many requests this page makes in each block of a run."""
        counts = [min(BLOCK, requests - start) for start in range(0, requests, BLOCK)]
        if self.per_run is None:
            return counts
        base, extra = divmod(self.per_run, len(counts))
        return [base + (1 if index < extra else 0) for index in range(len(counts))]

    def measure(self, port: int, count: int, clients: int) -> tuple[list[float], float]:
        times: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()
        per_client = [count // clients + (1 if n < count % clients else 0) for n in range(clients)]

        def run(client: int):
            for _ in range(per_client[client]):
                method, path, headers, body = self.make(client)
                started = time.perf_counter()
                status, response_headers, content = request(port, method, path, headers, body)
                elapsed = time.perf_counter() - started
                problem = self.check(client, status, dict(response_headers), content)
                with lock:
                    times.append(elapsed)
                    if problem:
                        failures.append(problem)

        threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        if failures:
            sys.exit(f"{self.name}: {len(failures)} failed requests, e.g. {failures[0]}")
        return times, wall


def padded(text: str, width: int) -> str:
    """`text` left-aligned in `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def pages(port: int, clients: int, with_save: bool = True) -> list[Page]:
    from proteacher.certification.models import Case, FormSlot, SlotAnswer
    from proteacher.certification.workflow import State
    from proteacher.documents.catalogue import get_template

    def expect(status_wanted):
        def check(client, status, headers, content):
            if status != status_wanted:
                return f"HTTP {status}: {content[:200]!r}"
            return None

        return check

    bare = Page("bare Django list (20 rows, join)", lambda client: ("GET", "/bench/bare/", {}, None), expect(200))

    # 流程進度 of a 進階 case in 準備資料 with all six slots answered: the fullest page a teacher sees.
    advanced = (
        Case.objects.filter(certification_type__code="advanced", state=State.PREPARING)
        .order_by("pk")
        .select_related("teacher")
    )
    full = [case for case in advanced[:200] if case.answers.count() == 6][:clients]
    if len(full) < clients:
        sys.exit("not enough 進階 cases with every slot answered: load more cases (--cases) or use fewer --clients")
    case_cookies = [signed_in_cookie(case.teacher) for case in full]
    case_page = Page(
        "case page (流程進度, 6 slots)",
        lambda client: ("GET", f"/certification/cases/{full[client].pk}/", {"Cookie": case_cookies[client]}, None),
        expect(200),
    )

    # The bare page again with the teacher's session: what signing in costs every page (the session
    # and the user are read; the session is written back at most once a minute: accounts.idle).
    bare_signed_in = Page(
        "bare Django list, signed in",
        lambda client: ("GET", "/bench/bare/", {"Cookie": case_cookies[client]}, None),
        expect(200),
    )
    if not with_save:
        return [bare, bare_signed_in, case_page]

    # The save of an online form (觀察前會談紀錄表), one case per client so no save is ever stale.
    slot = FormSlot.objects.get(certification_type__code="advanced", code="pre_conference")
    template_code = next(code for code in slot.template_codes if not get_template(code).is_upload)
    savers = []
    for case in full:
        SlotAnswer.objects.filter(case=case, slot_code=slot.code).delete()
        cookie = signed_in_cookie(case.teacher)
        csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        path = f"/certification/cases/{case.pk}/slots/{slot.code}/?template={template_code}"
        status, _, content = request(port, "GET", path, {"Cookie": f"{cookie}; csrftoken={csrf}"})
        if status != 200:
            sys.exit(f"the form page answered HTTP {status}: {content[:300]!r}")
        parser = FormFields(urllib.parse.urlsplit(path).path)
        parser.feed(content.decode())
        fields = {name: [value, kind] for name, value, kind in parser.fields}
        fields["csrfmiddlewaretoken"] = [csrf, "hidden"]
        # Fill what the teacher types: every empty text box and text area.
        for name, (value, kind) in fields.items():
            if not value and kind in ("text", "textarea"):
                fields[name][0] = NOTE[:40] if kind == "text" else NOTE
            elif not value and kind == "date":
                fields[name][0] = "2025-10-15"
            elif not value and kind == "time":
                fields[name][0] = "10:00"
        fields.setdefault("template", [template_code, "hidden"])
        savers.append({"path": path, "cookie": f"{cookie}; csrftoken={csrf}", "fields": fields, "case": case})

    def make_save(client):
        saver = savers[client]
        body = urllib.parse.urlencode({name: value for name, (value, _) in saver["fields"].items()}).encode()
        headers = {"Cookie": saver["cookie"], "Content-Type": "application/x-www-form-urlencoded"}
        return "POST", saver["path"], headers, body

    def check_save(client, status, headers, content):
        # 儲存 answers with a redirect back to the form; anything else is a refusal or an error.
        if status != 302:
            return f"HTTP {status}: {content[:300]!r}"
        # The next save says it saw this one (the form posts the revision it was opened with).
        fields = savers[client]["fields"]
        fields["revision"][0] = str(int(fields["revision"][0]) + 1)
        return None

    save = Page(f"form save ({get_template(template_code).title})", make_save, check_save)

    # 自動儲存 of the same form as the teacher types: the whole form posted to its draft address,
    # with the revision the last save left (a draft of a page that is up to date).
    def make_autosave(client):
        method, path, headers, body = make_save(client)
        case = savers[client]["case"]
        return method, f"/certification/cases/{case.pk}/slots/{slot.code}/draft/", headers, body

    def check_autosave(client, status, headers, content):
        if status != 200 or json.loads(content).get("status") != "saved":
            return f"HTTP {status}: {content[:300]!r}"
        return None

    autosave = Page("autosave (自動儲存 of the same form)", make_autosave, check_autosave)
    return [bare, bare_signed_in, case_page, save, autosave]


def fill_review(fields: list[list[str]], options: dict[str, tuple[str, list[str]]]) -> list[list[str]]:
    """What a 委員 posts with every question answered: each text typed, each rating and the
    recommended result chosen (通過), each 形式審查 box ticked."""
    posted = [list(field) for field in fields]
    for field in posted:
        name, value, kind = field
        if not value and kind == "textarea":
            field[1] = NOTE
        elif not value and kind == "text":
            field[1] = NOTE[:40]
    answered = {name for name, _, _ in posted}
    for name, (kind, values) in options.items():
        values = [value for value in values if value]
        if name in answered or not values:
            continue
        if kind == "checkbox":
            posted += [[name, value, kind] for value in values]
        else:
            posted.append([name, "pass" if "pass" in values else values[0], kind])
    return posted


def review_pages(port: int, clients: int, submits: int, runs: int, staff: dict) -> list[Page]:
    """The office's 認證審查 queue, and a 委員's 審查標準表: 儲存 (a draft) and 送出."""
    import collections

    from django.urls import reverse

    from proteacher.certification.models import Case
    from proteacher.certification.workflow import State
    from proteacher.review import assignment as services
    from proteacher.review.models import Assignment, ReviewRound

    def expect(status_wanted):
        def check(client, status, headers, content):
            return None if status == status_wanted else f"HTTP {status}: {content[:200]!r}"

        return check

    # The 形式審查 tab: the first 50 of the cases waiting for the office, with every tab's count.
    queue_path = f"{reverse('review:queue')}?state={State.FORMAL_REVIEW}"
    measured = []
    for key, label in (("officer", f"縣市 {staff['county'].name}"), ("admin", "管理者")):
        cookie = signed_in_cookie(staff[key])
        status, _, content = request(port, "GET", queue_path, {"Cookie": cookie})
        rows = content.count(b"<tr data-case=")
        if status != 200 or not rows:
            sys.exit(f"the queue page of {label} answered HTTP {status} with {rows} rows: {content[:300]!r}")
        total = re.search(r"共 (\d+) 件，狀態為「形式審查」", content.decode())
        print(f"  形式審查 queue of {label}: {total.group(1) if total else '?'} cases, {rows} on the page")
        measured.append(
            Page(
                f"queue 認證審查, 形式審查 tab ({label})",
                lambda client, cookie=cookie: ("GET", queue_path, {"Cookie": cookie}, None),
                expect(200),
            )
        )

    # The 委員's cases: 初審 of 進階 cases, assigned through the service the pages use; the drafts
    # are kept from run to run, each 送出 takes a case the load left in 初審分發委員.
    reviewer, admin = staff["reviewer"], staff["admin"]
    own_school = reviewer.reviewer.school_id
    mine = Assignment.objects.filter(
        reviewer=reviewer, round=ReviewRound.FIRST, submitted_at__isnull=True, case__state=State.FIRST_REVIEW
    ).order_by("pk")
    needed = clients + clients + submits * runs
    candidates = iter(
        Case.objects.filter(state=State.FIRST_ASSIGN, certification_type__code="advanced")
        .exclude(school_id=own_school)
        .select_related("certification_type", "teacher")
        .order_by("pk")[: max(0, needed - mine.count())]
    )
    started, assigned = time.perf_counter(), 0
    for case in candidates:
        services.assign_reviewers(
            case, ReviewRound.FIRST, [reviewer], admin, expected_revision=case.revision, short_confirmed=True
        )
        assigned += 1
    open_ids = list(mine.values_list("pk", flat=True))
    if len(open_ids) < needed:
        sys.exit(
            f"{len(open_ids)} cases for the 委員, {needed} needed: too few cases left in 初審分發委員 "
            "(each 送出 uses one up); load again with --reload"
        )
    print(
        f"  the measured 委員: {len(open_ids)} open 初審 ({assigned} assigned now through the service, "
        f"{time.perf_counter() - started:.1f} s)"
    )
    drafts, to_submit = open_ids[:clients], collections.deque(open_ids[clients:])

    cookie = signed_in_cookie(reviewer)
    csrf = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
    headers = {"Cookie": f"{cookie}; csrftoken={csrf}", "Content-Type": "application/x-www-form-urlencoded"}

    def form_of(assignment_id: int) -> tuple[str, list[list[str]]]:
        path = reverse("review:review_form", args=[assignment_id])
        status, _, content = request(port, "GET", path, {"Cookie": headers["Cookie"]})
        if status != 200:
            sys.exit(f"the 審查標準表 answered HTTP {status}: {content[:300]!r}")
        parser = FormFields(path)
        parser.feed(content.decode())
        fields = fill_review(parser.fields, parser.options)
        return path, [["csrfmiddlewaretoken", csrf, "hidden"], *fields]

    savers = [dict(zip(("path", "fields"), form_of(pk), strict=True)) for pk in drafts]
    revisions = dict(Assignment.objects.filter(pk__in=drafts).values_list("pk", "revision"))

    def make_save(client):
        body = [(name, value) for name, value, _ in savers[client]["fields"]] + [("action", "save")]
        return "POST", savers[client]["path"], headers, urllib.parse.urlencode(body).encode()

    def check_save(client, status, response_headers, content):
        # 儲存 answers with a redirect back to the form; a stale revision would be a 409.
        if status != 302:
            return f"HTTP {status}: {content[:300]!r}"
        for field in savers[client]["fields"]:
            if field[0] == "revision":
                field[1] = str(int(field[1]) + 1)
        return None

    def verify_saves():
        now = dict(Assignment.objects.filter(pk__in=drafts).values_list("pk", "revision"))
        still_open = Assignment.objects.filter(pk__in=drafts, submitted_at__isnull=True).count()
        if still_open != len(drafts) or any(now[pk] <= revisions[pk] for pk in drafts):
            sys.exit("the 審查標準表 drafts were not saved as posted")

    save = Page("審查標準表 儲存 (draft, 進階 初審)", make_save, check_save, verify=verify_saves)

    # Every 送出 posts the same answers (the forms are alike) to the next prepared case.
    _, submit_fields = form_of(to_submit[0])
    submitted: list[int] = []

    def make_submit(client):
        assignment_id = to_submit.popleft()
        submitted.append(assignment_id)
        path = reverse("review:review_form", args=[assignment_id])
        body = [(name, value) for name, value, _ in submit_fields] + [("action", "submit")]
        return "POST", path, headers, urllib.parse.urlencode(body).encode()

    def verify_submits():
        # A 302 is also what 送出 with a blank answer gives (kept as a draft): check what happened.
        done = Case.objects.filter(
            assignments__pk__in=submitted,
            assignments__submitted_at__isnull=False,
            state=State.FIRST_DECISION,
        ).count()
        if done != len(submitted):
            sys.exit(f"only {done} of {len(submitted)} 送出 ended the case's 初審")

    submit = Page(
        "審查標準表 送出 (初審 ends → 初審判定)",
        make_submit,
        expect(302),
        per_run=submits,
        warmup=clients,
        verify=verify_submits,
    )
    measured += [save, submit]
    return measured


def main() -> None:
    args = parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to PostgreSQL, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench")
    ensure_postgres_database(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from proteacher.accounts.models import User
    from proteacher.certification.models import Case

    name = connection.settings_dict["NAME"]
    if "bench" not in str(name) and not args.allow_any_database:
        sys.exit(f"Database {name!r} does not look like a benchmark database; loading would empty its cases.")
    call_command("migrate", verbosity=0)
    teachers = User.objects.filter(username__startswith=USERNAME_PREFIX).count()
    cases = Case.objects.count()
    if args.reload or teachers != args.teachers or cases != args.cases:
        print(f"loading {args.teachers:,} teachers and {args.cases:,} cases into {name} …")
        load(args)
    else:
        print(f"{name}: {teachers:,} teachers and {cases:,} cases already loaded")
    review_staff = None if args.skip_review else prepare_review()
    connection.close()

    server = Server(args.workers)
    try:
        measured = pages(server.port, args.clients, with_save=not args.skip_save)
        if not args.skip_review:
            measured += review_pages(server.port, args.clients, args.submits, args.runs, review_staff)
        print(
            f"gunicorn: {args.workers} sync workers, {args.clients} clients, "
            f"{args.requests} requests per page and run, {args.runs} runs (after 30 warm-up requests)"
            + ("" if args.skip_review else f"; 送出 {args.submits} per run (after {args.clients})")
        )
        results: dict[str, list[float]] = {page.name: [] for page in measured}
        rates: dict[str, list[float]] = {page.name: [] for page in measured}
        for page in measured:
            page.measure(server.port, page.warmup, args.clients)
        for run in range(1, args.runs + 1):
            # Pages take turns in blocks, so a burst of other work on the machine hits them alike.
            run_times: dict[str, list[float]] = {page.name: [] for page in measured}
            run_wall = dict.fromkeys(run_times, 0.0)
            schedule = {page.name: page.block_counts(args.requests) for page in measured}
            for block in range(len(schedule[measured[0].name])):
                for page in measured:
                    if count := schedule[page.name][block]:
                        times, wall = page.measure(server.port, count, args.clients)
                        run_times[page.name].extend(times)
                        run_wall[page.name] += wall
            for page in measured:
                times = run_times[page.name]
                results[page.name].extend(times)
                rates[page.name].append(len(times) / run_wall[page.name])
                print(
                    f"  run {run} {page.name}: median {statistics.median(times) * 1000:.1f} ms, "
                    f"p95 {percentile(times, 0.95) * 1000:.1f} ms, {len(times) / run_wall[page.name]:.0f} req/s"
                )
        for page in measured:
            if page.verify:
                page.verify()
    finally:
        server.stop()

    bare = measured[0].name
    bare_median, bare_p95 = statistics.median(results[bare]), percentile(results[bare], 0.95)
    print()
    print(f"{padded('page', 56)} {'median':>9} {'p95':>9} {'req/s':>7} {'× bare (median / p95)':>22}")
    for page in measured:
        times = results[page.name]
        median, p95 = statistics.median(times), percentile(times, 0.95)
        print(
            f"{padded(page.name, 56)} {median * 1000:>7.1f}ms {p95 * 1000:>7.1f}ms"
            f" {statistics.median(rates[page.name]):>7.0f} {median / bare_median:>12.1f} / {p95 / bare_p95:.1f}"
        )


if __name__ == "__main__":
    main()
