"""查看表單列表: the 形式審查表 and the rounds' 審查標準表, read-only — for the teacher without the
reviewers' names and only once a round is decided; for the office with names."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proteacher.documents import engine
from proteacher.documents.catalogue import get_template
from proteacher.review.models import Assignment, FormalReview, ReviewRound
from proteacher.testing import factories
from proteacher.testing.workflow import walk as shared_walk

pytestmark = pytest.mark.django_db

TO_FIRST_DECISION = ["submit", "formal_pass", "assign_first", "first_reviews_done"]


def walk(case, actions, teacher, officer, reason=""):
    shared_walk(case, actions, officer, reasons={action: reason for action in actions} if reason else None)


def comment_key(template) -> str:
    """The first free-text box of the 審查標準表, whatever its rows are."""
    return next(f.key for f in engine.form_for(template).fields if f.kind == "textarea")


def review(case, round_code, reviewer, officer, comment, *, submitted=True, minutes=0):
    template = get_template(f"review_{case.certification_type.code}")
    return Assignment.objects.create(
        case=case,
        round=round_code,
        reviewer=reviewer,
        assigned_by=officer,
        assigned_at=timezone.now() + datetime.timedelta(minutes=minutes),
        template_code=template.code,
        template_version=template.version,
        data={comment_key(template): comment} if submitted else {},
        submitted_at=timezone.now() if submitted else None,
    )


@pytest.fixture
def reviewers(db):
    return [
        factories.staff("reviewer-wang", "reviewer", name="王委員"),
        factories.staff("reviewer-li", "reviewer", name="李委員"),
        factories.staff("reviewer-chen", "reviewer", name="陳委員"),
    ]


@pytest.fixture
def case(teacher):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    return case


@pytest.fixture
def revised_case(case, teacher, taipei_officer, reviewers):
    """初審 decided 修正後複審 by two reviewers' forms; a third reviewer never handed theirs in."""
    walk(case, ["submit"], teacher, taipei_officer)
    FormalReview.objects.create(
        case=case,
        officer=taipei_officer,
        passed=True,
        slots={"implementation": {"ok": True, "reason": ""}, "community": {"ok": True, "reason": ""}},
    )
    walk(case, TO_FIRST_DECISION[1:], teacher, taipei_officer)
    review(case, ReviewRound.FIRST, reviewers[0], taipei_officer, "觀察焦點與紀錄的連結清楚。")
    review(case, ReviewRound.FIRST, reviewers[1], taipei_officer, "回饋會談的策略宜具體。", minutes=1)
    review(case, ReviewRound.FIRST, reviewers[2], taipei_officer, "", submitted=False, minutes=2)
    walk(case, ["first_revise"], teacher, taipei_officer, reason="請依委員意見修正觀察紀錄表。")
    return case


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def reviews_page(client, user, case):
    client.force_login(user)
    return client.get(reverse("review:reviews", args=[case.pk]))


def test_the_teacher_reads_each_decided_review_as_committee_member_one_two(client, teacher, revised_case):
    response = reviews_page(client, teacher, revised_case)

    html = response.content.decode()
    text = text_of(html)
    assert response.status_code == 200
    assert "進階審查標準表 初審" in text
    assert "判定結果 修正後複審" in text
    assert "原因訊息 請依委員意見修正觀察紀錄表。" in text
    assert text.index("委員一") < text.index("觀察焦點與紀錄的連結清楚。") < text.index("委員二")
    assert text.index("委員二") < text.index("回饋會談的策略宜具體。")
    assert "委員三" not in text  # not handed in: nothing to read
    for name in ("王委員", "李委員", "陳委員", "reviewer-wang", "臺北市教專中心"):
        assert name not in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<textarea" not in main and "<input" not in main and "<select" not in main


def test_the_office_reads_the_same_forms_with_the_reviewers_names(client, revised_case, taipei_officer, admin_user):
    for user in (taipei_officer, admin_user):
        text = text_of(reviews_page(client, user, revised_case).content.decode())

        assert "王委員" in text and "李委員" in text
        assert "陳委員" not in text
        assert "觀察焦點與紀錄的連結清楚。" in text
        assert "審查人員 臺北市教專中心" in text


def test_a_round_in_progress_stays_with_the_office(client, teacher, case, taipei_officer, reviewers):
    walk(case, TO_FIRST_DECISION, teacher, taipei_officer)
    review(case, ReviewRound.FIRST, reviewers[0], taipei_officer, "尚未判定的意見。")

    teacher_text = text_of(reviews_page(client, teacher, case).content.decode())
    office_text = text_of(reviews_page(client, taipei_officer, case).content.decode())

    assert "尚未判定的意見。" not in teacher_text and "審查標準表" not in teacher_text
    assert "尚未判定的意見。" in office_text


def test_the_second_round_shows_only_after_its_decision(client, teacher, revised_case, taipei_officer, reviewers):
    walk(revised_case, ["resubmit", "assign_second", "second_reviews_done"], teacher, taipei_officer)
    review(revised_case, ReviewRound.SECOND, reviewers[0], taipei_officer, "複審意見：已補充完整。")

    before = text_of(reviews_page(client, teacher, revised_case).content.decode())
    walk(revised_case, ["second_pass"], teacher, taipei_officer)
    after = text_of(reviews_page(client, teacher, revised_case).content.decode())

    assert "進階審查標準表 複審" not in before and "複審意見：已補充完整。" not in before
    assert "進階審查標準表 複審" in after and "複審意見：已補充完整。" in after
    assert "判定結果 通過" in after


def test_the_formal_review_lists_each_slot_with_its_reason(client, teacher, case, taipei_officer):
    walk(case, ["submit"], teacher, taipei_officer)
    FormalReview.objects.create(
        case=case,
        officer=taipei_officer,
        passed=False,
        slots={
            "implementation": {"ok": False, "reason": "缺少學校主管核章。"},
            "community": {"ok": True, "reason": ""},
        },
        reason="請補齊核章後再送出。",
    )
    walk(case, ["formal_return"], teacher, taipei_officer, reason="請補齊核章後再送出。")

    html = reviews_page(client, teacher, case).content.decode()
    text = text_of(html)

    assert "形式審查表" in text
    assert "審查結果 退件 (退回再編輯修正)" in text
    assert "實施證明 否 缺少學校主管核章。" in text
    assert "社群參與證明 是" in text
    assert "原因訊息： 請補齊核章後再送出。" in text
    assert "臺北市教專中心" not in html


def test_the_latest_formal_review_is_the_one_shown(client, teacher, case, taipei_officer):
    walk(case, ["submit"], teacher, taipei_officer)
    FormalReview.objects.create(
        case=case, officer=taipei_officer, passed=False, slots={"implementation": {"ok": False, "reason": "舊的"}}
    )
    walk(case, ["formal_return", "submit"], teacher, taipei_officer)
    FormalReview.objects.create(
        case=case, officer=taipei_officer, passed=True, slots={"implementation": {"ok": True, "reason": ""}}
    )
    walk(case, ["formal_pass"], teacher, taipei_officer)

    text = text_of(reviews_page(client, teacher, case).content.decode())

    assert "審查結果 通過 (準備分發委員)" in text and "舊的" not in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [("other_teacher", 404), ("other_county", 404), ("assigned_reviewer", 404), ("anonymous", 302)],
)
def test_nobody_else_reads_them(client, revised_case, reviewers, taichung_officer, persona, status):
    people = {
        "other_teacher": factories.teacher(name="王其他", account="t-other"),
        "other_county": taichung_officer,
        # Assigned to this very case: their own form is on their own page, never the others'.
        "assigned_reviewer": reviewers[0],
        "anonymous": None,
    }
    if people[persona] is not None:
        client.force_login(people[persona])

    response = client.get(reverse("review:reviews", args=[revised_case.pk]))

    assert response.status_code == status


def test_more_reviews_cost_no_more_queries(client, teacher, revised_case, taipei_officer):
    client.force_login(teacher)
    url = reverse("review:reviews", args=[revised_case.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        extra = factories.staff(f"reviewer-x{number}", "reviewer", name=f"委員{number}")
        review(revised_case, ReviewRound.FIRST, extra, taipei_officer, f"意見{number}", minutes=10 + number)

    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert "委員七" in text_of(response.content.decode())
