"""The teacher's revise loops: 初審修正資料 → 送出複審資料, 申復修正資料 → 申復重新送審, and 準備資料
again after 退件 — the forms open again, the page says why and what comes next."""

import re

import pytest
from django.urls import reverse

from proteacher.certification import submission, workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.testing import factories
from proteacher.testing.workflow import walk as shared_walk

pytestmark = pytest.mark.django_db

# The actions that bring a sent case to each state; the office's steps are taken by 臺北市教專中心.
TO_FIRST_DECISION = ["submit", "formal_pass", "assign_first", "first_reviews_done"]
TO_FIRST_REVISION = [*TO_FIRST_DECISION, "first_revise"]
TO_SECOND_FAILED = [*TO_FIRST_REVISION, "resubmit", "assign_second", "second_reviews_done", "second_fail"]
TO_APPEAL_REVISION = [*TO_SECOND_FAILED, "appeal", "appeal_accept"]
REASONS = {
    "first_revise": "觀察紀錄表的事實摘要不足，請補充。",
    "second_fail": "複審資料仍有不足。",
    "appeal_accept": "申復理由成立，請修正後重新送審。",
    "formal_return": "實施證明缺少核章。",
}


def walk(case, actions, teacher, officer):
    return shared_walk(case, actions, officer, reasons=REASONS)


@pytest.fixture
def case(teacher):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    return case


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def review_forms(html: str) -> list[tuple[str, str, str]]:
    """查看表單列表 as the seed lays it out: each row the form's title, then a 查看 link (title, link text, address)."""
    section = html.split('id="review-forms-heading">查看表單列表</h2>', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<th scope="row"[^>]*>([^<]+)</th><td><a [^>]*href="([^"]+)">(.*?)</a></td>', section)
    return [(title, text_of(link).strip(), url) for title, url, link in rows]


def page_of(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("certification:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def act(client, case, action, revision):
    return client.post(
        reverse("certification:act", args=[case.pk]), {"action": action, "revision": revision}, follow=True
    )


def test_both_loops_use_the_forms_check_of_sending():
    assert submission.every_slot_complete in workflow.BY_ACTION["resubmit"].checks
    assert submission.every_slot_complete in workflow.BY_ACTION["appeal_resubmit"].checks


# --- 初審修正資料 ---------------------------------------------------------------------------


def test_after_revise_the_teacher_edits_again_and_reads_the_reason(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_REVISION, teacher, taipei_officer)

    html = page_of(client, teacher, case)
    text = text_of(html)

    assert "狀態 初審修正資料" in text
    assert f"相關訊息 {workflow.BY_STATE[State.FIRST_REVISION].next_step}" in text
    assert "原因訊息 觀察紀錄表的事實摘要不足，請補充。" in text
    assert "編輯表單列表" in html and "<select" in html
    assert review_forms(html) == [
        ("形式審查表", "查看 形式審查表", f"{reverse('review:reviews', args=[case.pk])}#formal"),
        ("進階審查標準表 初審", "查看 進階審查標準表 初審", f"{reverse('review:reviews', args=[case.pk])}#first"),
    ]
    check_url = reverse("certification:act", args=[case.pk]) + "?action=resubmit"
    assert f'href="{check_url}">送出複審資料</a>' in html
    check = client.get(check_url).content.decode()
    form = check.split(f'action="{reverse("certification:act", args=[case.pk])}"', 1)[1].split("</form>", 1)[0]
    assert 'name="action" value="resubmit"' in form
    assert f'name="revision" value="{case.revision}"' in form


def test_sending_the_revised_forms_goes_to_second_assignment(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_REVISION, teacher, taipei_officer)
    client.force_login(teacher)

    response = act(client, case, "resubmit", case.revision)

    text = text_of(response.content.decode())
    assert "已送出複審資料。" in text
    assert "狀態 複審分發委員" in text
    assert f"相關訊息 {workflow.BY_STATE[State.SECOND_ASSIGN].next_step}" in text
    assert Case.objects.get(pk=case.pk).state == State.SECOND_ASSIGN
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.actor, event.from_state) == ("resubmit", teacher, State.FIRST_REVISION)


def test_a_form_left_incomplete_while_revising_is_named_and_nothing_moves(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_REVISION, teacher, taipei_officer)
    case.answers.filter(slot_code="observation").update(is_complete=False)
    client.force_login(teacher)

    text = text_of(act(client, case, "resubmit", case.revision).content.decode())

    assert "尚有表單未完成：觀察紀錄表。" in text
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVISION


def test_a_double_click_sends_once(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_REVISION, teacher, taipei_officer)
    client.force_login(teacher)
    shown = case.revision

    act(client, case, "resubmit", shown)
    text = text_of(act(client, case, "resubmit", shown).content.decode())

    assert "此頁面的資料已經更新，請重新整理後再操作。" in text
    assert CaseEvent.objects.filter(case=case, action="resubmit").count() == 1
    assert Case.objects.get(pk=case.pk).state == State.SECOND_ASSIGN


def test_a_page_from_before_the_decision_is_refused(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_DECISION, teacher, taipei_officer)
    seen_before = case.revision
    walk(case, ["first_revise"], teacher, taipei_officer)
    client.force_login(teacher)

    text = text_of(act(client, case, "resubmit", seen_before).content.decode())

    assert "此頁面的資料已經更新，請重新整理後再操作。" in text
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVISION


def test_resubmit_in_another_state_is_refused_by_name(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_DECISION, teacher, taipei_officer)
    client.force_login(teacher)

    text = text_of(act(client, case, "resubmit", case.revision).content.decode())

    assert "此申請目前的狀態為「初審判定」，無法執行「送出複審資料」。" in text
    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION


def test_only_the_teachers_own_actions_can_be_posted(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_DECISION, teacher, taipei_officer)
    client.force_login(teacher)

    text = text_of(act(client, case, "first_pass", case.revision).content.decode())

    assert "沒有這個操作。" in text
    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION


def test_nobody_else_sends_the_teachers_revision(client, teacher, case, taipei_officer, admin_user):
    walk(case, TO_FIRST_REVISION, teacher, taipei_officer)
    other = factories.teacher(name="王其他", account="t-other")
    url = reverse("certification:act", args=[case.pk])

    client.force_login(other)
    assert client.post(url, {"action": "resubmit", "revision": case.revision}).status_code == 404
    for staff in (taipei_officer, admin_user):
        client.force_login(staff)
        assert client.post(url, {"action": "resubmit", "revision": case.revision}).status_code == 403
    client.force_login(teacher)
    # A GET only asks (確認送出); one naming no action goes back to 流程進度.
    assert client.get(url, {"action": "resubmit"}).status_code == 200
    assert client.get(url)["Location"] == reverse("certification:case", args=[case.pk])
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVISION


def test_the_officer_reads_the_revision_page_without_the_button(client, teacher, case, taipei_officer):
    walk(case, TO_FIRST_REVISION, teacher, taipei_officer)

    html = page_of(client, taipei_officer, case)

    assert ">送出複審資料</a>" not in html and "<select" not in html
    assert "進階審查標準表 初審" in html


# --- 申復修正資料 ---------------------------------------------------------------------------


def test_after_an_accepted_appeal_the_teacher_sees_both_rounds_and_resubmits(client, teacher, case, taipei_officer):
    walk(case, TO_APPEAL_REVISION, teacher, taipei_officer)

    html = page_of(client, teacher, case)
    text = text_of(html)

    assert "狀態 申復修正資料" in text
    assert "原因訊息 申復理由成立，請修正後重新送審。" in text
    assert f"相關訊息 {workflow.BY_STATE[State.APPEAL_REVISION].next_step}" in text
    assert "<select" in html
    assert [title for title, _, _ in review_forms(html)] == [
        "形式審查表",
        "進階審查標準表 初審",
        "進階審查標準表 複審",
        "認證審查結果申復表",
    ]
    assert ">申復重新送審</a>" in html

    text = text_of(act(client, case, "appeal_resubmit", case.revision).content.decode())

    assert "已申復重新送審。" in text
    assert "狀態 申復分發委員" in text
    assert Case.objects.get(pk=case.pk).state == State.APPEAL_ASSIGN


def test_appeal_resubmit_checks_the_forms_and_refuses_a_double_click(client, teacher, case, taipei_officer):
    walk(case, TO_APPEAL_REVISION, teacher, taipei_officer)
    case.answers.filter(slot_code="community").delete()
    client.force_login(teacher)

    text = text_of(act(client, case, "appeal_resubmit", case.revision).content.decode())
    assert "尚有表單未完成：社群參與證明。" in text
    assert Case.objects.get(pk=case.pk).state == State.APPEAL_REVISION

    factories.answer(case, "community")
    act(client, case, "appeal_resubmit", case.revision)
    text = text_of(act(client, case, "appeal_resubmit", case.revision).content.decode())

    assert "此頁面的資料已經更新，請重新整理後再操作。" in text
    assert CaseEvent.objects.filter(case=case, action="appeal_resubmit").count() == 1


def test_the_type_names_its_own_form(client, teacher, taipei_officer):
    basic = factories.case(teacher, "basic")
    factories.fill_every_slot(basic)
    walk(basic, TO_FIRST_REVISION, teacher, taipei_officer)

    html = page_of(client, teacher, basic)

    assert [title for title, _, _ in review_forms(html)] == ["形式審查表", "初階審查標準表 初審"]


# --- 退件 ----------------------------------------------------------------------------------


def test_after_a_return_the_teacher_sees_the_formal_review_and_the_reason(client, teacher, case, taipei_officer):
    walk(case, ["submit", "formal_return"], teacher, taipei_officer)

    html = page_of(client, teacher, case)
    text = text_of(html)

    assert "狀態 準備資料" in text
    assert f"相關訊息 {workflow.BY_STATE[State.PREPARING].next_step_after['formal_return']}" in text
    assert "原因訊息 實施證明缺少核章。" in text
    assert review_forms(html) == [
        ("形式審查表", "查看 形式審查表", f"{reverse('review:reviews', args=[case.pk])}#formal")
    ]
    assert "形式審查表 查看" in text_of(html)
    assert ">送出審查文件</a>" in html and "<select" in html


def test_a_case_never_reviewed_lists_no_review_forms(client, teacher, case):
    html = page_of(client, teacher, case)

    assert "查看表單列表" not in html
    assert f"相關訊息 {workflow.BY_STATE[State.PREPARING].next_step}" in text_of(html)
