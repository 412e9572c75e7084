"""訊息通知: each signed-in user reads only their own messages; 確認 marks one read; the nav counts the unread."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.notifications import services
from proteacher.notifications.context_processors import unread_notifications
from proteacher.notifications.models import Notification, OutgoingMail

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")
# Session, user, the unread count checked against the kept one, the page's count and rows, and the
# session saved again (its idle time started, accounts.idle: savepoint, update, release).
MOST_QUERIES = 8


def message(user, title="進階專業回饋人才認證通過", body="感謝您申請進階專業回饋人才認證。", at=None, read=False):
    notification = services.notify(user, title, body, at=at)
    if read:
        services.mark_read(notification)
    return notification


def rows(page: str) -> list[str]:
    return re.findall(r"<tr[^>]*>\s*<td[^>]*>.*?</tr>", page, flags=re.S)


def test_the_list_shows_title_content_and_taipei_time(client, teacher):
    message(
        teacher,
        title="申請進階專業回饋人才認證退件",
        body="感謝您申請進階專業回饋人才認證，因您的認證資料有誤，請依形式審查意見補齊後再重新申請認證。",
        at=datetime.datetime(2020, 2, 25, 2, 0, tzinfo=datetime.UTC),
    )
    client.force_login(teacher)

    page = client.get(INBOX).content.decode()

    assert 'aria-label="頁面路徑"' in page and ">訊息通知</li>" in page
    assert '<th scope="col">標題</th><th scope="col">內容</th>' in page and ">時間</th>" in page
    assert "申請進階專業回饋人才認證退件" in page
    assert "2020-02-25 10:00" in page
    # 內容 is shortened in the list; the whole text is on the message's page.
    assert "感謝您申請進階專業回饋人才認證，因您的認證資料有誤，請依形式審查意見補齊後再重…" in page
    assert "重新申請認證。" not in page


def test_newest_first_and_unread_marked(client, teacher):
    message(teacher, title="第一則", at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC), read=True)
    message(teacher, title="第二則", at=datetime.datetime(2020, 1, 2, tzinfo=datetime.UTC))
    client.force_login(teacher)

    listed = rows(client.get(INBOX).content.decode())

    assert len(listed) == 2
    assert "第二則" in listed[0] and 'class="fw-bold"' in listed[0] and "未讀" in listed[0]
    assert "第一則" in listed[1] and "fw-bold" not in listed[1] and "未讀" not in listed[1]


def test_a_user_sees_only_their_own(client, teacher, taichung_teacher):
    message(teacher, title="黃老師的訊息")
    message(taichung_teacher, title="林老師的訊息")
    client.force_login(teacher)

    page = client.get(INBOX).content.decode()

    assert "黃老師的訊息" in page and "林老師的訊息" not in page


def test_empty_inbox(client, taipei_officer):
    client.force_login(taipei_officer)

    assert "目前沒有訊息。" in client.get(INBOX).content.decode()


def test_the_list_is_paginated(client, teacher):
    start = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    for number in range(25):
        message(teacher, title=f"訊息{number:02d}", at=start + datetime.timedelta(hours=number))
    client.force_login(teacher)

    first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()

    assert len(rows(first)) == 20 and "訊息24" in first and "訊息04" not in first
    assert len(rows(second)) == 5 and "訊息04" in second and "訊息00" in second
    assert "第 1 頁，共 2 頁" in first


def test_anonymous_visitors_are_sent_to_login(client, teacher):
    notification = message(teacher)

    for url in (INBOX, reverse("notifications:detail", args=[notification.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_message_page_shows_the_whole_content_and_confirm(client, teacher):
    notification = message(
        teacher,
        title="進階專業回饋人才認證請修正送複審",
        body="感謝您申請進階專業回饋人才認證，您的初審結果為修正後複審。\n原因：請補充觀察後回饋會談紀錄",
        at=datetime.datetime(2019, 12, 18, 1, 30, tzinfo=datetime.UTC),
    )
    client.force_login(teacher)

    page = client.get(reverse("notifications:detail", args=[notification.pk])).content.decode()

    assert "<title>進階專業回饋人才認證請修正送複審 - 教師專業發展支持作業平臺</title>" in page
    assert "訊息內容" in page
    assert "您的初審結果為修正後複審。<br>原因：請補充觀察後回饋會談紀錄" in page
    assert "2019-12-18 09:30" in page
    assert "E-MAIL會同步通知" in page
    assert ">確認</button>" in page
    assert Notification.objects.get(pk=notification.pk).read_at is None  # reading alone is not 確認


def test_confirm_marks_read_and_returns_to_the_list(client, teacher):
    notification = message(teacher)
    client.force_login(teacher)

    response = client.post(reverse("notifications:detail", args=[notification.pk]))

    assert response.status_code == 302 and response["Location"] == INBOX
    first_read = Notification.objects.get(pk=notification.pk).read_at
    assert first_read is not None
    client.post(reverse("notifications:detail", args=[notification.pk]))  # a second click keeps the time
    assert Notification.objects.get(pk=notification.pk).read_at == first_read


def test_another_users_message_is_not_found(client, teacher, taichung_teacher):
    theirs = message(taichung_teacher)
    client.force_login(teacher)
    url = reverse("notifications:detail", args=[theirs.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_case_message_links_the_teacher_to_the_case(client, teacher):
    from proteacher.testing import factories

    case = factories.case(teacher, "advanced")
    notification = services.notify(teacher, "進階專業回饋人才認證通過", "感謝您申請。", case=case)
    client.force_login(teacher)

    page = client.get(reverse("notifications:detail", args=[notification.pk])).content.decode()

    assert reverse("certification:case", args=[case.pk]) in page


def test_the_navigation_counts_the_unread(client, teacher):
    for _ in range(3):
        message(teacher)
    message(teacher, read=True)
    client.force_login(teacher)

    page = client.get(reverse("portal:home")).content.decode()

    assert re.search(
        r'href="/messages/">訊息通知 <span class="badge[^"]*">3<span class="visually-hidden"> 則未讀</span>', page
    )


def test_confirming_lowers_the_count_and_none_left_shows_no_badge(client, teacher):
    notification = message(teacher)
    client.force_login(teacher)
    assert '1<span class="visually-hidden"> 則未讀' in client.get(INBOX).content.decode()

    client.post(reverse("notifications:detail", args=[notification.pk]))

    page = client.get(INBOX).content.decode()
    assert "則未讀" not in page and 'href="/messages/">訊息通知</a>' in page
    assert 'class="nav-link active" aria-current="page" href="/messages/"' in page


def test_the_count_is_the_users_own(client, teacher, taichung_teacher):
    message(taichung_teacher)
    client.force_login(teacher)

    assert "則未讀" not in client.get(reverse("portal:home")).content.decode()


def test_no_query_for_a_visitor_who_has_not_signed_in(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert unread_notifications(request) == {}


def test_the_count_comes_with_the_user_and_costs_no_query(teacher, django_assert_num_queries):
    message(teacher)
    message(teacher)
    teacher.refresh_from_db()
    request = RequestFactory().get("/")
    request.user = teacher

    with django_assert_num_queries(0):
        assert unread_notifications(request) == {"unread_notification_count": 2}


def test_the_kept_count_follows_every_delivery_and_reading(teacher, taichung_teacher):
    first, second = message(teacher), message(teacher)
    message(taichung_teacher)
    services.mark_read(first)
    services.mark_read(first)  # a second 確認 (another tab) lowers nothing

    teacher.refresh_from_db()
    taichung_teacher.refresh_from_db()
    assert (teacher.unread_notifications, taichung_teacher.unread_notifications) == (1, 1)
    services.mark_read(Notification.objects.get(pk=second.pk))
    teacher.refresh_from_db()
    assert teacher.unread_notifications == 0


def test_the_list_sets_a_drifted_count_right(client, teacher):
    message(teacher)
    Notification.objects.filter(recipient=teacher).delete()  # as when a message goes with its case
    client.force_login(teacher)
    assert '1<span class="visually-hidden"> 則未讀' in client.get(reverse("portal:home")).content.decode()

    page = client.get(INBOX).content.decode()

    assert "則未讀" not in page
    teacher.refresh_from_db()
    assert teacher.unread_notifications == 0


def queries_for_inbox(client) -> int:
    client.get(INBOX)  # the first request may warm per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(INBOX)
    assert response.status_code == 200
    return len(captured)


def test_the_inbox_costs_the_same_for_two_messages_or_a_full_page(client, teacher, django_assert_max_num_queries):
    client.force_login(teacher)
    for _ in range(2):
        message(teacher)
    with_two = queries_for_inbox(client)

    for _ in range(40):
        message(teacher)
    with_forty_two = queries_for_inbox(client)

    assert with_two == with_forty_two
    with django_assert_max_num_queries(MOST_QUERIES):
        client.get(INBOX)


def test_each_message_says_whether_its_email_was_sent(client, teacher):
    states = {"寄出的": OutgoingMail.Status.SENT, "失敗的": OutgoingMail.Status.FAILED, "排隊的": None}
    for title, status in states.items():
        notification = message(teacher, title=title)
        if status:
            OutgoingMail.objects.filter(notification=notification).update(status=status)
    teacher.email = ""
    teacher.save(update_fields=["email"])
    unmailed = message(teacher, title="沒有信箱的")
    client.force_login(teacher)

    listed = {re.search(r">([^<]+)</a>", row)[1]: row for row in rows(client.get(INBOX).content.decode())}

    assert "已寄送" in listed["寄出的"] and "寄送失敗" in listed["失敗的"]
    assert "寄送中" in listed["排隊的"] and "未寄送" in listed["沒有信箱的"]
    detail = client.get(reverse("notifications:detail", args=[unmailed.pk])).content.decode()
    assert "E-MAIL寄送狀態：" in detail and ">未寄送<" in detail and "E-MAIL會同步通知" not in detail
