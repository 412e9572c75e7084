"""統計 on the demo data plus generated years: every number the page shows, and the workbook's,
against a recomputation from the raw tables written here on its own (plain Python over rows of
Case, CaseEvent and Assignment; nothing of review.statistics is called)."""

import datetime
import io
import json
import math
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html
from openpyxl import load_workbook

from proteacher.accounts.models import User
from proteacher.certification.models import Case, CaseEvent, CertificationType
from proteacher.dates import current_academic_year
from proteacher.registry.models import County
from proteacher.review.models import Assignment

pytestmark = pytest.mark.django_db

PAGE = reverse("statistics:page")
EXPORT = reverse("statistics:export")
THIS_YEAR = current_academic_year()
LAST_YEAR = THIS_YEAR - 1

# The words of the page, as the workflow defines them (written out here, not imported).
PASSED = {"passed", "approved", "issued"}
FAILED = {"first_failed", "second_failed", "failed"}
ROUND_DECISIONS = {
    "初審": ({"first_pass", "first_revise", "first_fail"}, "first_pass"),
    "複審": ({"second_pass", "second_fail"}, "second_pass"),
    "申復": ({"appeal_pass", "appeal_fail"}, "appeal_pass"),
}
SPANS = {
    "送出 → 形式審查結果": lambda e: e["action"] in ("formal_pass", "formal_return"),
    "送出 → 審查結果（通過或不合格）": lambda e: e["to_state"] in ("passed", "failed"),
    "送出 → 發證": lambda e: e["action"] == "issue",
}
MEASURES = ["applications", "sent", "passed", "failed", "appealed", "issued"]
DUE_DAYS = 14


@pytest.fixture
def year_data(settings):
    """make run's demo data, then last year (about complete) and this year (under way) generated."""
    settings.DEBUG = True
    settings.REVIEW_DUE_DAYS = DUE_DAYS
    call_command("load_demo", stdout=io.StringIO())
    call_command("generate_year", year=LAST_YEAR, cases=400, seed=3, stdout=io.StringIO())
    call_command("generate_year", year=THIS_YEAR, cases=200, seed=3, stdout=io.StringIO())


def staff(username: str) -> User:
    return User.objects.get(username=username)


# --- the recomputation ------------------------------------------------------------------------------


def recompute(county_id=None, type_id=None, year=None, school_text=""):
    """Every figure of the page from the raw rows, for the cases of one county (or all)."""
    cases = [
        row
        for row in Case.objects.values(
            "id",
            "state",
            "academic_year",
            "county_id",
            "county__name",
            "school_id",
            "school__name",
            "school__code",
            "certification_type_id",
            "certification_type__name",
        )
        if (county_id is None or row["county_id"] == county_id)
        and (type_id is None or row["certification_type_id"] == type_id)
        and (year is None or row["academic_year"] == year)
        and (not school_text or school_text in (row["school__name"] or "") or school_text == row["school__code"])
    ]
    ids = {row["id"] for row in cases}
    events = defaultdict(list)
    for event in CaseEvent.objects.order_by("at", "id").values("case_id", "action", "to_state", "at"):
        if event["case_id"] in ids:
            events[event["case_id"]].append(event)

    def measures(rows):
        counts = dict.fromkeys(MEASURES, 0)
        for row in rows:
            actions = {event["action"] for event in events[row["id"]]}
            counts["applications"] += 1
            counts["sent"] += "submit" in actions
            counts["passed"] += row["state"] in PASSED
            counts["failed"] += row["state"] in FAILED
            counts["appealed"] += "appeal" in actions
            counts["issued"] += row["state"] == "issued"
        return counts

    def grouped(label_of):
        groups = defaultdict(list)
        for row in cases:
            groups[label_of(row)].append(row)
        return {label: measures(rows) for label, rows in groups.items()}

    schools = defaultdict(list)
    for row in cases:
        schools[(row["school__code"], row["school__name"])].append(row)
    ranked = sorted(schools.items(), key=lambda item: (-len(item[1]), item[0][0]))
    by_school = {name: measures(rows) for (_, name), rows in ranked[:20]}
    rest = [row for _, rows in ranked[20:] for row in rows]
    if rest:
        by_school["其他學校"] = measures(rest)

    state_counts = Counter(row["state"] for row in cases)

    decisions = Counter(event["action"] for case_events in events.values() for event in case_events)
    rounds = {}
    for label, (actions, passing) in ROUND_DECISIONS.items():
        decided = sum(decisions[action] for action in actions)
        passed = decisions[passing]
        rounds[label] = {
            "decided": str(decided),
            "passed": str(passed),
            "rate": f"{round(100 * passed / decided, 1)}%" if decided else "—",
        }

    turnaround = {}
    for label, ends in SPANS.items():
        durations = []
        for case_events in events.values():
            sent = next((e["at"] for e in case_events if e["action"] == "submit"), None)
            end = next((e["at"] for e in case_events if ends(e)), None)
            if sent and end:
                durations.append(int(end.timestamp()) - int(sent.timestamp()))
        durations.sort()

        def nearest_rank(percent, durations=durations):
            if not durations:
                return "—"
            return str(round(durations[math.ceil(percent * len(durations) / 100) - 1] / 86400, 1))

        turnaround[label] = {"count": str(len(durations)), "median": nearest_rank(50), "p90": nearest_rank(90)}

    due = timezone.now() - datetime.timedelta(days=DUE_DAYS)
    reviewers = defaultdict(lambda: {"open": 0, "submitted": 0, "overdue": 0})
    for assignment in Assignment.objects.values("case_id", "reviewer__name", "submitted_at", "assigned_at"):
        if assignment["case_id"] not in ids:
            continue
        load = reviewers[assignment["reviewer__name"]]
        if assignment["submitted_at"] is None:
            load["open"] += 1
            load["overdue"] += assignment["assigned_at"] < due
        else:
            load["submitted"] += 1

    def text(table):
        return {label: {key: str(value) for key, value in row.items()} for label, row in table.items()}

    return {
        "totals": text({"全部": measures(cases)}),
        "by_type": text(grouped(lambda row: row["certification_type__name"])),
        "by_year": text(grouped(lambda row: f"{row['academic_year']}學年度")),
        "by_county": text(grouped(lambda row: row["county__name"])),
        "by_school": text(by_school),
        "by_state": {label: {"count": str(state_counts[code])} for code, label in STATE_LABELS.items()},
        "rounds": rounds,
        "turnaround": turnaround,
        "reviewers": text(reviewers),
    }


STATE_LABELS = {
    "preparing": "準備資料",
    "formal_review": "形式審查",
    "first_assign": "初審分發委員",
    "first_review": "初審",
    "first_decision": "初審判定",
    "first_revision": "初審修正資料",
    "first_failed": "初審未通過",
    "second_assign": "複審分發委員",
    "second_review": "複審",
    "second_decision": "複審判定",
    "second_failed": "複審未通過",
    "appeal_intake": "申復審查 (受理中)",
    "appeal_revision": "申復修正資料",
    "appeal_assign": "申復分發委員",
    "appeal_review": "申復審查",
    "appeal_decision": "申復判定",
    "passed": "通過",
    "approved": "通過可產證",
    "issued": "已發證",
    "failed": "不合格",
    "revoked": "已撤銷",
}


# --- what the page and the workbook show -------------------------------------------------------------


def page_tables(content: bytes) -> dict:
    """{table: {row label: {measure: text}}} of every 統計 table on the page."""
    tree = html.fromstring(content.decode())
    tables = {}
    for table in tree.xpath("//table[@data-stat]"):
        rows = {}
        for row in table.xpath("./tbody/tr"):
            label = row.xpath("./th")[0].text_content().strip()
            rows[label] = {cell.get("data-measure"): cell.text_content().strip() for cell in row.xpath("./td")}
        tables[table.get("data-stat")] = rows
    return tables


def workbook_tables(content: bytes) -> dict:
    """The workbook's sheets in the page's shape: {sheet: {first cell: [the other cells' numbers]}}."""
    book = load_workbook(io.BytesIO(content))
    found = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        found[sheet.title] = {
            row[0]: ["—" if value in (None, "") else float(value) for value in row[1:]] for row in rows[1:]
        }
    return found


SHEETS = {
    "totals": ("總計", MEASURES),
    "by_type": ("認證類別", MEASURES),
    "by_year": ("學年度", MEASURES),
    "by_county": ("縣市", MEASURES),
    "by_school": ("學校", MEASURES),
    "by_state": ("狀態", ["count"]),
    "rounds": ("各審查階段通過率", ["decided", "passed", "rate"]),
    "turnaround": ("審查天數", ["count", "median", "p90"]),
    "reviewers": ("委員審查負擔", ["open", "submitted", "overdue"]),
    "verifications": ("證書查驗", ["by_code", "by_number", "total"]),
}


def number(text: str):
    """A figure as the page prints it (12, 60.3%, 10.5, —) as a number to compare with a cell."""
    return text if text == "—" else float(text.removesuffix("%"))


def assert_page_shows(tables: dict, expected: dict) -> None:
    for name, rows in expected.items():
        assert tables[name] == rows, name


@pytest.mark.parametrize("username", ["admin", "taipei"])
def test_every_number_on_the_page_and_in_the_workbook_is_recomputed_from_the_raw_tables(client, year_data, username):
    user = staff(username)
    client.force_login(user)

    page = client.get(PAGE)
    workbook = client.get(EXPORT)

    assert page.status_code == 200
    tables = page_tables(page.content)
    expected = recompute(county_id=user.county_id)
    assert int(expected["totals"]["全部"]["applications"]) > 0
    assert expected["reviewers"], "the generated year assigns 委員"
    assert_page_shows(tables, expected)
    # The workbook: one sheet per table, the same figures (rates without their %).
    sheets = workbook_tables(workbook.content)
    for name, (title, measures) in SHEETS.items():
        on_page = {label: [number(row[m]) for m in measures] for label, row in tables[name].items()}
        assert sheets[title] == on_page, title


def test_a_county_sees_its_own_numbers_whatever_the_county_filter_says(client, year_data):
    taipei = staff("taipei")
    taichung = County.objects.get(name="臺中市")
    client.force_login(taipei)

    tables = page_tables(client.get(PAGE, {"county": taichung.pk}).content)
    sheets = workbook_tables(client.get(EXPORT, {"county": taichung.pk}).content)

    assert list(tables["by_county"]) == ["臺北市"]
    assert list(sheets["縣市"]) == ["臺北市"]
    assert_page_shows(tables, recompute(county_id=taipei.county_id))
    # Only the 委員 of Taipei's cases, and only those assignments.
    taipei_reviewers = set(
        Assignment.objects.filter(case__county_id=taipei.county_id).values_list("reviewer__name", flat=True)
    )
    taichung_only = (
        set(Assignment.objects.filter(case__county=taichung).values_list("reviewer__name", flat=True))
        - taipei_reviewers
    )
    assert set(tables["reviewers"]) == taipei_reviewers
    assert not taichung_only & set(tables["reviewers"])


def test_the_admin_narrows_to_one_county_type_year_and_school(client, year_data):
    admin = staff("admin")
    taichung = County.objects.get(name="臺中市")
    advanced = CertificationType.objects.get(code="advanced")
    client.force_login(admin)

    one_county = page_tables(client.get(PAGE, {"county": taichung.pk}).content)
    narrowed = page_tables(
        client.get(PAGE, {"county": taichung.pk, "certification_type": advanced.pk, "academic_year": LAST_YEAR}).content
    )
    school = Case.objects.filter(county=taichung).values_list("school__name", flat=True).first()
    by_school = page_tables(client.get(PAGE, {"school": school}).content)

    assert_page_shows(one_county, recompute(county_id=taichung.pk))
    assert_page_shows(narrowed, recompute(county_id=taichung.pk, type_id=advanced.pk, year=LAST_YEAR))
    assert list(narrowed["by_type"]) == [advanced.name]
    assert list(narrowed["by_year"]) == [f"{LAST_YEAR}學年度"]
    assert_page_shows(by_school, recompute(school_text=school))


def test_the_page_says_so_when_there_is_nothing_to_count(client, admin_user, taipei_officer):
    for user in (admin_user, taipei_officer):
        client.force_login(user)
        page = client.get(PAGE)

        assert page.status_code == 200
        text = page.content.decode()
        assert "目前沒有資料" in text
        assert "data-stat=" not in text


def test_values_that_do_not_parse_give_the_page_with_a_note(client, year_data):
    client.force_login(staff("admin"))

    page = client.get(PAGE, {"academic_year": "abc", "certification_type": "99999", "county": "x", "school": "\x00"})
    workbook = client.get(EXPORT, {"academic_year": "abc", "county": "-1"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "下列篩選條件的值無法辨識，已略過" in text
    assert "學年度" in text and "認證類別" in text
    # Ignored filters filter nothing: the national figures.
    assert_page_shows(page_tables(page.content), recompute())
    assert workbook.status_code == 200


def test_the_queries_do_not_grow_with_the_number_of_cases(client, settings, admin_user, taipei_officer):
    settings.DEBUG = True
    counts = []
    for seed in (1, 2):
        call_command("generate_year", year=LAST_YEAR, cases=60 * seed, seed=seed, stdout=io.StringIO())
        for user in (admin_user, taipei_officer):
            client.force_login(user)
            with CaptureQueriesContext(connection) as page:
                assert client.get(PAGE).status_code == 200
            with CaptureQueriesContext(connection) as export:
                assert client.get(EXPORT).status_code == 200
            counts.append((user.role, len(page.captured_queries), len(export.captured_queries)))

    assert counts[0] == counts[2]
    assert counts[1] == counts[3]
    assert max(max(pages, exports) for _, pages, exports in counts) <= 25


def test_the_workbook_keeps_names_as_text(client, year_data):
    school = Case.objects.filter(school__isnull=False).first().school
    school.name = "=1+1"
    school.save()
    client.force_login(staff("admin"))

    book = load_workbook(io.BytesIO(client.get(EXPORT, {"school": school.code}).content))

    cell = book["學校"]["A2"]
    assert cell.value == "=1+1"
    assert cell.data_type == "s"


def test_the_percentile_method_is_stated_on_the_page(client, year_data):
    client.force_login(staff("admin"))

    text = client.get(PAGE).content.decode()

    assert "最近序位法" in text
    assert "逾期：分發超過 14 天仍未送出" in text


def test_a_county_system_gets_the_same_figures_as_its_officer(year_data):
    """figures() takes anything shaped like a user (an API client of a county, say): same scope,
    same numbers, JSON-ready."""
    from types import SimpleNamespace

    from proteacher.review.statistics import StatisticsFilters, figures

    officer = staff("taipei")
    system = SimpleNamespace(is_authenticated=True, role="county", county_id=officer.county_id, pk=None)
    taichung = County.objects.get(name="臺中市")

    as_system = figures(system, StatisticsFilters(county=taichung.pk))
    as_officer = figures(officer, StatisticsFilters())

    assert json.loads(json.dumps(as_system.as_dict())) == json.loads(json.dumps(as_officer.as_dict()))
    assert [row["label"] for row in as_system.as_dict()["by_county"]] == ["臺北市"]
    assert as_system.totals["applications"] == int(
        recompute(county_id=officer.county_id)["totals"]["全部"]["applications"]
    )


def test_verification_lookups_are_counted_within_the_viewers_scope(client, year_data):
    from proteacher.certification.models import Certificate, VerificationLookup

    taipei = staff("taipei")
    taipei_certificate = Certificate.objects.filter(case__county_id=taipei.county_id).first()
    other_certificate = Certificate.objects.exclude(case__county_id=taipei.county_id).filter(case__isnull=False).first()
    assert taipei_certificate and other_certificate, "the generated years issue certificates"
    # Looked up as the public would: twice by its QR code's link, once by 證號 and name; others too.
    client.get(reverse("verify:code", args=[taipei_certificate.verify_code]))
    client.get(reverse("verify:code", args=[taipei_certificate.verify_code]))
    client.post(reverse("verify:form"), {"number": taipei_certificate.number, "name": taipei_certificate.teacher.name})
    client.get(reverse("verify:code", args=[other_certificate.verify_code]))
    client.get(reverse("verify:code", args=["A" * 22]))

    def expected(rows) -> dict:
        counted = Counter((row.outcome, row.by_number) for row in rows)
        return {
            label: {
                "by_code": str(counted[(code, False)]),
                "by_number": str(counted[(code, True)]),
                "total": str(counted[(code, False)] + counted[(code, True)]),
            }
            for code, label in VerificationLookup.Outcome.choices
        }

    every = list(VerificationLookup.objects.all())
    taipeis = [row for row in every if row.certificate_id == taipei_certificate.pk]
    assert len(every) == 5 and len(taipeis) == 3

    client.force_login(staff("admin"))
    assert page_tables(client.get(PAGE).content)["verifications"] == expected(every)
    admin_sheet = workbook_tables(client.get(EXPORT).content)["證書查驗"]
    assert admin_sheet["查無此證書"] == [1.0, 0.0, 1.0]
    assert admin_sheet["有效"] == [3.0, 1.0, 4.0]
    # Narrowed to Taipei, 管理者 sees what Taipei's officer sees: its own certificates' lookups.
    narrowed = page_tables(client.get(PAGE, {"county": taipei.county_id}).content)["verifications"]
    assert narrowed == expected(taipeis)

    client.force_login(taipei)
    assert page_tables(client.get(PAGE).content)["verifications"] == expected(taipeis)
