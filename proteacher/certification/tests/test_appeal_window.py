"""The 10-day appeal window (holidays included, counted in Asia/Taipei): 申復 a minute before the
deadline is filed, a minute after it is refused and the button is gone, and the worker's job
moves the case to 不合格 — across a month end."""

import datetime
import re
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from proteacher import worker
from proteacher.certification import deadlines, jobs, workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.review.models import Appeal
from proteacher.testing import factories
from proteacher.testing.workflow import walk as shared_walk

pytestmark = pytest.mark.django_db

TAIPEI = ZoneInfo("Asia/Taipei")
NOTICE = datetime.datetime(2026, 1, 25, 22, 30, tzinfo=TAIPEI)
DEADLINE = datetime.datetime(2026, 2, 4, 22, 30, tzinfo=TAIPEI)
MINUTE = datetime.timedelta(minutes=1)
TO_FIRST_DECISION = ["submit", "formal_pass", "assign_first", "first_reviews_done"]
TO_SECOND_DECISION = [*TO_FIRST_DECISION, "first_revise", "resubmit", "assign_second", "second_reviews_done"]


class Clock:
    def __init__(self, now):
        self.now = now


@pytest.fixture
def clock(monkeypatch):
    """django.utils.timezone.now, set by the test (every "now" of the platform reads it)."""
    clock = Clock(NOTICE - datetime.timedelta(hours=12))
    monkeypatch.setattr(timezone, "now", lambda: clock.now)
    return clock


def walk(case, actions, teacher, officer):
    return shared_walk(
        case, actions, officer, reasons={"first_fail": "資料有所不足。", "second_fail": "資料有所不足。"}
    )


def failed_at(clock, user, officer, notice=NOTICE, final="first_fail"):
    """A case whose failing decision (and so its notice) went out at `notice`."""
    case = factories.case(user, "advanced")
    factories.fill_every_slot(case)
    walk(case, TO_FIRST_DECISION if final == "first_fail" else TO_SECOND_DECISION, user, officer)
    clock.now = notice
    return walk(case, [final], user, officer)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def appeal_form(case) -> dict:
    return {
        "teacher": "黃測試",
        "county": "臺北市",
        "school": "臺北市立測試國小",
        "date": "2026-02-04",
        "reviewer_opinion": "委員意見",
        "appeal_opinion": "申復說明",
        "action": "save",
        "revision": 0,
    }


def test_the_deadline_is_the_same_clock_time_ten_calendar_days_later_in_taipei():
    assert deadlines.deadline_after(NOTICE) == DEADLINE
    # 16:30 UTC on 31 January is already 1 February in Taipei: the days are Taipei's.
    late_evening_utc = datetime.datetime(2026, 1, 31, 16, 30, tzinfo=datetime.UTC)
    assert deadlines.deadline_after(late_evening_utc) == datetime.datetime(2026, 2, 11, 0, 30, tzinfo=TAIPEI)
    # Holidays count: ten days over the 2026 Lunar New Year holidays are still ten days.
    assert deadlines.deadline_after(datetime.datetime(2026, 2, 13, 9, 0, tzinfo=TAIPEI)) == datetime.datetime(
        2026, 2, 23, 9, 0, tzinfo=TAIPEI
    )


def test_the_failing_decision_stores_the_deadline_and_the_page_shows_it(client, clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)

    assert case.appeal_deadline == DEADLINE
    client.force_login(teacher)
    text = text_of(client.get(reverse("certification:case", args=[case.pk])).content.decode())
    assert "申復期限 115-02-04 22:30" in text


def test_a_second_failure_opens_its_own_window(clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer, final="second_fail")

    assert case.state == State.SECOND_FAILED
    assert case.appeal_deadline == DEADLINE


def test_a_minute_before_the_deadline_the_appeal_is_filed(client, clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)
    clock.now = DEADLINE - MINUTE
    client.force_login(teacher)

    page = client.get(reverse("certification:case", args=[case.pk])).content.decode()
    assert f'href="{reverse("review:appeal", args=[case.pk])}"' in page and ">申復</button>" in page
    assert client.get(reverse("review:appeal", args=[case.pk])).status_code == 200

    client.post(reverse("review:appeal", args=[case.pk]), appeal_form(case))
    response = client.post(reverse("review:appeal_send", args=[case.pk]), {"revision": case.revision}, follow=True)

    assert "已提出申復" in text_of(response.content.decode())
    assert Case.objects.get(pk=case.pk).state == State.APPEAL_INTAKE
    assert Appeal.objects.get(case=case).filed_at == DEADLINE - MINUTE


def test_a_draft_saved_in_time_cannot_be_sent_after_the_deadline(client, clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)
    clock.now = DEADLINE - MINUTE
    client.force_login(teacher)
    client.post(reverse("review:appeal", args=[case.pk]), appeal_form(case))
    clock.now = DEADLINE + MINUTE

    response = client.post(reverse("review:appeal_send", args=[case.pk]), {"revision": case.revision})

    assert response.status_code == 409
    assert "已超過申復期限（115-02-04 22:30）。" in text_of(response.content.decode())
    assert not Appeal.objects.filed().exists()
    assert Case.objects.get(pk=case.pk).state == State.FIRST_FAILED


def test_a_minute_after_the_deadline_the_button_is_gone_and_appeal_is_refused(client, clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)
    clock.now = DEADLINE + MINUTE
    client.force_login(teacher)
    appeal_url = reverse("review:appeal", args=[case.pk])

    page = client.get(reverse("certification:case", args=[case.pk])).content.decode()
    assert f'href="{appeal_url}"' not in page and ">申復<" not in page
    assert "已超過申復期限（115-02-04 22:30）。此申請將轉為「不合格」。" in text_of(page)

    opened = client.get(appeal_url)
    saved = client.post(appeal_url, appeal_form(case))
    sent = client.post(reverse("review:appeal_send", args=[case.pk]), {"revision": case.revision})

    for response in (opened, saved, sent):
        assert response.status_code == 409
        assert "已超過申復期限（115-02-04 22:30）。" in text_of(response.content.decode())
    assert not Appeal.objects.exists()
    assert Case.objects.get(pk=case.pk).state == State.FIRST_FAILED


def test_the_guard_gives_the_reason_to_the_workflow(clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)

    clock.now = DEADLINE
    assert workflow.unavailable_reason(case, "appeal", teacher) is None  # the deadline itself still counts
    clock.now = DEADLINE + MINUTE
    assert workflow.unavailable_reason(case, "appeal", teacher) == "已超過申復期限（115-02-04 22:30）。"


def test_the_job_closes_expired_windows_only(clock, teacher, taichung_teacher, taipei_officer, taichung_officer):
    expired_first = failed_at(clock, teacher, taipei_officer)
    other = factories.teacher(name="陳複審", account="t-second")
    clock.now = NOTICE - datetime.timedelta(hours=1)
    expired_second = failed_at(clock, other, taipei_officer, final="second_fail")
    clock.now = NOTICE - datetime.timedelta(hours=1)
    still_open = failed_at(clock, taichung_teacher, taichung_officer, notice=NOTICE + 2 * MINUTE)

    clock.now = DEADLINE + MINUTE
    moved = jobs.close_expired_windows()

    assert moved == 2
    for case in (expired_first, expired_second):
        case.refresh_from_db()
        assert case.state == State.FAILED and case.appeal_deadline is None
        event = CaseEvent.objects.filter(case=case).last()
        assert (event.action, event.actor, event.at) == ("appeal_expire", None, DEADLINE + MINUTE)
        assert event.reason == "未於申復期限（115-02-04 22:30）內提出申復。"
    still_open.refresh_from_db()
    assert still_open.state == State.FIRST_FAILED and still_open.appeal_deadline == DEADLINE + 2 * MINUTE
    assert jobs.close_expired_windows() == 0  # idempotent
    assert CaseEvent.objects.filter(action="appeal_expire").count() == 2


def test_a_minute_before_the_deadline_the_job_leaves_the_case(clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)
    clock.now = DEADLINE - MINUTE

    assert jobs.close_expired_windows() == 0
    assert Case.objects.get(pk=case.pk).state == State.FIRST_FAILED


def test_the_teacher_reads_the_result_after_the_job(client, clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)
    clock.now = DEADLINE + MINUTE
    jobs.close_expired_windows()
    client.force_login(teacher)

    html = client.get(reverse("certification:case", args=[case.pk])).content.decode()
    text = text_of(html)

    assert "狀態 不合格" in text
    assert "原因訊息 未於申復期限（115-02-04 22:30）內提出申復。" in text
    assert "申復期限 115-02-04 22:30" not in text
    assert reverse("review:appeal", args=[case.pk]) not in html


def test_the_worker_runs_the_job(clock, teacher, taipei_officer):
    job = next(job for job in worker.JOBS if job.function is jobs.close_expired_windows)
    assert 0 < job.every_seconds <= 600
    case = failed_at(clock, teacher, taipei_officer)
    clock.now = DEADLINE + MINUTE

    call_command("run_worker", "--once")

    assert Case.objects.get(pk=case.pk).state == State.FAILED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) need PostgreSQL")
def test_the_job_passes_over_a_case_being_appealed_this_instant(clock, teacher, taipei_officer):
    case = failed_at(clock, teacher, taipei_officer)
    clock.now = DEADLINE + MINUTE
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        # Another request (a teacher's 申復 at this moment) holding the case row.
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        assert jobs.close_expired_windows() == 0  # skipped, not waited for
    finally:
        release.set()
        holder.join()

    assert jobs.close_expired_windows() == 1
    assert Case.objects.get(pk=case.pk).state == State.FAILED
