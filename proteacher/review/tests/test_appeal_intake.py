"""申復審查 (受理中): 申復申請案受理 (將進行申復審查) → 申復修正資料, or 未受理 → 不合格."""

import pytest
from django.urls import reverse

from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.review import office
from proteacher.review.models import Appeal
from proteacher.review.tests.test_decisions import advance, messages_of
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def appealed(teacher, taipei_officer) -> Case:
    """A 臺北市 case whose 初審 failed and whose teacher filed 申復."""
    return advance(factories.case(teacher, "advanced"), State.APPEAL_INTAKE, taipei_officer)


def intake(client, case, accept, reason="", revision=None, state=None):
    return client.post(
        reverse("review:appeal_intake", args=[case.pk]),
        {
            "accept": accept,
            "reason": reason,
            "revision": case.revision if revision is None else revision,
            "state": state or case.state,
        },
    )


def snapshot(case) -> tuple:
    case.refresh_from_db()
    appeal = Appeal.objects.get(case=case)
    return (
        case.state,
        case.revision,
        CaseEvent.objects.filter(case=case).count(),
        appeal.accepted,
        appeal.decided_at,
    )


def test_the_officer_sees_the_appeal_and_both_choices(client, appealed, taipei_officer):
    client.force_login(taipei_officer)

    page = client.get(reverse("review:case", args=[appealed.pk])).content.decode()

    assert "認證審查結果申復表" in page
    assert "已補充說明。" in page  # the teacher's 申復意見
    assert "1. 申復申請案受理 (將進行申復審查)" in page
    assert "2. 申復申請案未受理" in page


def test_accepting_moves_the_case_to_appeal_revision(client, appealed, taipei_officer):
    client.force_login(taipei_officer)

    response = intake(client, appealed, "yes", "受理，請於申復修正資料後重新送審。")

    assert messages_of(response) == ["申復申請案已受理。目前狀態為「申復修正資料」。"]
    appealed.refresh_from_db()
    assert appealed.state == State.APPEAL_REVISION
    appeal = Appeal.objects.get(case=appealed)
    assert appeal.accepted is True
    assert appeal.decided_at == appealed.updated_at
    event = CaseEvent.objects.filter(case=appealed).last()
    assert (event.action, event.from_state, event.to_state, event.reason, event.actor) == (
        "appeal_accept",
        State.APPEAL_INTAKE,
        State.APPEAL_REVISION,
        "受理，請於申復修正資料後重新送審。",
        taipei_officer,
    )


def test_not_accepting_fails_the_case_with_the_reason(client, appealed, taipei_officer):
    client.force_login(taipei_officer)

    response = intake(client, appealed, "no", "申復理由與審查意見無關。")

    assert messages_of(response) == ["申復申請案未受理。目前狀態為「不合格」。"]
    appealed.refresh_from_db()
    assert appealed.state == State.FAILED
    assert Appeal.objects.get(case=appealed).accepted is False
    event = CaseEvent.objects.filter(case=appealed).last()
    assert (event.action, event.to_state, event.reason) == ("appeal_reject", State.FAILED, "申復理由與審查意見無關。")


def test_not_accepting_needs_a_reason(client, appealed, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(appealed)

    response = intake(client, appealed, "no", "")

    assert response.status_code == 400
    assert "申復申請案未受理請填寫原因訊息。" in response.content.decode()
    assert snapshot(appealed) == before


def test_a_choice_is_required(client, appealed, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(appealed)

    response = intake(client, appealed, "")

    assert response.status_code == 400
    assert "請選擇是否受理。" in response.content.decode()
    assert snapshot(appealed) == before


@pytest.mark.parametrize("persona", ["reviewer", "teacher"])
def test_other_roles_are_forbidden(client, appealed, request, persona):
    client.force_login(request.getfixturevalue(persona))
    before = snapshot(appealed)

    assert intake(client, appealed, "yes").status_code == 403
    assert snapshot(appealed) == before


def test_another_county_finds_no_such_case(client, appealed, taichung_officer):
    client.force_login(taichung_officer)
    before = snapshot(appealed)

    assert intake(client, appealed, "yes").status_code == 404
    assert snapshot(appealed) == before


def test_the_wrong_state_is_refused(client, teacher, taipei_officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_FAILED, taipei_officer)
    client.force_login(taipei_officer)
    before = (case.state, case.revision)

    response = intake(client, case, "yes")

    assert messages_of(response) == ["此申請目前的狀態為「初審未通過」，無法執行「申復申請案受理 (將進行申復審查)」。"]
    case.refresh_from_db()
    assert (case.state, case.revision) == before


def test_a_double_click_answers_once(client, appealed, taipei_officer):
    client.force_login(taipei_officer)
    revision, state = appealed.revision, appealed.state

    intake(client, appealed, "yes", revision=revision, state=state)
    decided_at = Appeal.objects.get(case=appealed).decided_at
    second = intake(client, appealed, "no", "改變主意。", revision=revision, state=state)

    assert messages_of(second) == ["此申請已經處理過，目前的狀態為「申復修正資料」。"]
    appeal = Appeal.objects.get(case=appealed)
    assert (appeal.accepted, appeal.decided_at) == (True, decided_at)
    assert CaseEvent.objects.filter(case=appealed, action__startswith="appeal_").count() == 1


def test_a_stale_page_is_refused(client, appealed, taipei_officer):
    client.force_login(taipei_officer)
    before = snapshot(appealed)

    response = intake(client, appealed, "yes", revision=appealed.revision - 1)

    assert messages_of(response) == ["此頁面的資料已經更新，請重新整理後再操作。"]
    assert snapshot(appealed) == before


def test_the_admin_answers_any_county(appealed, admin_user):
    office.take_appeal(appealed, admin_user, True, "", appealed.revision)

    assert Case.objects.get(pk=appealed.pk).state == State.APPEAL_REVISION


def test_the_service_refuses_a_rejection_without_reason_and_leaves_nothing(appealed, taipei_officer):
    before = snapshot(appealed)

    with pytest.raises(DomainError) as refused:
        office.take_appeal(appealed, taipei_officer, False, " ", appealed.revision)

    assert refused.value.message == "申復申請案未受理請填寫原因訊息。"
    assert snapshot(appealed) == before
    assert appealed.state == State.APPEAL_INTAKE
