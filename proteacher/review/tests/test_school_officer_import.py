"""學校承辦人 by file through 資料匯入: each row a grant by the account that loads the file, only to a
teacher of that school; a live grant is 未變更; a bad row refuses the whole file."""

import pytest
from django.urls import reverse

from proteacher.accounts import school_officers
from proteacher.accounts.models import SchoolOfficer
from proteacher.audit.models import AuditEntry
from proteacher.review import imports
from proteacher.review.models import ImportRun
from proteacher.review.tests.test_imports import submitted, work
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

State = ImportRun.Status


@pytest.fixture
def school():
    return factories.school("臺北市立成淵高級中學", code="313301")


@pytest.fixture
def teachers(school):
    return (
        factories.teacher(name="林承辦", account="t-officer", school_name=school.name),
        factories.teacher(name="王承辦", account="t-officer-2", school_name=school.name),
    )


def test_a_file_grants_each_row_once(admin_user, school, teachers, taipei_officer):
    school_officers.grant(taipei_officer, school, "t-officer-2")
    run = submitted(admin_user, "學校代碼,全教網帳號\n313301,t-officer\n313301,t-officer-2\n", "school_officers")
    work()
    run.refresh_from_db()
    assert (run.status, run.created, run.unchanged) == (State.READY, 1, 1)

    imports.confirm(run, admin_user)
    work()

    run.refresh_from_db()
    assert run.status == State.DONE
    grant = SchoolOfficer.objects.get(user=teachers[0])
    assert grant.is_live and grant.school == school and grant.granted_by == admin_user
    teachers[0].refresh_from_db()
    assert teachers[0].is_school_officer
    assert AuditEntry.objects.filter(action="school_officer.grant", actor_id=admin_user.pk).count() == 1
    assert SchoolOfficer.objects.filter(user=teachers[1]).count() == 1


def test_a_teacher_of_another_school_refuses_the_file(admin_user, school, teachers):
    factories.teacher(name="李別校", account="t-elsewhere", school_name="臺北市立建國高級中學")
    text = "學校代碼,全教網帳號\n313301,t-officer\n313301,t-elsewhere\n999999,t-officer\n313301,t-nobody\n"
    run = submitted(admin_user, text, "school_officers")

    work()

    run.refresh_from_db()
    assert run.status == State.REFUSED
    assert run.errors == [
        {"line": 3, "reason": "全教網帳號「t-elsewhere」的服務學校不是學校代碼「313301」的學校"},
        {"line": 4, "reason": "學校代碼「999999」不在學校主檔中"},
        {"line": 5, "reason": "全教網帳號「t-nobody」不是本平臺的教師"},
    ]
    assert not SchoolOfficer.objects.exists()


def test_the_sample_file_checks_clean(client, admin_user, school):
    factories.teacher(name="黃測試", account="t-eligible", school_name=school.name)
    client.force_login(admin_user)
    sample = client.get(reverse("review:import_sample", args=["school_officers"]))
    run = submitted(admin_user, b"".join(sample.streaming_content).decode("utf-8"), "school_officers")

    work()

    run.refresh_from_db()
    assert (run.status, run.created) == (State.READY, 1)
