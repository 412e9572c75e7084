"""分發委員 for one case: who is offered, who is refused, loads, and the move to the round's review."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts.models import Role, User
from proteacher.certification import services as certification_services
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.review import assignment as services
from proteacher.review.models import Assignment, Reviewer, ReviewRound
from proteacher.testing import factories
from proteacher.testing.workflow import walk

pytestmark = pytest.mark.django_db

# The way to each queue of 分發委員 from a sent case (after 通過 of 形式審查), as the workflow allows.
PATHS = {
    State.FIRST_ASSIGN: [],
    State.SECOND_ASSIGN: ["assign_first", "first_reviews_done", "first_revise", "resubmit"],
    State.APPEAL_ASSIGN: [
        "assign_first",
        "first_reviews_done",
        "first_fail",
        "appeal",
        "appeal_accept",
        "appeal_resubmit",
    ],
}


def advance(case, officer, *actions):
    """Move a case by workflow actions, each taken by whoever the table lets take it."""
    return walk(case, actions, officer)


def waiting_case(teacher, officer, state=State.FIRST_ASSIGN, type_code="advanced"):
    """A teacher's case, every form filled, sent and passed, in the given 分發委員 queue."""
    case = factories.case(teacher, type_code)
    factories.fill_every_slot(case)
    advance(case, officer, "submit", "formal_pass", *PATHS[state])
    assert case.state == state
    return case


def make_reviewer(username, name, school=None, *, record=True, active=True):
    """A 委員 account, with its Reviewer row (服務學校) unless `record` is False."""
    user = factories.staff(username, Role.REVIEWER, name=name)
    if record:
        Reviewer.objects.create(user=user, school=school, is_active=active)
    return user


def school_of(teacher):
    return teacher.profile.school


@pytest.fixture
def case(teacher, taipei_officer):
    return waiting_case(teacher, taipei_officer)


@pytest.fixture
def colleague(teacher):
    """A 委員 working at the teacher's school."""
    return make_reviewer("reviewer-colleague", "同校委員", school_of(teacher))


@pytest.fixture
def outsiders(db):
    other = factories.school("臺北市立建國高級中學")
    return [make_reviewer("reviewer-b", "李委員", other), make_reviewer("reviewer-c", "陳委員", other)]


# --- the service --------------------------------------------------------------------------------


def test_assigning_creates_the_rows_and_moves_the_case_to_first_review(case, taipei_officer, outsiders):
    services.assign_reviewers(case, ReviewRound.FIRST, outsiders, taipei_officer, expected_revision=case.revision)

    case.refresh_from_db()
    assert case.state == State.FIRST_REVIEW
    rows = Assignment.objects.filter(case=case).order_by("reviewer__username")
    assert [(a.round, a.reviewer, a.assigned_by, a.submitted_at) for a in rows] == [
        (ReviewRound.FIRST, outsiders[0], taipei_officer, None),
        (ReviewRound.FIRST, outsiders[1], taipei_officer, None),
    ]
    assert {(a.template_code, a.template_version) for a in rows} == {("review_advanced", 1)}
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.actor, event.from_state, event.to_state) == (
        "assign_first",
        taipei_officer,
        State.FIRST_ASSIGN,
        State.FIRST_REVIEW,
    )


@pytest.mark.parametrize(
    "state, round, action, review_state",
    [
        (State.SECOND_ASSIGN, ReviewRound.SECOND, "assign_second", State.SECOND_REVIEW),
        (State.APPEAL_ASSIGN, ReviewRound.APPEAL, "assign_appeal", State.APPEAL_REVIEW),
    ],
)
def test_the_round_follows_the_queue(teacher, taipei_officer, outsiders, state, round, action, review_state):
    case = waiting_case(teacher, taipei_officer, state)
    assert services.round_to_assign(case) == round

    services.assign_reviewers(
        case, round, outsiders[:1], taipei_officer, expected_revision=case.revision, short_confirmed=True
    )

    case.refresh_from_db()
    assert case.state == review_state
    assert Assignment.objects.get(case=case).round == round
    assert CaseEvent.objects.filter(case=case).last().action == action


def test_the_basic_type_gets_its_own_form(taipei_officer, outsiders):
    case = waiting_case(factories.teacher(name="初階師", account="t-basic"), taipei_officer, type_code="basic")
    services.assign_reviewers(
        case, ReviewRound.FIRST, outsiders[:1], taipei_officer, expected_revision=case.revision, short_confirmed=True
    )
    assert Assignment.objects.get(case=case).template_code == "review_basic"


def test_the_form_is_the_one_the_type_names_in_its_settings(case, taipei_officer, outsiders):
    certification_services.update_type(case.certification_type, review_template_code="review_mentor")

    services.assign_reviewers(
        case, ReviewRound.FIRST, outsiders[:1], taipei_officer, expected_revision=case.revision, short_confirmed=True
    )

    assert Assignment.objects.get(case=case).template_code == "review_mentor"


def test_a_type_without_a_reviewers_form_is_not_assigned(case, taipei_officer, outsiders):
    certification_services.update_type(case.certification_type, review_template_code="")

    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(
            case, ReviewRound.FIRST, outsiders[:1], taipei_officer, case.revision, short_confirmed=True
        )

    assert refused.value.message == "「進階專業回饋人才認證」尚未設定審查標準表，無法分發委員。"
    assert_unchanged(case, case.revision)


def assert_unchanged(case, revision):
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.state, fresh.revision) == (State.FIRST_ASSIGN, revision)
    assert not Assignment.objects.filter(case=case).exists()


def test_a_reviewer_who_is_the_teacher_is_refused(case, teacher, taipei_officer):
    # The teacher's own account later made a 委員 account.
    User.objects.filter(pk=teacher.pk).update(role=Role.REVIEWER)
    teacher.refresh_from_db()

    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(case, ReviewRound.FIRST, [teacher], taipei_officer, expected_revision=case.revision)

    assert refused.value.message == "「黃測試」無法分發：委員即為申請教師本人，不能審查自己的申請。"
    assert_unchanged(case, case.revision)


def test_a_reviewer_with_the_teachers_inservice_account_is_refused(case, taipei_officer):
    twin = make_reviewer("reviewer-twin", "黃測試")
    twin.inservice_account = "T-HUANG"  # the teacher's 全教網帳號 is t-huang
    twin.save()

    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(case, ReviewRound.FIRST, [twin], taipei_officer, expected_revision=case.revision)

    assert "委員即為申請教師本人（相同全教網帳號）" in refused.value.message
    assert_unchanged(case, case.revision)


def test_a_reviewer_from_the_teachers_school_is_refused(case, taipei_officer, colleague, outsiders):
    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(
            case, ReviewRound.FIRST, [outsiders[0], colleague], taipei_officer, expected_revision=case.revision
        )

    assert refused.value.message == (
        "「同校委員」無法分發：委員服務於申請教師的學校（臺北市立測試國小），不能審查同校教師的申請。"
    )
    assert_unchanged(case, case.revision)


def test_at_least_one_reviewer(case, taipei_officer):
    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(case, ReviewRound.FIRST, [], taipei_officer, expected_revision=case.revision)
    assert refused.value.message == "請至少選擇一位委員。"


def test_a_paused_reviewer_is_refused(case, taipei_officer):
    paused = make_reviewer("reviewer-paused", "暫停委員", active=False)
    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(case, ReviewRound.FIRST, [paused], taipei_officer, expected_revision=case.revision)
    assert refused.value.message == "「暫停委員」無法分發：此委員目前暫停分發。"


def test_a_stale_page_is_refused_and_writes_nothing(case, taipei_officer, outsiders):
    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(
            case, ReviewRound.FIRST, outsiders, taipei_officer, expected_revision=case.revision - 1
        )
    assert refused.value.message == "此頁面的資料已經更新，請重新整理後再操作。"
    assert_unchanged(case, case.revision)


def test_a_double_click_is_refused_with_the_state_and_no_duplicate_rows(case, taipei_officer, outsiders):
    # Both clicks loaded the case before the first one was done.
    first_click, second_click = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    services.assign_reviewers(first_click, ReviewRound.FIRST, outsiders, taipei_officer, case.revision)

    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(second_click, ReviewRound.FIRST, outsiders, taipei_officer, case.revision)

    assert refused.value.message == "此申請已經處理過，目前的狀態為「初審」。"
    assert Assignment.objects.filter(case=case).count() == 2
    assert CaseEvent.objects.filter(case=case, action="assign_first").count() == 1


def test_the_wrong_state_is_refused(teacher, taipei_officer, outsiders):
    case = factories.case(teacher)
    factories.fill_every_slot(case)
    advance(case, taipei_officer, "submit")

    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(case, ReviewRound.FIRST, outsiders, taipei_officer, expected_revision=case.revision)

    assert refused.value.message == "此申請目前的狀態為「形式審查」，無法執行「分發委員」。"
    assert not Assignment.objects.exists()


def test_an_officer_of_another_county_is_refused(case, taichung_officer, outsiders):
    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(case, ReviewRound.FIRST, outsiders, taichung_officer, expected_revision=case.revision)
    assert refused.value.message == "您沒有執行此操作的權限。"
    assert not Assignment.objects.exists()


def test_a_reviewer_without_a_reviewer_row_gets_one_when_assigned(case, taipei_officer):
    # 帳號管理 creates 委員 accounts without a Reviewer row.
    fresh = make_reviewer("reviewer-new", "新委員", record=False)

    services.assign_reviewers(
        case, ReviewRound.FIRST, [fresh], taipei_officer, expected_revision=case.revision, short_confirmed=True
    )

    assert Reviewer.objects.get(user=fresh).is_active


def test_the_open_load_counts_unsubmitted_assignments_across_cases(taipei_officer, outsiders):
    first, second = outsiders
    for number in range(3):
        other = waiting_case(factories.teacher(name=f"教師{number}", account=f"t-{number}"), taipei_officer)
        services.assign_reviewers(
            other, ReviewRound.FIRST, [first], taipei_officer, expected_revision=other.revision, short_confirmed=True
        )
    handed_in = Assignment.objects.filter(reviewer=first).order_by("pk").first()
    Assignment.objects.filter(pk=handed_in.pk).update(submitted_at=timezone.now())

    assert services.reviewer_load() == {first.pk: 2}
    assert services.reviewer_load([second]) == {}


# --- the page ------------------------------------------------------------------------------------


def assign_url(case):
    return reverse("review:assign", args=[case.pk])


def test_the_page_offers_reviewers_with_school_and_load_and_greys_out_conflicts(
    client, case, taipei_officer, colleague, outsiders, teacher
):
    busy = waiting_case(factories.teacher(name="忙碌", account="t-busy"), taipei_officer)
    services.assign_reviewers(
        busy, ReviewRound.FIRST, [outsiders[1]], taipei_officer, expected_revision=busy.revision, short_confirmed=True
    )
    client.force_login(taipei_officer)

    response = client.get(assign_url(case))

    assert response.status_code == 200
    page = response.content.decode()
    assert "分發初審委員" in page and "初審分發委員" in page
    options = {o.user.username: o for o in response.context["options"]}
    assert options["reviewer-colleague"].reason.startswith("委員服務於申請教師的學校")
    assert (options["reviewer-b"].load, options["reviewer-c"].load) == (0, 1)
    assert options["reviewer-b"].school.name == "臺北市立建國高級中學"
    # The colleague's box is disabled with the reason beside it; the two least loaded are suggested.
    assert re.search(rf'<input[^>]*value="{colleague.pk}"[^>]*disabled', page)
    assert not re.search(rf'<input[^>]*value="{outsiders[0].pk}"[^>]*disabled', page)
    assert "不能審查同校教師的申請" in page
    assert response.context["chosen_ids"] == {str(outsiders[0].pk), str(outsiders[1].pk)}
    assert "1 件" in page


def test_posting_assigns_and_says_whom(client, case, taipei_officer, outsiders):
    client.force_login(taipei_officer)

    response = client.post(
        assign_url(case), {"reviewers": [u.pk for u in outsiders], "revision": case.revision}, follow=False
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("review:case", args=[case.pk])
    case.refresh_from_db()
    assert case.state == State.FIRST_REVIEW
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["已分發初審委員：李委員、陳委員。"]


def test_posting_a_colleague_is_refused_with_a_message(client, case, taipei_officer, colleague):
    client.force_login(taipei_officer)

    response = client.post(assign_url(case), {"reviewers": [colleague.pk], "revision": case.revision})

    assert response.status_code == 409
    assert "不能審查同校教師的申請" in response.content.decode()
    assert_unchanged(case, case.revision)


def test_posting_nobody_is_refused(client, case, taipei_officer, outsiders):
    client.force_login(taipei_officer)
    response = client.post(assign_url(case), {"revision": case.revision})
    assert response.status_code == 400
    assert "請至少選擇一位委員。" in response.content.decode()


def test_a_second_post_of_the_same_page_says_it_was_done(client, case, taipei_officer, outsiders):
    client.force_login(taipei_officer)
    form = {"reviewers": [u.pk for u in outsiders], "revision": case.revision}
    client.post(assign_url(case), form)

    response = client.post(assign_url(case), form)

    assert response.status_code == 409
    assert "此申請目前的狀態為「初審」，不在分發委員階段。" in response.content.decode()
    assert Assignment.objects.filter(case=case).count() == 2


# --- 委員不足: fewer 委員 than REVIEWERS_PER_CASE -------------------------------------------------

SHORT_WARNING = "可分發的委員不足"
CONFIRM = "確認委員人數不足，仍要分發"
SHORT_REFUSAL = (
    "本案應分發 2 位委員，目前只選擇 1 位。如確定以較少的委員審查，請勾選「確認委員人數不足，仍要分發」後再送出。"
)
COLLEAGUE_REASON = "委員服務於申請教師的學校（臺北市立測試國小），不能審查同校教師的申請。"


@pytest.fixture
def lone_outsider(db):
    """The one 委員 free of conflict beside the colleague (the demo data's two 委員, as it were)."""
    return make_reviewer("reviewer-b", "李委員", factories.school("臺北市立建國高級中學"))


def test_the_page_says_before_saving_that_conflicts_leave_too_few_reviewers(
    client, case, taipei_officer, colleague, lone_outsider
):
    make_reviewer("reviewer-paused", "暫停委員", active=False)
    client.force_login(taipei_officer)

    page = text_of(client.get(assign_url(case)).content.decode())

    assert f"{SHORT_WARNING} 本案需 2 位委員，僅 1 位可分發，分發後將以 1 位委員審查。" in page
    assert f"無法分發的委員： 同校委員：{COLLEAGUE_REASON} 暫停委員：此委員目前暫停分發。" in page
    assert CONFIRM in page


def test_enough_reviewers_no_warning_and_no_confirmation(client, case, taipei_officer, colleague, outsiders):
    client.force_login(taipei_officer)

    page = client.get(assign_url(case)).content.decode()

    assert SHORT_WARNING not in page and CONFIRM not in page


def test_a_short_panel_posted_without_the_confirmation_is_refused(
    client, case, taipei_officer, colleague, lone_outsider
):
    client.force_login(taipei_officer)

    response = client.post(assign_url(case), {"reviewers": [lone_outsider.pk], "revision": case.revision})

    assert response.status_code == 400
    page = text_of(response.content.decode())
    assert SHORT_REFUSAL in page
    assert SHORT_WARNING in page and CONFIRM in page
    assert_unchanged(case, case.revision)


def test_a_confirmed_short_panel_is_assigned_and_its_event_keeps_the_confirmation(
    client, case, taipei_officer, colleague, lone_outsider
):
    client.force_login(taipei_officer)

    response = client.post(
        assign_url(case), {"reviewers": [lone_outsider.pk], "revision": case.revision, "short_confirmed": "1"}
    )

    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == ["已分發初審委員：李委員。"]
    case.refresh_from_db()
    assert case.state == State.FIRST_REVIEW
    assert list(Assignment.objects.filter(case=case).values_list("reviewer", flat=True)) == [lone_outsider.pk]
    event = CaseEvent.objects.get(case=case, action="assign_first")
    assert event.actor == taipei_officer
    assert event.extra == {
        "reviewers": [lone_outsider.pk],
        "short_panel": {
            "confirmed": True,
            "required": 2,
            "assigned": 1,
            "eligible": 1,
            "excluded": [{"reviewer": colleague.pk, "name": "同校委員", "reason": COLLEAGUE_REASON}],
        },
    }


def test_unticking_a_suggested_reviewer_asks_for_the_confirmation_too(client, case, taipei_officer, outsiders):
    client.force_login(taipei_officer)

    refused = client.post(assign_url(case), {"reviewers": [outsiders[0].pk], "revision": case.revision})
    confirmed = client.post(
        assign_url(case), {"reviewers": [outsiders[0].pk], "revision": case.revision, "short_confirmed": "1"}
    )

    assert refused.status_code == 400
    page = text_of(refused.content.decode())
    assert SHORT_REFUSAL in page and CONFIRM in page and SHORT_WARNING not in page
    assert confirmed.status_code == 302
    extra = CaseEvent.objects.get(case=case, action="assign_first").extra
    assert (extra["short_panel"]["assigned"], extra["short_panel"]["eligible"]) == (1, 2)


def test_a_full_panel_keeps_no_confirmation(case, taipei_officer, outsiders):
    services.assign_reviewers(case, ReviewRound.FIRST, outsiders, taipei_officer, expected_revision=case.revision)

    extra = CaseEvent.objects.get(case=case, action="assign_first").extra
    assert extra == {"reviewers": [u.pk for u in outsiders]}


def test_the_service_refuses_a_short_panel_without_the_confirmation(case, taipei_officer, lone_outsider):
    with pytest.raises(DomainError) as refused:
        services.assign_reviewers(case, ReviewRound.FIRST, [lone_outsider], taipei_officer, case.revision)

    assert refused.value.message == SHORT_REFUSAL
    assert_unchanged(case, case.revision)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_case_not_waiting_for_reviewers_shows_why(client, teacher, taipei_officer):
    case = factories.case(teacher)
    client.force_login(taipei_officer)
    response = client.get(assign_url(case))
    assert response.status_code == 200
    assert "此申請目前的狀態為「準備資料」，不在分發委員階段。" in response.content.decode()
    assert 'name="reviewers"' not in response.content.decode()


@pytest.mark.parametrize(
    "persona, status",
    [("taipei_officer", 200), ("admin_user", 200), ("taichung_officer", 404), ("reviewer", 403), ("teacher", 403)],
)
def test_who_may_open_the_assign_page(client, request, case, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(assign_url(case)).status_code == status


# --- 審查委員 -----------------------------------------------------------------------------------


def test_the_reviewer_list_shows_every_active_reviewer_account(client, admin_user, teacher, colleague):
    make_reviewer("reviewer-norow", "未設定委員", record=False)
    gone = make_reviewer("reviewer-gone", "離職委員")
    User.objects.filter(pk=gone.pk).update(is_active=False)
    client.force_login(admin_user)

    response = client.get(reverse("review:reviewers"))

    page = response.content.decode()
    assert [row["user"].username for row in response.context["rows"]] == ["reviewer-colleague", "reviewer-norow"]
    assert "臺北市立測試國小" in page and "（未設定）" in page and "離職委員" not in page
    assert reverse("review:reviewer_edit", args=[colleague.pk]) in page


def test_a_county_officer_sees_the_list_but_cannot_edit(client, taipei_officer, colleague):
    client.force_login(taipei_officer)
    response = client.get(reverse("review:reviewers"))
    assert response.status_code == 200
    assert reverse("review:reviewer_edit", args=[colleague.pk]) not in response.content.decode()
    assert client.get(reverse("review:reviewer_edit", args=[colleague.pk])).status_code == 403


def test_editing_creates_the_reviewer_row_with_school_and_pause(client, admin_user):
    user = make_reviewer("reviewer-norow", "未設定委員", record=False)
    school = factories.school("臺北市立建國高級中學")
    client.force_login(admin_user)
    url = reverse("review:reviewer_edit", args=[user.pk])

    searched = client.get(url, {"q": "建國"})
    assert [s.name for s in searched.context["form"].fields["school"].queryset] == ["臺北市立建國高級中學"]
    response = client.post(url, {"school": school.pk})

    assert response.status_code == 302
    record = Reviewer.objects.get(user=user)
    assert (record.school, record.is_active) == (school, False)


def test_load_demo_gives_both_demo_reviewers_a_school(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())

    schools = dict(Reviewer.objects.values_list("user__username", "school__name"))
    assert schools == {"reviewer1": "臺北市立建國高級中學", "reviewer2": "臺北市立成淵高級中學"}


def test_the_reviewer_list_costs_the_same_with_more_reviewers(
    client, admin_user, taipei_officer, django_assert_max_num_queries
):
    make_reviewer("reviewer-1", "委員1", factories.school("臺北市立建國高級中學"))
    client.force_login(admin_user)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("review:reviewers"))

    for number in range(2, 8):
        user = make_reviewer(f"reviewer-{number}", f"委員{number}", factories.school(f"臺北市立第{number}國小"))
        case = waiting_case(factories.teacher(name=f"教師{number}", account=f"t-{number}"), taipei_officer)
        services.assign_reviewers(
            case, ReviewRound.FIRST, [user], taipei_officer, expected_revision=case.revision, short_confirmed=True
        )
    make_reviewer("reviewer-norow", "未設定委員", record=False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("review:reviewers"))
    assert [row["load"] for row in response.context["rows"]][:3] == [0, 1, 1]
