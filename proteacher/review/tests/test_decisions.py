"""初審判定 / 複審判定 / 申復判定: each decision moves the case and tells the teacher why."""

import pytest
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.review import office
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_in(teacher, taipei_officer, admin_user):
    """A 臺北市 teacher's 進階 case brought to a state (管理者 takes the approvals only it may)."""

    def make(state: str, type_code: str = "advanced") -> Case:
        officer = admin_user if state == State.APPROVED else taipei_officer
        return advance(factories.case(teacher, type_code), state, officer)

    return make


def decide(client, case, action, reason="", revision=None, state=None):
    """What the decision form posts: the revision and state of the page it was on."""
    return client.post(
        reverse("review:decide", args=[case.pk]),
        {
            "action": action,
            "reason": reason,
            "revision": case.revision if revision is None else revision,
            "state": state or case.state,
        },
    )


def events(case) -> list[tuple]:
    return list(CaseEvent.objects.filter(case=case).values_list("action", "to_state", "reason", "actor"))


# --- Each decision moves the case and records the reason ------------------------------------------

DECISION_PATHS = [
    # (state, action, reason, new state)
    (State.FIRST_DECISION, "first_pass", "", State.PASSED),
    (State.FIRST_DECISION, "first_revise", "請補充觀察前會談的教學目標。", State.FIRST_REVISION),
    (State.FIRST_DECISION, "first_fail", "觀察紀錄與回饋會談不一致。", State.FIRST_FAILED),
    (State.SECOND_DECISION, "second_pass", "", State.PASSED),
    (State.SECOND_DECISION, "second_fail", "修正後仍缺少具體回饋。", State.SECOND_FAILED),
    (State.APPEAL_DECISION, "appeal_pass", "申復有理由。", State.PASSED),
    (State.APPEAL_DECISION, "appeal_fail", "申復理由不成立。", State.FAILED),
]


@pytest.mark.parametrize(("state", "action", "reason", "new_state"), DECISION_PATHS)
def test_each_decision_moves_the_case_and_records_the_reason(
    client, case_in, taipei_officer, state, action, reason, new_state
):
    case = case_in(state)
    client.force_login(taipei_officer)

    response = decide(client, case, action, reason)

    assert response.status_code == 302
    assert response["Location"] == reverse("review:case", args=[case.pk])
    case.refresh_from_db()
    assert case.state == new_state
    last = CaseEvent.objects.filter(case=case).last()
    assert (last.action, last.from_state, last.to_state, last.reason, last.actor) == (
        action,
        state,
        new_state,
        reason,
        taipei_officer,
    )
    page = client.get(response["Location"]).content.decode()
    assert f"目前狀態為「{workflow.label(new_state)}」" in page


def test_the_teacher_reads_the_reason_on_the_case_page(client, case_in, taipei_officer, teacher):
    case = case_in(State.FIRST_DECISION)
    client.force_login(taipei_officer)
    decide(client, case, "first_revise", "請補充觀察前會談的教學目標。")

    client.force_login(teacher)
    page = client.get(reverse("certification:case", args=[case.pk])).content.decode()

    assert "初審修正資料" in page
    assert "請補充觀察前會談的教學目標。" in page


def test_a_failing_decision_opens_the_appeal_window(client, case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)
    client.force_login(taipei_officer)

    decide(client, case, "first_fail", "資料不足。")

    case.refresh_from_db()
    assert case.appeal_deadline is not None


def test_the_decision_form_offers_the_round_decisions_in_order(client, case_in, taipei_officer):
    client.force_login(taipei_officer)

    first = client.get(reverse("review:case", args=[case_in(State.FIRST_DECISION).pk])).content.decode()

    positions = [
        first.index(text) for text in ("1. 通過 / 修正後通過 (代表通過)", "2. 修正後複審", "3. 未通過 (可以申復)")
    ]
    assert positions == sorted(positions)
    assert 'name="revision"' in first


@pytest.mark.parametrize(
    ("state", "labels"),
    [
        (State.SECOND_DECISION, ["1. 通過", "2. 未通過 (可申復)"]),
        (State.APPEAL_DECISION, ["1. 通過", "2. 未通過"]),
    ],
)
def test_the_second_and_appeal_rounds_offer_pass_or_fail(client, case_in, taipei_officer, state, labels):
    client.force_login(taipei_officer)

    page = client.get(reverse("review:case", args=[case_in(state).pk])).content.decode()

    for label in labels:
        assert label in page
    form = page.split('class="decision-form"')[1].split("</form>")[0]
    assert "修正後複審" not in form


@pytest.mark.parametrize("action", ["first_revise", "first_fail"])
def test_revise_and_fail_need_a_reason(client, case_in, taipei_officer, action):
    case = case_in(State.FIRST_DECISION)
    client.force_login(taipei_officer)
    before = events(case)

    response = decide(client, case, action, "   ")

    assert response.status_code == 400
    assert f"「{workflow.label_of(action)}」請填寫原因訊息。" in response.content.decode()
    case.refresh_from_db()
    assert case.state == State.FIRST_DECISION
    assert events(case) == before


def test_no_decision_chosen_is_refused(client, case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)
    client.force_login(taipei_officer)

    response = decide(client, case, "")

    assert response.status_code == 400
    assert "請選擇判定結果。" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION


# --- Refusals: wrong role, wrong state, stale page, double click --------------------------------


def assert_unchanged(case, before_events, state):
    case.refresh_from_db()
    assert case.state == state
    assert events(case) == before_events


def messages_of(response) -> list[str]:
    """The messages this request added (not those left over from an earlier one)."""
    return [str(message) for message in response.wsgi_request._messages._queued_messages]


@pytest.mark.parametrize("persona", ["reviewer", "teacher"])
def test_roles_other_than_the_office_are_forbidden(client, case_in, request, persona):
    case = case_in(State.FIRST_DECISION)
    before = events(case)
    client.force_login(request.getfixturevalue(persona))

    response = decide(client, case, "first_pass")

    assert response.status_code == 403
    assert_unchanged(case, before, State.FIRST_DECISION)


def test_another_county_finds_no_such_case(client, case_in, taichung_officer):
    case = case_in(State.FIRST_DECISION)
    before = events(case)
    client.force_login(taichung_officer)

    response = decide(client, case, "first_pass")

    assert response.status_code == 404
    assert_unchanged(case, before, State.FIRST_DECISION)


def test_a_decision_the_page_did_not_offer_is_refused(client, case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)
    before = events(case)
    client.force_login(taipei_officer)

    response = decide(client, case, "second_pass")

    assert response.status_code == 400
    assert "請選擇判定結果。" in response.content.decode()
    assert_unchanged(case, before, State.FIRST_DECISION)


def test_the_workflow_refuses_a_decision_of_another_round_by_name(case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)

    with pytest.raises(DomainError) as refused:
        office.decide(case, taipei_officer, "second_pass", expected_revision=case.revision)

    assert refused.value.message == "此申請目前的狀態為「初審判定」，無法執行「通過」。"


def test_the_wrong_state_is_refused(client, case_in, taipei_officer):
    case = case_in(State.FIRST_REVIEW)
    before = events(case)
    client.force_login(taipei_officer)

    response = decide(client, case, "first_pass")

    assert messages_of(response) == ["此申請目前的狀態為「初審」，無法執行「通過 / 修正後通過 (代表通過)」。"]
    assert_unchanged(case, before, State.FIRST_REVIEW)


def test_a_double_click_decides_once(client, case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)
    client.force_login(taipei_officer)
    revision, state = case.revision, case.state

    decide(client, case, "first_fail", "資料不足。", revision=revision, state=state)
    second = decide(client, case, "first_fail", "資料不足。", revision=revision, state=state)

    assert messages_of(second) == ["此申請已經處理過，目前的狀態為「初審未通過」。"]
    assert [e[0] for e in events(case)].count("first_fail") == 1


def test_a_stale_page_is_refused(client, case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)
    client.force_login(taipei_officer)

    response = decide(client, case, "first_pass", revision=case.revision - 1)

    assert messages_of(response) == ["此頁面的資料已經更新，請重新整理後再操作。"]
    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION


def test_a_stale_page_with_an_incomplete_form_hears_about_the_page_first(client, case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)
    client.force_login(taipei_officer)
    old, state = case.revision, case.state
    decide(client, case, "first_pass")

    response = decide(client, case, "first_fail", "", revision=old, state=state)

    assert messages_of(response) == ["此申請已經處理過，目前的狀態為「通過」。"]


def test_the_county_may_not_take_the_approval_that_belongs_to_the_admin(case_in, taipei_officer):
    case = case_in(State.PASSED)

    with pytest.raises(DomainError):
        workflow.transition(case, "approve", actor=taipei_officer, expected_revision=case.revision)


# --- The service, as commands and other apps call it ---------------------------------------------


def test_the_service_refuses_what_is_not_a_decision(case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)

    with pytest.raises(DomainError) as refused:
        office.decide(case, taipei_officer, "approve", expected_revision=case.revision)

    assert refused.value.message == "請選擇判定結果。"


def test_the_service_refuses_a_teacher(case_in, teacher):
    case = case_in(State.FIRST_DECISION)

    with pytest.raises(DomainError) as refused:
        office.decide(case, teacher, "first_pass", expected_revision=case.revision)

    assert refused.value.message == "您沒有執行此操作的權限。"


def test_a_refused_reason_check_leaves_the_callers_case_as_stored(case_in, taipei_officer):
    case = case_in(State.FIRST_DECISION)
    revision = case.revision

    with pytest.raises(DomainError):
        office.decide(case, taipei_officer, "first_fail", "", expected_revision=revision)

    assert (case.state, case.revision) == (State.FIRST_DECISION, revision)
    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION


def test_the_admin_decides_for_any_county(case_in, admin_user):
    case = case_in(State.SECOND_DECISION)

    office.decide(case, admin_user, "second_pass", expected_revision=case.revision)

    assert Case.objects.get(pk=case.pk).state == State.PASSED
