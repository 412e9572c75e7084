"""Certificates that run out: a type's 有效年限 gives the certificates issued for it an end date
(教學輔導教師: 10 years), 個人資訊 and the verification page read it, and the holder is reminded
6 and 1 months before it, in 訊息通知 and by email, exactly once each."""

import datetime
import importlib
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from proteacher import worker
from proteacher.certification import expiry
from proteacher.certification.certificates import valid_through
from proteacher.certification.models import Certificate, CertificationType, ExpiryReminder
from proteacher.certification.workflow import State
from proteacher.notifications.models import Notification, OutgoingMail
from proteacher.testing import factories
from proteacher.testing.audit import entries
from proteacher.testing.threads import side_by_side
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

TAIPEI = datetime.timezone(datetime.timedelta(hours=8))
ISSUED_AT = "2026-12-05 10:00:00+08:00"
SIX_MONTHS_BEFORE = "2036-06-04 00:00:30+08:00"  # expires_on 2036-12-04 - 6 months
ONE_MONTH_BEFORE = "2036-11-04 00:00:30+08:00"


def issued(teacher, admin, type_code="mentor") -> Certificate:
    """A case of `type_code` walked to 已發證 the way the office does it; its certificate."""
    case = factories.case(teacher, type_code)
    advance(case, State.ISSUED, admin)
    return Certificate.objects.get(case=case)


def reminders_of(teacher) -> list[tuple[str, str]]:
    return [(n.title, n.body) for n in Notification.objects.filter(recipient=teacher).order_by("created_at", "id")]


def mails_to(teacher) -> list[str]:
    return list(OutgoingMail.objects.filter(to=teacher.email).order_by("id").values_list("subject", flat=True))


def expiry_notices(teacher) -> list[tuple[str, str]]:
    return [(title, body) for title, body in reminders_of(teacher) if title.endswith("證書即將到期")]


def expiry_mails(teacher) -> list[str]:
    return [subject for subject in mails_to(teacher) if subject.endswith("證書即將到期")]


# --- the end date -----------------------------------------------------------------------------


def test_the_mentor_type_ships_with_ten_years_and_the_others_with_none():
    factories.certification_types()
    years = dict(CertificationType.objects.values_list("code", "validity_years"))
    # 換證's certificates are 教學輔導教師 ones, with that type's 10 years.
    assert years == {"basic": None, "advanced": None, "mentor": 10, "mentor_renewal": None}


@pytest.mark.parametrize(
    ("issued_at", "last_day"),
    [
        (datetime.datetime(2026, 12, 5, 10, 0, tzinfo=TAIPEI), datetime.date(2036, 12, 4)),
        # 01:00 in Taipei is still the previous day in UTC: the day is Taipei's.
        (datetime.datetime(2026, 12, 4, 17, 0, tzinfo=datetime.UTC), datetime.date(2036, 12, 4)),
        (datetime.datetime(2027, 1, 1, 9, 0, tzinfo=TAIPEI), datetime.date(2036, 12, 31)),
        # No 29 February ten years on: through the month's last day (民法第121條).
        (datetime.datetime(2028, 2, 29, 9, 0, tzinfo=TAIPEI), datetime.date(2038, 2, 28)),
    ],
)
def test_a_certificate_is_valid_through_the_day_before_its_anniversary(issued_at, last_day):
    assert valid_through(issued_at, 10) == last_day


def test_a_type_without_validity_has_no_end():
    assert valid_through(datetime.datetime(2026, 12, 5, 10, 0, tzinfo=TAIPEI), None) is None


def test_issuing_a_mentor_certificate_sets_its_end_date(teacher, admin_user, time_machine):
    time_machine.move_to(ISSUED_AT)
    mentor = issued(teacher, admin_user)
    advanced = issued(factories.advanced_candidate(), admin_user, "advanced")

    assert mentor.expires_on == datetime.date(2036, 12, 4)
    assert advanced.expires_on is None


def test_a_validity_changed_in_the_settings_applies_to_certificates_issued_afterwards(
    client, teacher, admin_user, time_machine
):
    time_machine.move_to(ISSUED_AT)
    factories.certification_types()
    client.force_login(admin_user)
    response = client.post(
        reverse("certification:settings_type", args=["advanced"]),
        {
            "action": "type",
            "name": "進階專業回饋人才認證",
            "short_name": "進階認證",
            "certificate_letter": "B",
            "training_name": "進階專業回饋人才",
            "review_template_code": "review_advanced",
            "validity_years": "5",
            "is_open": "on",
        },
    )
    assert response.status_code == 302

    certificate = issued(factories.advanced_candidate(), admin_user, "advanced")

    assert certificate.expires_on == datetime.date(2031, 12, 4)
    (entry,) = entries("settings.change")
    assert entry.data["changed"] == {"validity_years": [None, 5]}


@pytest.mark.parametrize("value", ["0", "100", "十", "-3", "2.5"])
def test_a_validity_that_is_not_a_number_of_years_is_refused_in_words(client, admin_user, value):
    factories.certification_types()
    client.force_login(admin_user)
    response = client.post(
        reverse("certification:settings_type", args=["mentor"]),
        {
            "action": "type",
            "name": "教學輔導教師認證",
            "short_name": "教學輔導教師認證",
            "certificate_letter": "C",
            "training_name": "教學輔導教師",
            "review_template_code": "review_mentor",
            "validity_years": value,
            "is_open": "on",
        },
    )

    assert response.status_code == 200
    assert "有效年限請輸入1到99之間的整數年數，或留空表示無期限。" in response.content.decode()
    assert CertificationType.objects.get(code="mentor").validity_years == 10
    assert not entries("settings.change")


def test_the_settings_page_shows_the_validity(client, admin_user):
    factories.certification_types()
    client.force_login(admin_user)
    html = client.get(reverse("certification:settings_type", args=["mentor"])).content.decode()

    assert "有效年限" in html and 'name="validity_years" value="10"' in html


# --- the reminders: the done-when walk --------------------------------------------------------


def test_an_expired_mentor_certificate_reads_expired_after_one_reminder_at_each_offset(
    client, teacher, admin_user, time_machine
):
    time_machine.move_to(ISSUED_AT)
    certificate = issued(teacher, admin_user)
    assert certificate.expires_on == datetime.date(2036, 12, 4)

    # Just before six months ahead: nothing.
    time_machine.move_to("2036-06-03 23:59:00+08:00")
    assert expiry.send_reminders() == 0
    assert expiry_notices(teacher) == [] and expiry_mails(teacher) == []

    # Six months ahead: one message and its email.
    time_machine.move_to(SIX_MONTHS_BEFORE)
    assert expiry.send_reminders() == 1
    six = (
        "教學輔導教師認證證書即將到期",
        f"您的教學輔導教師認證證書（{certificate.number}）有效期限至中華民國125年12月4日，將於6個月後到期。"
        "如需繼續持有證書，請於到期前至認證專區申請「教學輔導教師換證」。",
    )
    assert expiry_notices(teacher) == [six]
    assert expiry_mails(teacher) == ["【教師專業發展支持作業平臺】教學輔導教師認證證書即將到期"]

    # The job again, the same day and weeks later: still one.
    assert expiry.send_reminders() == 0
    time_machine.move_to("2036-08-20 12:00:00+08:00")
    assert expiry.send_reminders() == 0
    assert len(expiry_notices(teacher)) == 1 and len(expiry_mails(teacher)) == 1

    # Just before one month ahead: nothing new; then the second reminder, once.
    time_machine.move_to("2036-11-03 23:59:00+08:00")
    assert expiry.send_reminders() == 0
    time_machine.move_to(ONE_MONTH_BEFORE)
    assert expiry.send_reminders() == 1
    assert expiry.send_reminders() == 0
    notices = expiry_notices(teacher)
    assert len(notices) == 2 and "將於1個月後到期" in notices[1][1]
    assert len(expiry_mails(teacher)) == 2
    assert sorted(certificate.expiry_reminders.values_list("months_before", flat=True)) == [1, 6]

    # The last valid day: still 有效; the day after: 已過期 on the verification page and 個人資訊.
    time_machine.move_to("2036-12-04 23:00:00+08:00")
    assert "已過期" not in client.get(reverse("verify:code", args=[certificate.verify_code])).content.decode()
    time_machine.move_to("2036-12-05 00:01:00+08:00")
    assert expiry.send_reminders() == 0
    verify = client.get(reverse("verify:code", args=[certificate.verify_code])).content.decode()
    assert "已過期" in verify and "中華民國125年12月4日" in verify

    client.force_login(teacher)
    held = client.get(reverse("certification:held")).content.decode()
    assert "有效期限" in held and '中華民國125年12月4日 <span class="badge text-bg-secondary">已過期</span>' in held
    assert len(expiry_notices(teacher)) == 2


def test_the_teacher_reads_the_end_date_while_the_certificate_is_valid(client, teacher, admin_user, time_machine):
    time_machine.move_to(ISSUED_AT)
    issued(teacher, admin_user)
    factories.certificate(teacher, "basic", 104, "A104000811")
    client.force_login(teacher)

    held = client.get(reverse("certification:held")).content.decode()

    assert "中華民國125年12月4日" in held and "已過期" not in held
    assert "無期限" in held  # the 初階 certificate of the old system


def test_each_reminder_is_audited(teacher, admin_user, time_machine):
    time_machine.move_to(ISSUED_AT)
    certificate = issued(teacher, admin_user)
    time_machine.move_to(SIX_MONTHS_BEFORE)
    expiry.send_reminders()

    (entry,) = entries("certificate.expiry_reminder")
    assert entry.actor_id is None and entry.subject_id == teacher.pk
    assert entry.target == f"教學輔導教師認證 {certificate.number}"
    assert entry.data == {"certificate": certificate.pk, "months_before": 6, "expires_on": "2036-12-04"}


# --- which reminders, when --------------------------------------------------------------------


def test_a_certificate_issued_inside_the_six_months_gets_only_the_last_reminder(teacher, time_machine):
    time_machine.move_to("2026-12-05 10:00:00+08:00")
    certificate = factories.issued_certificate(
        teacher, "mentor", issued_at=datetime.datetime(2026, 12, 5, 2, 0, tzinfo=datetime.UTC),
        expires_on=datetime.date(2027, 3, 31),
    )  # fmt: skip

    assert expiry.send_reminders() == 0  # its six-month day (2026-09-30) came before it existed
    time_machine.move_to("2027-02-27 12:00:00+08:00")
    assert expiry.send_reminders() == 0
    time_machine.move_to("2027-02-28 00:10:00+08:00")  # 31 March - 1 month: 28 February
    assert expiry.send_reminders() == 1

    assert list(certificate.expiry_reminders.values_list("months_before", flat=True)) == [1]
    assert len(expiry_notices(teacher)) == 1


def test_a_worker_stopped_for_months_sends_only_the_reminder_whose_time_it_is(teacher, admin_user, time_machine):
    time_machine.move_to(ISSUED_AT)
    certificate = issued(teacher, admin_user)

    time_machine.move_to("2036-11-20 09:00:00+08:00")
    assert expiry.send_reminders() == 1
    assert expiry.send_reminders() == 0

    assert list(certificate.expiry_reminders.values_list("months_before", flat=True)) == [1]
    assert "將於1個月後到期" in expiry_notices(teacher)[0][1]


def test_a_revoked_or_expired_certificate_is_reminded_of_nothing(teacher, taichung_teacher, time_machine):
    time_machine.move_to(SIX_MONTHS_BEFORE)
    revoked = factories.issued_certificate(
        teacher, "mentor", expires_on=datetime.date(2036, 12, 4), revoked_at=datetime.datetime.now(datetime.UTC)
    )
    factories.issued_certificate(taichung_teacher, "mentor", serial=2, expires_on=datetime.date(2036, 6, 3))

    assert expiry.send_reminders() == 0
    assert not ExpiryReminder.objects.exists()
    assert revoked.expiry_reminders.count() == 0


def test_a_certificate_without_an_end_is_never_reminded(teacher, time_machine):
    factories.issued_certificate(teacher, "advanced")
    time_machine.move_to("2036-12-01 10:00:00+08:00")

    assert expiry.send_reminders() == 0


@pytest.mark.parametrize(
    ("expires_on", "day", "due"),
    [
        # Month ends: 31 August - 6 months is 29 February in a leap year.
        (datetime.date(2036, 8, 31), datetime.date(2036, 2, 28), None),
        (datetime.date(2036, 8, 31), datetime.date(2036, 2, 29), 6),
        (datetime.date(2036, 8, 31), datetime.date(2036, 7, 30), 6),
        (datetime.date(2036, 8, 31), datetime.date(2036, 7, 31), 1),
        (datetime.date(2036, 8, 31), datetime.date(2036, 8, 31), 1),
        (datetime.date(2036, 8, 31), datetime.date(2036, 9, 1), None),
    ],
)
def test_which_reminder_is_due_on_a_day(expires_on, day, due):
    certificate = Certificate(expires_on=expires_on, issued_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC))
    assert expiry.reminder_due(certificate, day) == due


def test_the_job_finds_the_month_end_cases_the_day_they_are_due(teacher, time_machine):
    certificate = factories.issued_certificate(teacher, "mentor", expires_on=datetime.date(2036, 8, 31))
    time_machine.move_to("2036-02-29 08:00:00+08:00")

    assert expiry.send_reminders() == 1
    assert list(certificate.expiry_reminders.values_list("months_before", flat=True)) == [6]


def test_the_offsets_are_a_setting(teacher, settings, time_machine):
    settings.CERTIFICATE_EXPIRY_REMINDERS = (3,)
    certificate = factories.issued_certificate(teacher, "mentor", expires_on=datetime.date(2036, 12, 4))
    time_machine.move_to(SIX_MONTHS_BEFORE)
    assert expiry.send_reminders() == 0

    time_machine.move_to("2036-09-04 08:00:00+08:00")
    assert expiry.send_reminders() == 1
    assert list(certificate.expiry_reminders.values_list("months_before", flat=True)) == [3]


def test_the_worker_runs_the_job(teacher, time_machine):
    job = next(job for job in worker.JOBS if job.function is expiry.send_reminders)
    assert 0 < job.every_seconds <= 3600
    certificate = factories.issued_certificate(teacher, "mentor", expires_on=datetime.date(2036, 12, 4))
    time_machine.move_to(SIX_MONTHS_BEFORE)

    call_command("run_worker", "--once")

    assert certificate.expiry_reminders.count() == 1


# --- two workers at once ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once (SKIP LOCKED) need PostgreSQL")
def test_two_workers_at_once_send_each_reminder_once(time_machine, monkeypatch):
    teachers = [factories.teacher(name=f"教師{n}", account=f"t-expiry-{n}", verified=True) for n in range(6)]
    certificates = [
        factories.issued_certificate(user, "mentor", serial=n + 1, expires_on=datetime.date(2036, 12, 4))
        for n, user in enumerate(teachers)
    ]
    time_machine.move_to(SIX_MONTHS_BEFORE)
    # Both workers have read the same candidates before either sends anything.
    both_read = threading.Barrier(2, timeout=10)
    candidates = expiry._candidates

    def read_then_wait(on_day):
        found = candidates(on_day)
        both_read.wait()
        return found

    monkeypatch.setattr(expiry, "_candidates", read_then_wait)
    sent = side_by_side(expiry.send_reminders)

    assert sum(sent) == len(certificates)
    assert ExpiryReminder.objects.count() == len(certificates)
    for user in teachers:
        assert len(expiry_notices(user)) == 1 and len(expiry_mails(user)) == 1


def test_a_type_without_a_renewal_type_is_reminded_in_general_words(teacher, time_machine):
    factories.issued_certificate(teacher, "advanced", expires_on=datetime.date(2036, 12, 4))
    time_machine.move_to(SIX_MONTHS_BEFORE)

    assert expiry.send_reminders() == 1
    [(title, body)] = expiry_notices(teacher)
    assert title == "進階專業回饋人才認證證書即將到期"
    assert body.endswith("將於6個月後到期。如需繼續持有證書，請於到期前依規定辦理換證。")


def test_the_migration_gives_mentor_its_years_and_its_issued_certificates_their_end(teacher, taichung_teacher):
    from django.apps import apps

    migration = importlib.import_module("proteacher.certification.migrations.0017_certificate_expiry")
    factories.certification_types()
    CertificationType.objects.filter(code="mentor").update(validity_years=None)
    issued_here = factories.issued_certificate(
        teacher, "mentor", issued_at=datetime.datetime(2024, 2, 29, 1, 0, tzinfo=datetime.UTC)
    )
    imported = factories.certificate(taichung_teacher, "mentor", 100, "C100000001")

    migration.mentor_validity(apps, None)

    assert CertificationType.objects.get(code="mentor").validity_years == 10
    issued_here.refresh_from_db()
    imported.refresh_from_db()
    assert issued_here.expires_on == datetime.date(2034, 2, 28)
    assert imported.expires_on is None
