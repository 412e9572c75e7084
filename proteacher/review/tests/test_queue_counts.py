"""認證審查's tabs and 學年度 choices come from counts the workflow keeps, not from grouping every
case on each request; they always agree with the cases themselves."""

import re
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.certification import state_counts, workflow
from proteacher.certification.models import Case, StateCount
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.review.tests.test_decisions import advance
from proteacher.testing import factories
from proteacher.testing.workflow import take

pytestmark = pytest.mark.django_db

CASES_TABLE = Case._meta.db_table


def tab_counts(client, user, params=None) -> dict[str, int]:
    """{tab label: count} as the page shows them, with 共 N 件."""
    client.force_login(user)
    page = client.get(reverse("review:queue"), params).content.decode()
    tabs = dict(re.findall(r'<a class="nav-link[^"]*"[^>]*>\s*([^<]+?)\s*<span[^>]*>(\d+)</span>', page))
    total = re.search(r"共 (\d+) 件", page)
    return {**{label: int(count) for label, count in tabs.items()}, "共": int(total.group(1))}


def grouped_from_cases(**narrow) -> dict[str, int]:
    counted: dict[str, int] = {}
    for state in Case.objects.filter(**narrow).values_list("state", flat=True):
        counted[workflow.label(state)] = counted.get(workflow.label(state), 0) + 1
    return counted


def cases_in_two_counties(taipei_officer, taichung_officer) -> list[Case]:
    made = []
    paths = [State.PREPARING, State.FORMAL_REVIEW, State.FIRST_ASSIGN, State.FORMAL_REVIEW, State.FIRST_REVIEW]
    for number, target in enumerate(paths * 2):
        county = "臺北市" if number % 2 else "臺中市"
        officer = taipei_officer if number % 2 else taichung_officer
        teacher = factories.teacher(name=f"教師{number}", account=f"t-{number}", county_name=county)
        made.append(advance(factories.case(teacher, "basic" if number % 3 else "advanced"), target, officer))
    return made


def test_the_tabs_show_what_the_cases_hold_for_each_county_and_nationwide(
    client, taipei_officer, taichung_officer, admin_user
):
    cases_in_two_counties(taipei_officer, taichung_officer)

    shown = tab_counts(client, taipei_officer)
    expected = grouped_from_cases(county=taipei_officer.county)
    assert {label: shown[label] for label in expected} == expected
    assert shown["共"] == shown["全部"] == sum(expected.values()) == 5
    assert all(count == 0 for label, count in shown.items() if label not in expected and label not in ("全部", "共"))

    nationwide = tab_counts(client, admin_user)
    assert nationwide["全部"] == Case.objects.count() == 10
    assert nationwide[workflow.label(State.FORMAL_REVIEW)] == Case.objects.filter(state=State.FORMAL_REVIEW).count()

    one_county = tab_counts(client, admin_user, {"county": taichung_officer.county_id})
    assert one_county["全部"] == Case.objects.filter(county=taichung_officer.county).count()


def test_a_type_and_a_state_narrow_the_counts_and_the_total(client, taipei_officer, taichung_officer, admin_user):
    cases_in_two_counties(taipei_officer, taichung_officer)
    basic = Case.objects.filter(certification_type__code="basic")

    shown = tab_counts(
        client,
        admin_user,
        {"certification_type": basic.first().certification_type_id, "state": State.FORMAL_REVIEW},
    )

    in_review = basic.filter(state=State.FORMAL_REVIEW).count()
    assert shown[workflow.label(State.FORMAL_REVIEW)] == shown["共"] == in_review
    assert shown["全部"] == basic.count()


def test_a_search_counts_the_cases_it_finds(client, taipei_officer, taichung_officer):
    cases_in_two_counties(taipei_officer, taichung_officer)

    shown = tab_counts(client, taipei_officer, {"q": "教師1"})

    found = Case.objects.filter(county=taipei_officer.county, teacher__name__icontains="教師1")
    assert shown["全部"] == shown["共"] == found.count() > 0


def test_the_page_groups_no_cases_and_scans_no_years_of_them(client, admin_user, taipei_officer, taichung_officer):
    cases_in_two_counties(taipei_officer, taichung_officer)
    client.force_login(admin_user)
    client.get(reverse("review:queue"))

    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("review:queue"), {"state": State.FORMAL_REVIEW})

    over_cases = [q["sql"] for q in captured if CASES_TABLE in q["sql"]]
    assert over_cases, "the page lists cases"
    assert not [sql for sql in over_cases if "GROUP BY" in sql or "DISTINCT" in sql or "COUNT(" in sql]


def test_the_years_offered_are_those_with_cases_in_scope(client, taipei_officer, taichung_officer):
    factories.case(factories.teacher(name="臺北", account="t-tp", county_name="臺北市"), "basic", academic_year=113)
    factories.case(factories.teacher(name="臺中", account="t-tc", county_name="臺中市"), "basic", academic_year=112)
    client.force_login(taipei_officer)

    page = client.get(reverse("review:queue")).content.decode()

    choices = re.findall(r'<option value="(\d+)"', page[page.index('name="academic_year"') :].split("</select>")[0])
    assert choices == ["113"]


def test_a_refused_change_leaves_the_counts_alone(taipei_officer, taichung_officer):
    teacher = factories.teacher(county_name="臺北市")
    case = advance(factories.case(teacher, "basic"), State.FORMAL_REVIEW, taipei_officer)
    before = state_counts.counts()

    with pytest.raises(DomainError):
        workflow.transition(case, "formal_pass", actor=taichung_officer)  # another county's officer

    assert state_counts.counts() == before
    assert not state_counts.differences()


def test_every_change_along_the_workflow_keeps_the_counts_right(admin_user, taipei_officer):
    for number, target in enumerate(
        [State.ISSUED, State.FAILED, State.SECOND_FAILED, State.APPEAL_DECISION, State.FIRST_REVISION]
    ):
        teacher = factories.teacher(name=f"教師{number}", account=f"t-{number}", county_name="臺北市")
        advance(factories.case(teacher, "advanced"), target, admin_user)

    assert not state_counts.differences()
    kept = state_counts.counts(county_id=taipei_officer.county_id)
    assert kept == {state: Case.objects.filter(state=state).count() for state in kept}
    assert sum(kept.values()) == 5


def test_recount_states_reports_drift_and_rebuilds(taipei_officer, capsys):
    advance(factories.case(factories.teacher(county_name="臺北市"), "basic"), State.FORMAL_REVIEW, taipei_officer)
    call_command("recount_states")
    StateCount.objects.filter(state=State.FORMAL_REVIEW).update(count=7)

    with pytest.raises(CommandError, match="1 count"):
        call_command("recount_states")
    assert "kept 7, counted 1" in capsys.readouterr().err

    call_command("recount_states", "--rebuild")
    call_command("recount_states")
    assert state_counts.counts()[State.FORMAL_REVIEW] == 1


@pytest.mark.django_db(transaction=True)
def test_cases_opened_and_moved_at_once_are_all_counted(taipei_officer):
    """Many teachers of one county, type and year send at once (deadline day): every count lands,
    and cases crossing in opposite directions never deadlock."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises every writer)")
    teachers = [factories.teacher(name=f"教師{n}", account=f"t-{n}", county_name="臺北市") for n in range(8)]
    returned = [
        advance(
            factories.case(factories.teacher(name=f"退{n}", account=f"r-{n}", county_name="臺北市"), "basic"),
            State.FORMAL_REVIEW,
            taipei_officer,
        )
        for n in range(4)
    ]
    errors = []
    start = threading.Barrier(len(teachers) + len(returned))

    def open_and_send(teacher):
        try:
            start.wait()
            advance(factories.case(teacher, "basic"), State.FORMAL_REVIEW, taipei_officer)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()

    def send_back(case):
        try:
            start.wait()
            take(case, "formal_return", taipei_officer, expected_revision=case.revision)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=open_and_send, args=(t,)) for t in teachers]
    threads += [threading.Thread(target=send_back, args=(c,)) for c in returned]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert not state_counts.differences()
    assert state_counts.counts(county_id=taipei_officer.county_id) == {State.FORMAL_REVIEW: 8, State.PREPARING: 4}
