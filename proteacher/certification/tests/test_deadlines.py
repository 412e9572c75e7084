"""The 修正期限 of a case in 初審修正資料, with the clock moved: the teacher is reminded 7 and 1 days
before it, once each; an extension made before it keeps the case open and the case page shows the
new date; once it passes, the worker's job moves the case on by the table's revision_expire row,
once, also with two workers at once (PostgreSQL). And the period (期程) itself: a county row over
the national one, 申請 and 送出 refused outside it with the dates in the sentence."""

import datetime
import re
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from proteacher import dates, worker
from proteacher.certification import deadlines, jobs, reminders, services, workflow
from proteacher.certification.models import Case, CaseEvent, CertificationPeriod, CertificationType, DeadlineReminder
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.notifications.models import Notification, OutgoingMail
from proteacher.review import office
from proteacher.testing import factories
from proteacher.testing.audit import entries
from proteacher.testing.threads import side_by_side
from proteacher.testing.workflow import advance, take

pytestmark = pytest.mark.django_db

TAIPEI = deadlines.TAIPEI
DECIDED = datetime.datetime(2026, 10, 1, 10, 0, tzinfo=TAIPEI)  # 115學年度
DEADLINE = datetime.datetime(2026, 10, 31, 10, 0, tzinfo=TAIPEI)  # 30 days later
SHOWN = "115-10-31 10:00"
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)
REMINDER = "進階認證修正期限提醒"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def national_period(**values) -> CertificationPeriod:
    factories.certification_types()
    kind = CertificationType.objects.get(code="advanced")
    return CertificationPeriod.objects.create(certification_type=kind, academic_year=115, **values)


def revising(teacher, officer, time_machine) -> Case:
    """A case whose 修正後複審 went out at DECIDED, under a national period of 30 days."""
    time_machine.move_to(DECIDED - DAY)
    national_period(revision_days=30)
    case = factories.case(teacher, "advanced")
    advance(case, State.FIRST_DECISION, officer)
    time_machine.move_to(DECIDED, tick=False)
    take(case, "first_revise", officer, expected_revision=case.revision)
    case.refresh_from_db()
    return case


def reminders_to(user, title=REMINDER) -> list[str]:
    return list(Notification.objects.filter(recipient=user, title=title).order_by("id").values_list("body", flat=True))


def mails_to(user, subject=REMINDER) -> int:
    return OutgoingMail.objects.filter(to=user.email, subject__endswith=subject).count()


# --- the formatter -------------------------------------------------------------------------------


def test_a_deadline_reads_in_roc_years_on_taipeis_clock():
    assert dates.roc_datetime(datetime.datetime(2027, 3, 31, 15, 59, tzinfo=datetime.UTC)) == "116-03-31 23:59"
    assert deadlines.format_deadline(datetime.datetime(2026, 8, 1, 0, 0, tzinfo=TAIPEI)) == "115-08-01 00:00"


# --- the done-when test: reminders, an extension, the move on, with the clock moved ----------------


def test_the_revision_deadline_from_its_reminders_to_an_extension_to_the_move_on(
    client, teacher, taipei_officer, time_machine
):
    case = revising(teacher, taipei_officer, time_machine)
    assert case.action_deadline == DEADLINE
    # The decision's notice says by when.
    assert (
        reminders_to(teacher, "進階專業回饋人才認證請修正送複審")[0].splitlines()[1] == f"請於 {SHOWN} 前送出複審資料。"
    )
    client.force_login(teacher)
    assert f"期限 請於 {SHOWN} 前送出複審資料" in text_of(
        client.get(reverse("certification:case", args=[case.pk])).content.decode()
    )

    # Eight days before: nothing yet. Seven days before: one reminder, however often the job runs.
    time_machine.move_to(DEADLINE - 8 * DAY)
    assert reminders.send_reminders() == 0
    time_machine.move_to(DEADLINE - 7 * DAY + MINUTE)
    assert reminders.send_reminders() == 1
    assert reminders.send_reminders() == 0
    assert reminders_to(teacher) == [
        f"您申請的進階專業回饋人才認證請於 {SHOWN} 前送出複審資料；逾期未送出，認證結果將為不合格。"
    ]
    assert mails_to(teacher) == 1
    # One day before: the second one, once.
    time_machine.move_to(DEADLINE - DAY + MINUTE)
    call_command("run_worker", "--once")
    assert reminders.send_reminders() == 0
    assert len(reminders_to(teacher)) == 2 and mails_to(teacher) == 2
    assert sorted(DeadlineReminder.objects.filter(case=case).values_list("days_before", flat=True)) == [1, 7]
    assert len(entries("case.deadline_reminder")) == 2

    # The county extends it before it passes, with a reason.
    extended = datetime.datetime(2026, 11, 15, 17, 0, tzinfo=TAIPEI)
    office.extend_deadline(case, taipei_officer, extended, "教師病假，延長兩週。", expected_revision=case.revision)
    time_machine.move_to(DEADLINE + MINUTE)
    assert jobs.close_expired_revisions() == 0
    case.refresh_from_db()
    assert case.state == State.FIRST_REVISION and case.action_deadline == extended
    client.force_login(teacher)  # a month later: a new session
    page = text_of(client.get(reverse("certification:case", args=[case.pk])).content.decode())
    assert "期限 請於 115-11-15 17:00 前送出複審資料" in page
    assert "原期限 115-10-31 10:00 → 新期限 115-11-15 17:00" in page
    assert "教師病假，延長兩週。" in page
    [told] = reminders_to(teacher, "申請進階認證期限已延長")
    assert "請於 115-11-15 17:00 前送出複審資料。" in told and "原因：教師病假，延長兩週。" in told
    event = CaseEvent.objects.filter(case=case, action="extend_deadline").get()
    assert (event.actor, event.from_state, event.to_state) == (
        taipei_officer,
        State.FIRST_REVISION,
        State.FIRST_REVISION,
    )
    assert event.extra["old_deadline"] == DEADLINE.isoformat() and event.extra["deadline"] == extended.isoformat()
    # The teacher may still send (the guard reads the new date).
    assert workflow.unavailable_reason(case, "resubmit", teacher) is None

    # The new date has reminders of its own (the deadline is in their key): the 7-day one.
    time_machine.move_to(extended - 7 * DAY + MINUTE)
    assert reminders.send_reminders() == 1
    assert DeadlineReminder.objects.filter(case=case, deadline=extended).count() == 1

    # Past the new date: refused with the date, and the job moves the case on, once.
    time_machine.move_to(extended + MINUTE)
    assert workflow.unavailable_reason(case, "resubmit", teacher) == "已超過修正期限（115-11-15 17:00），無法送出。"
    call_command("run_worker", "--once")
    assert jobs.close_expired_revisions() == 0
    case.refresh_from_db()
    assert case.state == State.FAILED and case.action_deadline is None
    [expired] = CaseEvent.objects.filter(case=case, action="revision_expire")
    assert expired.actor is None and expired.reason == "未於修正期限（115-11-15 17:00）內送出修正資料。"
    assert len(reminders_to(teacher, "申請進階認證修正期限已過")) == 1
    # Nothing more is reminded for a case that moved on.
    assert reminders.send_reminders() == 0


def test_a_worker_stopped_for_a_week_sends_only_the_reminder_whose_time_it_is(teacher, taipei_officer, time_machine):
    revising(teacher, taipei_officer, time_machine)
    time_machine.move_to(DEADLINE - DAY + MINUTE)

    assert reminders.send_reminders() == 1
    assert DeadlineReminder.objects.get().days_before == 1


def test_resubmit_after_the_deadline_is_refused_with_its_date(client, teacher, taipei_officer, time_machine):
    case = revising(teacher, taipei_officer, time_machine)
    time_machine.move_to(DEADLINE + MINUTE)
    client.force_login(teacher)

    response = client.post(
        reverse("certification:act", args=[case.pk]), {"action": "resubmit", "revision": case.revision}
    )

    assert f"已超過修正期限（{SHOWN}），無法送出。" in text_of(response.content.decode()) or response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVISION
    with pytest.raises(DomainError, match=re.escape(f"已超過修正期限（{SHOWN}）")):
        workflow.transition(case, "resubmit", actor=teacher)


def test_an_extension_must_be_later_than_now_and_than_the_old_date_and_give_a_reason(
    teacher, taipei_officer, time_machine
):
    case = revising(teacher, taipei_officer, time_machine)
    with pytest.raises(DomainError, match="延長期限請填寫原因訊息"):
        office.extend_deadline(case, taipei_officer, DEADLINE + DAY, "")
    with pytest.raises(DomainError, match=re.escape(f"新的期限須晚於原期限（{SHOWN}）")):
        office.extend_deadline(case, taipei_officer, DEADLINE - DAY, "病假")
    with pytest.raises(DomainError, match="新的期限須晚於現在"):
        office.extend_deadline(case, taipei_officer, DECIDED - DAY, "病假")
    assert Case.objects.get(pk=case.pk).action_deadline == DEADLINE


def test_the_office_extends_on_the_case_page_and_another_county_cannot(
    client, teacher, taipei_officer, taichung_officer, time_machine
):
    case = revising(teacher, taipei_officer, time_machine)
    url = reverse("review:extend_deadline", args=[case.pk])
    post = {"deadline": "2026-11-20T23:59", "reason": "病假", "revision": case.revision, "state": case.state}
    client.force_login(taichung_officer)
    assert client.post(url, post).status_code == 404

    client.force_login(taipei_officer)
    page = text_of(client.get(reverse("review:case", args=[case.pk])).content.decode())
    assert f"目前期限：請於 {SHOWN} 前送出複審資料" in page
    refused = client.post(url, post | {"reason": ""})
    assert refused.status_code == 400 and "延長期限請填寫原因訊息。" in text_of(refused.content.decode())
    response = client.post(url, post, follow=True)

    page = text_of(response.content.decode())
    assert "已延長期限。" in page
    assert "請於 115-11-20 23:59 前送出複審資料" in page
    assert "延長期限（原期限 115-10-31 10:00 → 新期限 115-11-20 23:59）：病假" in page
    assert "臺北市教專中心" in page


# --- two workers at once (PostgreSQL) ----------------------------------------------------------


def revising_many(count, officer, time_machine) -> list[Case]:
    time_machine.move_to(DECIDED - DAY)
    national_period(revision_days=30)
    cases = []
    for n in range(count):
        user = factories.teacher(name=f"教師{n}", account=f"t-deadline-{n}", verified=True)
        case = factories.case(user, "advanced")
        advance(case, State.FIRST_DECISION, officer)
        cases.append(case)
    time_machine.move_to(DECIDED, tick=False)
    for case in cases:
        take(case, "first_revise", officer, expected_revision=case.revision)
    return cases


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once (SKIP LOCKED) need PostgreSQL")
def test_two_workers_remind_once_each_and_move_each_expired_case_once(taipei_officer, time_machine, monkeypatch):
    cases = revising_many(4, taipei_officer, time_machine)
    # Both workers have read the same candidates before either sends anything.
    both_read = threading.Barrier(2, timeout=10)
    candidates = reminders._candidates

    def read_then_wait(now):
        found = candidates(now)
        both_read.wait()
        return found

    monkeypatch.setattr(reminders, "_candidates", read_then_wait)

    for days in (7, 1):
        time_machine.move_to(DEADLINE - days * DAY + MINUTE)
        assert sum(side_by_side(reminders.send_reminders)) == len(cases)
    assert DeadlineReminder.objects.count() == 2 * len(cases)
    for case in cases:
        assert len(reminders_to(case.teacher)) == 2 and mails_to(case.teacher) == 2

    time_machine.move_to(DEADLINE + MINUTE)
    assert sum(side_by_side(jobs.close_expired_revisions)) == len(cases)
    assert CaseEvent.objects.filter(action="revision_expire").count() == len(cases)
    assert set(Case.objects.values_list("state", flat=True)) == {State.FAILED}
    for case in cases:
        assert len(reminders_to(case.teacher, "申請進階認證修正期限已過")) == 1


def test_the_worker_runs_the_jobs():
    functions = {job.function: job.every_seconds for job in worker.JOBS}
    assert 0 < functions[jobs.close_expired_revisions] <= 600
    assert 0 < functions[reminders.send_reminders] <= 3600


# --- the period ----------------------------------------------------------------------------------


def test_a_county_row_overrides_the_national_one_field_by_field(taipei, taichung):
    opens = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=TAIPEI)
    closes = datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI)
    national = national_period(apply_opens_at=opens, apply_closes_at=closes, revision_days=30)
    later = closes + 7 * DAY
    CertificationPeriod.objects.create(
        certification_type=national.certification_type, academic_year=115, county=taipei, apply_closes_at=later
    )

    own = deadlines.period_for(national.certification_type_id, 115, taipei.pk)
    other = deadlines.period_for(national.certification_type_id, 115, taichung.pk)

    assert (own.apply_opens_at, own.apply_closes_at, own.revision_days) == (opens, later, 30)
    assert (other.apply_opens_at, other.apply_closes_at) == (opens, closes)
    assert deadlines.period_for(national.certification_type_id, 114, taipei.pk) == deadlines.Period()


def test_without_a_period_everything_is_as_before(teacher, taipei_officer, time_machine):
    time_machine.move_to(DECIDED)
    case = factories.case(teacher, "advanced")
    advance(case, State.FIRST_REVISION, taipei_officer)
    assert Case.objects.get(pk=case.pk).action_deadline is None
    assert workflow.due_line(case) == ""


def test_apply_outside_the_period_is_refused_with_the_period(client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 1, 0, 0, tzinfo=TAIPEI))
    teacher = factories.advanced_candidate()
    national_period(
        apply_opens_at=datetime.datetime(2026, 9, 1, 8, 0, tzinfo=TAIPEI),
        apply_closes_at=datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI),
    )
    sentence = "目前不在申請期間，申請期間為 115-09-01 08:00 至 115-10-31 23:59。"
    kind = CertificationType.objects.get(code="advanced")
    client.force_login(teacher)

    with pytest.raises(DomainError, match=re.escape(sentence)):
        services.apply_for(teacher, kind)
    assert sentence in text_of(client.get(reverse("certification:index")).content.decode())
    response = client.post(reverse("certification:apply", args=["advanced"]), follow=True)
    assert sentence in text_of(response.content.decode())
    assert not Case.objects.exists()

    time_machine.move_to(datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI), tick=False)
    assert services.apply_for(teacher, kind).state == State.PREPARING


def test_submit_after_the_apply_close_is_refused_unless_extended(teacher, taipei_officer, time_machine):
    closes = datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI)
    national_period(apply_closes_at=closes)
    time_machine.move_to(closes - 10 * DAY)
    case = factories.case(teacher, "advanced")
    for slot in case.certification_type.slots.all():
        factories.answer(case, slot.code)
    assert workflow.due_line(case) == "請於 115-10-31 23:59 前送出審查文件。"

    time_machine.move_to(closes + MINUTE)
    assert (
        workflow.unavailable_reason(case, "submit", teacher) == "已超過送出審查文件期限（115-10-31 23:59），無法送出。"
    )
    office.extend_deadline(case, taipei_officer, closes + 3 * DAY, "系統維護，延長三天。")
    case.refresh_from_db()
    assert workflow.unavailable_reason(case, "submit", teacher) is None
    workflow.transition(case, "submit", actor=teacher)
    assert Case.objects.get(pk=case.pk).action_deadline is None


def test_the_appeal_window_reads_the_period(teacher, taipei_officer, time_machine):
    national_period(appeal_window_days=14)
    time_machine.move_to(DECIDED, tick=False)
    case = factories.case(teacher, "advanced")
    advance(case, State.FIRST_FAILED, taipei_officer)

    assert Case.objects.get(pk=case.pk).appeal_deadline == DECIDED + 14 * DAY


def test_an_unsent_case_is_reminded_before_the_apply_close_and_a_sent_one_is_not(
    teacher, taichung_teacher, taipei_officer, time_machine
):
    closes = datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI)
    national_period(apply_closes_at=closes)
    time_machine.move_to(closes - 10 * DAY)
    unsent = factories.case(teacher, "advanced")
    sent = factories.case(taichung_teacher, "advanced")
    advance(sent, State.FORMAL_REVIEW, taipei_officer)

    time_machine.move_to(closes - 7 * DAY + MINUTE)
    assert reminders.send_reminders() == 1
    assert reminders.send_reminders() == 0

    [body] = reminders_to(teacher, "進階認證送出審查文件期限提醒")
    assert body == "您申請的進階專業回饋人才認證尚未送出審查文件，請於 115-10-31 23:59 前送出審查文件；逾期將無法送出。"
    assert DeadlineReminder.objects.get().case_id == unsent.pk
    assert not reminders_to(taichung_teacher, "進階認證送出審查文件期限提醒")


def test_the_school_is_reminded_of_its_recommendation_before_the_apply_close_until_it_fills_it(
    teacher, school_officer, taipei_officer, time_machine
):
    """A 教學輔導教師 case unsent near 申請截止 whose 推薦表 the school has not filled: each
    學校承辦人 of the school is reminded once at each offset; once the school fills it, no more."""
    from proteacher.certification import school_recommendation
    from proteacher.documents.catalogue import get_template

    factories.certification_types()
    closes = datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI)
    CertificationPeriod.objects.create(
        certification_type=CertificationType.objects.get(code="mentor"), academic_year=115, apply_closes_at=closes
    )
    time_machine.move_to(closes - 10 * DAY)
    case = factories.case(teacher, "mentor")
    title = "教學輔導教師認證學校推薦表期限提醒"

    time_machine.move_to(closes - 7 * DAY + MINUTE)
    reminders.send_reminders()
    reminders.send_reminders()
    [body] = reminders_to(school_officer, title)
    assert body == (
        f"貴校{teacher.name}老師申請的教學輔導教師認證尚待學校填寫「推薦表」，請於 115-10-31 23:59 前至學校專區完成；"
        "學校未完成填寫，教師將無法送出審查文件。"
    )
    assert mails_to(school_officer, title) == 1
    # The teacher is reminded of 送出 as any unsent case; the school's reminder is the officer's own.
    assert len(reminders_to(teacher, "教學輔導教師認證送出審查文件期限提醒")) == 1
    assert not reminders_to(teacher, title)

    slot = next(slot for slot in case.certification_type.slots.all() if slot.is_filled_by_school)
    data = {"teacher": teacher.name, "school": case.school.name, "meeting_name": "教師專業發展會議"}
    data |= {"meeting_date": "2026-10-20", "decision": "recommend", "principal": "陳校長", "reasons": "推薦"}
    school_recommendation.save(
        case,
        slot,
        get_template(slot.template_codes[0]),
        officer=school_officer,
        data=data,
        is_complete=True,
        expected_revision=0,
    )
    time_machine.move_to(closes - DAY + MINUTE)
    reminders.send_reminders()
    assert len(reminders_to(school_officer, title)) == 1
    assert len(reminders_to(teacher, "教學輔導教師認證送出審查文件期限提醒")) == 2


def test_the_school_overview_shows_the_deadline_that_runs(teacher, school_officer, time_machine):
    from proteacher.certification import school_overview

    closes = datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI)
    national_period(apply_closes_at=closes)
    time_machine.move_to(closes - 10 * DAY)
    factories.case(teacher, "advanced")
    [row] = school_overview.rows(teacher.profile.school)
    assert row.deadline == "2026-10-31 23:59"
