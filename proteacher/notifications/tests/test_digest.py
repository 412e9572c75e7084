"""每日彙整 and 僅站內訊息: optional notices follow the person's choice, notices with legal weight
always go by email at once; the day's digest is one email, made once also by two workers."""

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from proteacher.notifications import digest, outbox, preferences, services
from proteacher.notifications.models import DailyDigest, Delivery, Notification, OutgoingMail
from proteacher.notifications.tests.test_outbox import in_thread
from proteacher.testing.smtp import running_smtp_server, use_smtp_server
from proteacher.worker import JOBS

TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")
SUBJECT = "【教師專業發展支持作業平臺】{}"
MORNING = datetime.datetime(2026, 12, 7, 9, 0, tzinfo=TAIPEI)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two workers racing for one row need PostgreSQL"
)


def subjects(server) -> list[str]:
    return [message.subject for message in server.messages]


def notify_optional(user, titles, at):
    for title in titles:
        services.notify(user, title, f"{title}的內容。", at=at, optional=True)


@pytest.mark.django_db
def test_a_digest_reader_gets_one_email_for_three_optional_notices_and_a_decision_at_once(
    settings, walk, case_of, teacher
):
    settings.NOTICE_DIGEST_HOUR = 17
    preferences.choose(teacher, Delivery.DIGEST)
    with running_smtp_server() as server, time_machine.travel(MORNING) as clock:
        use_smtp_server(settings, server.host, server.port)
        case = walk.to(case_of(), "appeal_resubmit")  # 送出審查文件 … 初審未通過, 申復, 受理
        walk.take(case, "appeal_resubmit")
        call_command("run_worker", "--once")

        # The decisions went at once; the three receipts are held for the evening.
        decisions = [
            SUBJECT.format("進階專業回饋人才認證形式審查通過"),
            SUBJECT.format("初審進階專業回饋人才認證未通過"),
            SUBJECT.format("申請進階認證申復申請案受理"),
        ]
        assert sorted(subjects(server)) == sorted(decisions)
        receipts = [
            "進階專業回饋人才認證已收到送審文件",
            "申請進階認證已收到申復申請",
            "申請進階認證已收到申復重新送審資料",
        ]
        held = Notification.objects.filter(recipient=teacher, delivery=Delivery.DIGEST)
        assert sorted(held.values_list("title", flat=True)) == sorted(receipts)
        assert not OutgoingMail.objects.filter(notification__in=held).exists()

        # Not before the hour, however often the worker runs.
        clock.move_to(MORNING.replace(hour=16, minute=59))
        call_command("run_worker", "--once")
        assert len(server.messages) == 3

        clock.move_to(MORNING.replace(hour=17, minute=0, second=30))
        call_command("run_worker", "--once")  # makes the digest
        call_command("run_worker", "--once")  # sends it; the digest job finds today's made
        assert digest.send_digests() == 0

        assert len(server.messages) == 4
        mail = server.messages[-1]
        assert mail.subject == SUBJECT.format("每日訊息彙整 2026-12-07（3 則）")
        assert mail.rcpt_tos == ["t-huang@school.example.tw"]
        text = mail.text.replace("\r\n", "\n")
        assert "黃測試老師 您好：" in text and "共 3 則" in text
        for number, title in enumerate(receipts, start=1):
            assert f"{number}. {title}（2026-12-07 09:00）" in text
        for message in held:
            assert settings.SITE_URL + reverse("notifications:detail", args=[message.pk]) in text
        assert mail.message["Message-ID"].startswith("<outbox-")

    assert DailyDigest.objects.filter(user=teacher).count() == 1
    assert set(held.values_list("digest__day", flat=True)) == {datetime.date(2026, 12, 7)}


@pytest.mark.django_db
def test_a_notice_held_after_the_days_digest_waits_for_the_next_day(settings, teacher, mailoutbox):
    settings.NOTICE_DIGEST_HOUR = 17
    preferences.choose(teacher, Delivery.DIGEST)
    with time_machine.travel(MORNING) as clock:
        notify_optional(teacher, ["第一則"], MORNING)
        clock.move_to(MORNING.replace(hour=18))
        assert digest.send_digests() == 1
        notify_optional(teacher, ["晚到的一則"], MORNING.replace(hour=19))
        assert digest.send_digests() == 0
        clock.move_to(MORNING + datetime.timedelta(days=1, hours=8, minutes=1))
        assert digest.send_digests() == 1

    digests = list(DailyDigest.objects.order_by("day").select_related("mail"))
    assert [d.day for d in digests] == [datetime.date(2026, 12, 7), datetime.date(2026, 12, 8)]
    assert "第一則" in digests[0].mail.body and "晚到的一則" not in digests[0].mail.body
    assert "晚到的一則" in digests[1].mail.body and "第一則" not in digests[1].mail.body


@pytest.mark.django_db
def test_nothing_held_no_digest(settings, teacher):
    settings.NOTICE_DIGEST_HOUR = 17
    preferences.choose(teacher, Delivery.DIGEST)
    services.notify(teacher, "初審進階專業回饋人才認證未通過", "內容")  # legal weight: at once
    with time_machine.travel(MORNING.replace(hour=20)):
        assert digest.send_digests() == 0
    assert not DailyDigest.objects.exists()
    assert OutgoingMail.objects.count() == 1


@pytest.mark.django_db
def test_a_message_read_before_the_digest_is_still_listed(settings, teacher):
    settings.NOTICE_DIGEST_HOUR = 17
    preferences.choose(teacher, Delivery.DIGEST)
    with time_machine.travel(MORNING) as clock:
        notify_optional(teacher, ["已讀過的一則"], MORNING)
        services.mark_read(Notification.objects.get())
        clock.move_to(MORNING.replace(hour=17))
        assert digest.send_digests() == 1
    assert "已讀過的一則" in OutgoingMail.objects.get().body


@pytest.mark.django_db
def test_in_app_only_makes_no_mail_for_optional_notices_and_still_mails_legal_ones(
    settings, walk, case_of, teacher, client
):
    preferences.choose(teacher, Delivery.IN_APP)
    case = case_of()
    walk.take(case, "submit")
    walk.take(case, "formal_return", reason="缺少認證檢核表")
    with time_machine.travel(MORNING.replace(hour=23)):
        assert digest.send_digests() == 0

    receipt = Notification.objects.get(title="進階專業回饋人才認證已收到送審文件")
    returned = Notification.objects.get(title="申請進階專業回饋人才認證退件")
    assert receipt.optional and receipt.delivery == Delivery.IN_APP
    assert not returned.optional and returned.delivery == Delivery.IMMEDIATE
    assert list(OutgoingMail.objects.values_list("notification", flat=True)) == [returned.pk]

    client.force_login(teacher)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "未寄送 (僅站內)" in page and "寄送中" in page
    detail = client.get(reverse("notifications:detail", args=[receipt.pk])).content.decode()
    assert 'E-MAIL寄送狀態：<span class="mail-state">未寄送 (僅站內)</span>' in detail


@pytest.mark.django_db
def test_the_inbox_says_held_then_the_digests_state(settings, teacher, client, mailoutbox):
    settings.NOTICE_DIGEST_HOUR = 17
    preferences.choose(teacher, Delivery.DIGEST)
    inbox = reverse("notifications:inbox")
    with time_machine.travel(MORNING) as clock:
        client.force_login(teacher)
        notify_optional(teacher, ["收件通知"], MORNING)
        assert "將於每日彙整寄送" in client.get(inbox).content.decode()
        clock.move_to(MORNING.replace(hour=17, minute=5))
        client.force_login(teacher)  # a session idle since the morning has ended
        digest.send_digests()
        assert "寄送中 (每日彙整)" in client.get(inbox).content.decode()
        outbox.send_due_mail()
        assert "已寄送 (每日彙整)" in client.get(inbox).content.decode()
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_optional_notices_go_at_once_by_default_and_legal_ones_ignore_the_choice(teacher, taichung_teacher):
    preferences.choose(taichung_teacher, Delivery.IN_APP)
    services.notify_many(
        [
            services.Message(teacher, "收件通知", "內容", optional=True),
            services.Message(taichung_teacher, "收件通知", "內容", optional=True),
            services.Message(taichung_teacher, "審查結果", "內容"),
        ]
    )
    assert sorted(OutgoingMail.objects.values_list("to", "subject")) == [
        ("t-huang@school.example.tw", SUBJECT.format("收件通知")),
        ("t-lin@school.example.tw", SUBJECT.format("審查結果")),
    ]


def test_the_digest_is_a_worker_job():
    assert any(job.function is digest.send_digests for job in JOBS)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_digest_hour_make_one_digest_per_person(settings):
    from proteacher.testing import factories

    settings.NOTICE_DIGEST_HOUR = 17
    people = [factories.teacher(name=f"老師{n}", account=f"t-digest-{n}") for n in range(5)]
    for person in people:
        preferences.choose(person, Delivery.DIGEST)
        notify_optional(person, ["收件一", "收件二", "收件三"], MORNING)
    start = threading.Barrier(2)

    def worker():
        start.wait()
        return digest.send_digests()

    with time_machine.travel(MORNING.replace(hour=17, minute=1)):
        threads = [in_thread(worker) for _ in range(2)]
        for thread, _ in threads:
            thread.join(timeout=60)
    outcomes = [outcome for _, outcome in threads]
    assert all("error" not in outcome for outcome in outcomes), outcomes
    assert sum(outcome["value"] for outcome in outcomes) == 5

    assert DailyDigest.objects.count() == 5
    mails = list(OutgoingMail.objects.order_by("to"))
    assert len(mails) == 5 and len({mail.to for mail in mails}) == 5
    assert all("共 3 則" in mail.body for mail in mails)
    assert not Notification.objects.filter(digest__isnull=True).exists()

    with running_smtp_server() as server, time_machine.travel(MORNING.replace(hour=17, minute=2)):
        use_smtp_server(settings, server.host, server.port)
        assert outbox.send_due_mail() == (5, 0)
        assert sorted(message.rcpt_tos[0] for message in server.messages) == [mail.to for mail in mails]
