"""稽核紀錄: 管理者 searches the audit log by period, action, account, case and teacher, newest
first, a page at a time; every page costs the same queries however long the log."""

import datetime
import re

import pytest
from django.urls import reverse

from proteacher.audit.log import record
from proteacher.certification.deadlines import TAIPEI
from proteacher.review import audit_log

pytestmark = pytest.mark.django_db

URL = reverse("review:audit_log")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def shown(response) -> list[int]:
    return [row.entry.pk for row in response.context["rows"]]


def at(day: str, time: str = "12:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TAIPEI)


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


@pytest.fixture
def log(teacher, taichung_teacher, taipei_officer, reviewer):
    """A small log: a save by the teacher, an officer's look at it, a 委員's, another teacher's save."""
    return {
        "save": record("slot.save", actor=teacher, subject=teacher, case=11, target="軼事紀錄表", at=at("2026-03-01")),
        "look": record(
            "form.view", actor=taipei_officer, subject=teacher, case=11, target="軼事紀錄表", at=at("2026-03-02")
        ),
        "review": record(
            "review.save",
            actor=reviewer,
            subject=teacher,
            case=11,
            target="進階審查標準表（初審）",
            at=at("2026-03-03"),
        ),
        "other": record(
            "slot.save",
            actor=taichung_teacher,
            subject=taichung_teacher,
            case=12,
            target="軼事紀錄表",
            at=at("2026-03-04"),
        ),
    }


def test_the_log_is_listed_newest_first_with_who_what_and_where(client, admin, log, teacher):
    response = client.get(URL)

    assert response.status_code == 200
    assert shown(response) == [log[k].pk for k in ("other", "review", "look", "save")]
    row = next(row for row in response.context["rows"] if row.entry.pk == log["look"].pk)
    assert (row.actor, row.account, row.action, row.teacher) == (
        "臺北市教專中心（縣市）",
        "taipei-officer",
        "檢視表單",
        "黃測試",
    )
    text = text_of(response)
    for heading in ("時間", "帳號", "動作", "對象", "案件", "IP"):
        assert heading in text
    assert "2026-03-02 12:00:00" in text


def test_the_platforms_own_entries_read_system(client, admin):
    record("import.run", target="研習時數（training.csv）")

    assert text_of(client.get(URL)).count("系統") >= 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "form.view"}, ["look"]),
        ({"actor": "taipei-officer"}, ["look"]),
        ({"actor": "王委員"}, ["review"]),
        ({"actor": "t-lin"}, ["other"]),
        ({"case": "11"}, ["review", "look", "save"]),
        ({"teacher": "黃測試"}, ["review", "look", "save"]),
        ({"teacher": "t-huang"}, ["review", "look", "save"]),
        ({"teacher": "黃測試老師", "action": "slot.save"}, ["save"]),
        ({"date_from": "2026-03-02", "date_to": "2026-03-03"}, ["review", "look"]),
        ({"date_to": "2026-03-01"}, ["save"]),
        ({"teacher": "沒有這位"}, []),
    ],
)
def test_each_filter_narrows_the_list(client, admin, log, query, expected):
    response = client.get(URL, query)

    assert response.status_code == 200
    assert shown(response) == [log[k].pk for k in expected]


def test_a_day_is_a_day_in_taipei(client, admin, teacher):
    late = record("slot.save", actor=teacher, at=at("2026-03-01", "23:59"))
    record("slot.save", actor=teacher, at=at("2026-03-02", "00:00"))

    assert shown(client.get(URL, {"date_from": "2026-03-01", "date_to": "2026-03-01"})) == [late.pk]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "2026-02-30"}, "請輸入正確的起日，例如 2026-01-31。"),
        ({"date_from": "2026-03-05", "date_to": "2026-03-01"}, "迄日不可早於起日。"),
        ({"case": "abc"}, "案件編號請輸入數字。"),
        ({"case": "9" * 30}, "沒有這個案件編號。"),
        ({"action": "drop.table"}, "請從清單中選擇動作。"),
    ],
)
def test_bad_input_is_answered_in_words_not_an_error(client, admin, log, query, message):
    response = client.get(URL, query)

    assert response.status_code == 400
    assert message in text_of(response)
    assert shown(response) == []


@pytest.fixture
def long_log(teacher):
    moment = at("2026-03-01")
    # Two entries at every moment: a page may end between two entries of the same moment.
    return [
        record("slot.autosave", actor=teacher, subject=teacher, case=1, at=moment + datetime.timedelta(minutes=n // 2))
        for n in range(120)
    ]


def test_pages_go_older_and_back_newer_without_losing_or_repeating_an_entry(client, admin, long_log):
    newest_first = [entry.pk for entry in sorted(long_log, key=lambda e: (e.at, e.pk), reverse=True)]

    first = client.get(URL)
    second = client.get(first.context["older_url"])
    third = client.get(second.context["older_url"])
    back = client.get(third.context["newer_url"])

    assert shown(first) + shown(second) + shown(third) == newest_first
    assert (len(shown(first)), len(shown(third)), third.context["older_url"]) == (50, 20, "")
    assert shown(back) == shown(second)
    assert first.context["newer_url"] == "" and second.context["newest_url"]


def test_the_filters_stay_in_the_page_links(client, admin, long_log):
    first = client.get(URL, {"action": "slot.autosave", "case": "1"})

    assert "action=slot.autosave" in first.context["older_url"] and "case=1" in first.context["older_url"]


def test_a_page_costs_the_same_queries_with_a_longer_log(
    client, admin, teacher, long_log, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as few:
        client.get(URL, {"teacher": "黃測試"})
    budget = len(few)
    for n in range(200):
        record("form.view", actor=teacher, subject=teacher, case=n, at=at("2026-04-01"))

    older_url = client.get(URL, {"teacher": "黃測試"}).context["older_url"]

    with django_assert_max_num_queries(budget):
        older = client.get(older_url)
    assert len(shown(older)) == audit_log.PAGE_SIZE


@pytest.mark.parametrize("cursor", ["abc", "1-", "9" * 18 + "-1", "-5-3"])
def test_a_page_address_that_cannot_be_read_shows_the_newest(client, admin, log, cursor):
    response = client.get(URL, {"before": cursor})

    assert response.status_code == 200
    assert audit_log.BAD_CURSOR in text_of(response)
    assert shown(response)[0] == log["other"].pk


def test_the_menu_offers_it_to_the_admin_only(client, admin, taipei_officer):
    assert URL in client.get(reverse("portal:workspace")).content.decode()
    client.force_login(taipei_officer)
    assert URL not in client.get(reverse("portal:workspace")).content.decode()
    assert client.get(URL).status_code == 403
