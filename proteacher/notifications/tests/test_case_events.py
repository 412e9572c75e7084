"""Each change of a case tells its teacher: a message and its email, in the change's own transaction."""

import pytest
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State, engine
from proteacher.errors import DomainError
from proteacher.notifications import services
from proteacher.notifications.models import Notification, OutgoingMail

pytestmark = pytest.mark.django_db


TOLD = sorted(step.action for step in workflow.TRANSITIONS if step.notice is not workflow.SILENT)


@pytest.mark.parametrize("action", TOLD)
def test_each_told_action_leaves_one_message_and_one_mail_for_the_teacher(action, walk, case_of, teacher):
    case = walk.to(case_of("advanced"), action)
    before = Notification.objects.count()

    walk.take(case, action, reason="請補充觀察後回饋會談紀錄")

    event = CaseEvent.objects.filter(case=case).last()
    assert event.action == action
    notification = Notification.objects.get(event=event)
    title, body = workflow.notice_of(
        action, case.certification_type, reason="請補充觀察後回饋會談紀錄", appeal_deadline=case.appeal_deadline
    )
    assert (notification.recipient, notification.case, notification.title, notification.body) == (
        teacher,
        case,
        title,
        body,
    )
    assert notification.created_at == event.at and notification.read_at is None
    assert Notification.objects.count() == before + 1
    mail = OutgoingMail.objects.get(notification=notification)
    assert (mail.to, mail.subject, mail.status, mail.attempts) == (
        "t-huang@school.example.tw",
        "【教師專業發展支持作業平臺】" + title,
        OutgoingMail.Status.QUEUED,
        0,
    )
    assert body in mail.body


@pytest.mark.parametrize("type_code", ["basic", "advanced", "mentor"])
def test_a_case_reads_its_own_type(type_code, walk, case_of):
    case = walk.to(case_of(type_code), "formal_return")

    walk.take(case, "formal_return")

    notification = Notification.objects.get(case=case, event__action="formal_return")
    assert notification.title == f"申請{case.certification_type.name}退件"
    if type_code != "advanced":
        assert "進階" not in notification.title + notification.body


@pytest.mark.parametrize("action", ["assign_first", "first_reviews_done"])
def test_internal_steps_tell_nobody(action, walk, case_of):
    case = walk.to(case_of(), action)
    before = (Notification.objects.count(), OutgoingMail.objects.count())

    walk.take(case, action)

    assert (Notification.objects.count(), OutgoingMail.objects.count()) == before


def test_opening_a_case_tells_nobody(case_of):
    case_of()

    assert not Notification.objects.exists() and not OutgoingMail.objects.exists()


def test_the_whole_way_to_a_certificate_is_one_message_per_told_step(walk, case_of, teacher):
    case = walk.to(case_of(), "issue")
    walk.take(case, "issue")

    titles = list(
        Notification.objects.filter(recipient=teacher).order_by("created_at", "id").values_list("title", flat=True)
    )
    assert titles == [
        "進階專業回饋人才認證已收到送審文件",
        "進階專業回饋人才認證形式審查通過",
        "進階專業回饋人才認證通過",
        "進階專業回饋人才認證已公告",
        "進階專業回饋人才認證數位研習證明已核發",
    ]
    assert OutgoingMail.objects.filter(to=teacher.email).count() == 5


def test_the_email_leads_to_the_message(walk, case_of, teacher, settings):
    settings.SITE_URL = "https://proteacher.example.tw"
    case = walk.to(case_of(), "formal_return")

    walk.take(case, "formal_return", reason="缺少認證檢核表")

    notification = Notification.objects.get(event__action="formal_return")
    mail = OutgoingMail.objects.get(notification=notification)
    assert mail.body.startswith("黃測試老師 您好：")
    assert "因您的認證資料有誤，請依形式審查意見補齊後再重新申請認證。\n原因：缺少認證檢核表" in mail.body
    assert "https://proteacher.example.tw" + reverse("notifications:detail", args=[notification.pk]) in mail.body


def test_no_mail_for_a_teacher_without_an_address(walk, case_of, teacher):
    teacher.email = ""
    teacher.save(update_fields=["email"])
    case = walk.to(case_of(), "formal_return")

    walk.take(case, "formal_return")

    assert Notification.objects.filter(recipient=teacher).count() == 2  # 已收到送審文件, 退件
    assert not OutgoingMail.objects.exists()


def test_a_transition_that_fails_after_the_message_leaves_no_message_and_no_mail(walk, case_of, monkeypatch):
    case = walk.to(case_of(), "formal_return")
    before = (Notification.objects.count(), OutgoingMail.objects.count(), case.revision)
    tell = engine._tell

    def told_then_fails(event, notice):
        tell(event, notice)
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "_tell", told_then_fails)
    with pytest.raises(RuntimeError):
        walk.take(case, "formal_return")

    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.revision) == (State.FORMAL_REVIEW, before[2])
    assert (Notification.objects.count(), OutgoingMail.objects.count()) == before[:2]
    assert not CaseEvent.objects.filter(case=case, action="formal_return").exists()


def test_a_refused_transition_tells_nobody(walk, case_of, taichung_officer):
    case = walk.to(case_of(), "formal_return")
    before = (Notification.objects.count(), OutgoingMail.objects.count())

    with pytest.raises(DomainError):  # a 臺中市 officer may not act on a 臺北市 case
        workflow.transition(case, "formal_return", actor=taichung_officer, expected_revision=case.revision)

    assert (Notification.objects.count(), OutgoingMail.objects.count()) == before


def test_notify_serves_other_uses(reviewer):
    notification = services.notify(reviewer, "審查案件分發通知", "您有新的審查案件。")

    assert notification.recipient == reviewer and notification.case is None
    mail = OutgoingMail.objects.get(notification=notification)
    assert (mail.to, mail.subject) == (reviewer.email, "【教師專業發展支持作業平臺】審查案件分發通知")
