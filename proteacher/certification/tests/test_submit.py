"""送出審查文件 on the case page: the message the teacher reads and the state the case ends in."""

import pytest
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.testing import factories
from proteacher.testing.workflow import take

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(teacher):
    return factories.case(teacher, "advanced")


def send(client, case, revision):
    return client.post(reverse("certification:submit", args=[case.pk]), {"revision": revision}, follow=True)


def test_with_slots_missing_it_names_them_and_keeps_the_case(client, teacher, case):
    factories.answer(case, "implementation")
    factories.answer(case, "community")
    factories.answer(case, "pre_conference")
    factories.answer(case, "post_conference")
    client.force_login(teacher)

    page = send(client, case, case.revision).content.decode()

    assert "尚有表單未完成：觀察紀錄表、認證檢核表。" in page
    assert Case.objects.get(pk=case.pk).state == State.PREPARING
    assert ">送出審查文件</a>" in page


def test_every_slot_complete_sends_it_to_formal_review(client, teacher, case):
    factories.fill_every_slot(case)
    client.force_login(teacher)

    response = send(client, case, case.revision)

    page = response.content.decode()
    assert response.redirect_chain == [(reverse("certification:case", args=[case.pk]), 302)]
    assert "已送出審查文件。" in page
    assert '<th scope="row">狀態</th><td><strong>形式審查</strong>' in page
    assert "<select" not in page
    assert Case.objects.get(pk=case.pk).state == State.FORMAL_REVIEW


def test_a_double_click_sends_once_and_says_so(client, teacher, case):
    factories.fill_every_slot(case)
    client.force_login(teacher)
    shown_revision = case.revision

    send(client, case, shown_revision)
    page = send(client, case, shown_revision).content.decode()

    assert "此頁面的資料已經更新，請重新整理後再操作。" in page
    assert "<strong>形式審查</strong>" in page
    assert CaseEvent.objects.filter(case=case, action="submit").count() == 1


def test_a_page_from_before_a_return_is_refused(client, teacher, case, taipei_officer):
    factories.fill_every_slot(case)
    old_revision = case.revision
    workflow.transition(case, "submit", actor=teacher, expected_revision=old_revision)
    take(case, "formal_return", taipei_officer, reason="請補核章。")
    client.force_login(teacher)

    page = send(client, case, old_revision).content.decode()

    assert "此頁面的資料已經更新，請重新整理後再操作。" in page
    assert Case.objects.get(pk=case.pk).state == State.PREPARING


def test_a_post_without_the_revision_is_treated_as_stale(client, teacher, case):
    factories.fill_every_slot(case)
    client.force_login(teacher)

    page = send(client, case, "").content.decode()

    assert "此頁面的資料已經更新，請重新整理後再操作。" in page
    assert Case.objects.get(pk=case.pk).state == State.PREPARING


def test_a_get_only_asks_before_sending(client, teacher, case):
    factories.fill_every_slot(case)
    client.force_login(teacher)

    response = client.get(reverse("certification:submit", args=[case.pk]))

    assert response.status_code == 200 and "確認送出" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.PREPARING
