"""The 委員's 審查期限: set from the case's period at 分發, shown on 審查案件 and in the office's queue
(期限, 逾期未審), and reminded 7 and 1 days before it and once when it passed, once each."""

import datetime
import re

import pytest
from django.urls import reverse

from proteacher.certification.deadlines import TAIPEI
from proteacher.certification.models import CertificationPeriod, CertificationType, DeadlineReminder
from proteacher.notifications.models import Notification
from proteacher.review import reminders
from proteacher.review.models import Assignment
from proteacher.review.tests.test_assignment import make_reviewer
from proteacher.review.tests.test_reviewing import assigned_case
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

ASSIGNED = datetime.datetime(2026, 10, 1, 9, 0, tzinfo=TAIPEI)  # 115學年度
DUE = datetime.datetime(2026, 10, 22, 9, 0, tzinfo=TAIPEI)  # 21 days later
DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def reviewers(db):
    return [make_reviewer("reviewer-b", "李委員"), make_reviewer("reviewer-c", "陳委員")]


@pytest.fixture
def assigned(teacher, taipei_officer, reviewers, time_machine):
    time_machine.move_to(ASSIGNED - DAY)
    factories.certification_types()
    CertificationPeriod.objects.create(
        certification_type=CertificationType.objects.get(code="advanced"), academic_year=115, review_days=21
    )
    time_machine.move_to(ASSIGNED, tick=False)
    return assigned_case(teacher, taipei_officer, reviewers)


def told(user, title) -> list[str]:
    return list(Notification.objects.filter(recipient=user, title=title).values_list("body", flat=True))


def test_the_due_date_is_set_at_assignment_and_shown_to_the_reviewer(client, assigned, reviewers):
    _, assignments = assigned
    assert {assignment.due_at for assignment in assignments} == {DUE}
    client.force_login(reviewers[0])

    page = text_of(client.get(reverse("review:my_cases")).content.decode())

    assert "審查期限" in page and "115-10-22 09:00" in page and "逾期未審" not in page


def test_reviewers_are_reminded_once_each_and_once_more_when_overdue(
    client, assigned, reviewers, taipei_officer, time_machine
):
    case, (first, second) = assigned
    time_machine.move_to(DUE - 7 * DAY + MINUTE)
    assert reminders.send_reminders() == 2
    assert reminders.send_reminders() == 0
    [body] = told(reviewers[0], "進階認證審查期限提醒")
    assert body == "分發給您的進階專業回饋人才認證（115學年度 初審）請於 115-10-22 09:00 前送出審查標準表。"
    time_machine.move_to(DUE - DAY + MINUTE)
    assert reminders.send_reminders() == 2

    # One hands in; the other is overdue: reminded once, and the office sees it.
    Assignment.objects.filter(pk=first.pk).update(submitted_at=DUE - MINUTE)
    time_machine.move_to(DUE + MINUTE)
    assert reminders.send_reminders() == 1
    assert reminders.send_reminders() == 0
    late = next(user for user in reviewers if user.pk == second.reviewer_id)
    assert len(told(late, "進階認證審查已逾期")) == 1
    assert DeadlineReminder.objects.filter(kind="review").count() == 5

    client.force_login(taipei_officer)
    queue = client.get(reverse("review:queue"), {"overdue": "1"}).content.decode()
    assert f'data-case="{case.pk}"' in queue and "115-10-22 09:00" in queue and "逾期未審" in text_of(queue)
    client.force_login(late)
    assert "逾期未審" in text_of(client.get(reverse("review:my_cases")).content.decode())


def test_the_overdue_filter_leaves_out_cases_on_time(client, assigned, taipei_officer, time_machine):
    case, _ = assigned
    time_machine.move_to(DUE - DAY)
    client.force_login(taipei_officer)

    queue = client.get(reverse("review:queue"), {"overdue": "1"}).content.decode()
    assert f'data-case="{case.pk}"' not in queue
    listed = client.get(reverse("review:queue")).content.decode()
    assert f'data-case="{case.pk}"' in listed and "115-10-22 09:00" in listed


def test_the_office_extends_one_reviewers_due_date_and_the_reminders_follow_it(
    client, assigned, reviewers, taipei_officer, taichung_officer, time_machine
):
    case, (first, _) = assigned
    time_machine.move_to(DUE - 7 * DAY + MINUTE)
    reminders.send_reminders()
    url = reverse("review:extend_review_due", args=[case.pk, first.pk])
    client.force_login(taichung_officer)
    assert client.post(url, {"deadline": "2026-11-05T17:00", "reason": "委員出國"}).status_code == 404

    client.force_login(taipei_officer)
    assert "延長審查期限" in text_of(client.get(reverse("review:case", args=[case.pk])).content.decode())
    refused = client.post(url, {"deadline": "2026-11-05T17:00", "reason": ""}, follow=True)
    assert "延長審查期限請填寫原因訊息。" in text_of(refused.content.decode())
    earlier = client.post(url, {"deadline": "2026-10-20T17:00", "reason": "委員出國"}, follow=True)
    assert "新的審查期限須晚於原期限（115-10-22 09:00）與現在。" in text_of(earlier.content.decode())
    page = client.post(url, {"deadline": "2026-11-05T17:00", "reason": "委員出國"}, follow=True)

    assert "已延長委員審查期限。" in text_of(page.content.decode())
    new_due = datetime.datetime(2026, 11, 5, 17, 0, tzinfo=TAIPEI)
    assert Assignment.objects.get(pk=first.pk).due_at == new_due
    reviewer = next(user for user in reviewers if user.pk == first.reviewer_id)
    [body] = told(reviewer, "進階認證審查期限已延長")
    assert "審查期限已延長為 115-11-05 17:00。" in body and "原因：委員出國" in body
    # The old date's 1-day reminder is not sent; the new date's 7-day one is.
    time_machine.move_to(DUE - DAY + MINUTE)
    assert DeadlineReminder.objects.filter(recipient=reviewer, deadline=new_due).count() == 0
    reminders.send_reminders()
    assert not DeadlineReminder.objects.filter(recipient=reviewer, deadline=DUE, days_before=1).exists()
    time_machine.move_to(new_due - 7 * DAY + MINUTE)
    reminders.send_reminders()
    assert DeadlineReminder.objects.filter(recipient=reviewer, deadline=new_due, days_before=7).count() == 1
