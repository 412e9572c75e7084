"""發證作業's batches: 確定 queues the chosen cases for the worker and opens the batch's page, whose
bar follows the worker (polled while it runs, the same after a reload) and which names each refused
case with its reason. The worker claims a batch, moves its items in order, hands it back when its
time is up, and takes over a batch whose worker stopped renewing its lease."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from proteacher.audit.models import AuditEntry
from proteacher.certification import workflow
from proteacher.certification.models import Case, Certificate
from proteacher.certification.workflow import State
from proteacher.review import issuing
from proteacher.review.models import IssuingBatch, IssuingBatchItem
from proteacher.review.tests.test_issuing import YEAR, approved_case, confirmed, passed_case, text_of

pytestmark = pytest.mark.django_db


def batch_of(admin, cases, action="issue"):
    return issuing.create_batch(action, [(case.pk, case.revision) for case in cases], admin, issuing.new_token())


def test_confirming_queues_a_batch_in_the_pages_order_and_records_it(client, admin_user):
    cases = [approved_case(admin_user, name=f"批次{n}") for n in range(3)]
    client.force_login(admin_user)
    chosen = [f"{case.pk}:{case.revision}" for case in reversed(cases)]

    response = confirmed(client, "issue", chosen)

    batch = IssuingBatch.objects.get()
    assert response["Location"] == reverse("review:issuing_batch", args=[batch.pk])
    assert (batch.action, batch.status, batch.total, batch.created_by) == ("issue", "queued", 3, admin_user)
    items = list(batch.items.order_by("position").values_list("case_id", "shown_revision", "outcome"))
    assert items == [(case.pk, case.revision, "") for case in reversed(cases)]
    entry = AuditEntry.objects.get(action="issuing.batch")
    assert entry.actor_id == admin_user.pk
    assert entry.target == f"發證（3 件，批次 {batch.pk}）"
    assert entry.data == {"batch": batch.pk, "action": "issue", "cases": 3}
    # Nothing moved yet: the worker does that.
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == {State.APPROVED}

    issuing.run_batches()

    # Numbers in the order the page listed the cases.
    assert [Certificate.objects.get(case=case).serial for case in reversed(cases)] == [1, 2, 3]
    moves = AuditEntry.objects.filter(action="case.transition", case_id__in=[c.pk for c in cases], data__action="issue")
    assert list(moves.values_list("actor_id", flat=True)) == [admin_user.pk] * 3


def test_the_same_confirmation_posted_twice_is_one_batch(client, admin_user):
    cases = [approved_case(admin_user) for _ in range(2)]
    client.force_login(admin_user)
    chosen = [f"{case.pk}:{case.revision}" for case in cases]
    page = client.post(reverse("review:issuing"), {"action": "issue", "case": chosen}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    posted = {"action": "issue", "case": chosen, "confirm": "1", "token": token}

    first = client.post(reverse("review:issuing"), posted)
    second = client.post(reverse("review:issuing"), posted)

    assert first["Location"] == second["Location"]
    assert IssuingBatch.objects.count() == 1 and IssuingBatchItem.objects.count() == 2
    assert AuditEntry.objects.filter(action="issuing.batch").count() == 1
    issuing.run_batches()
    assert Certificate.objects.filter(source="issued").count() == 2


def test_the_batch_page_shows_the_bar_while_the_worker_runs_and_the_refusals_after(client, admin_user, monkeypatch):
    ready = [approved_case(admin_user, name=f"可發{n}") for n in range(3)]
    not_yet = passed_case(name="未核定")
    batch = issuing.create_batch(
        "issue",
        [(case.pk, case.revision) for case in ready] + [(not_yet.pk, None)],
        admin_user,
        issuing.new_token(),
    )
    client.force_login(admin_user)
    page_url = reverse("review:issuing_batch", args=[batch.pk])
    progress_url = reverse("review:issuing_batch_progress", args=[batch.pk])

    queued = client.get(page_url).content.decode()
    assert f'hx-get="{progress_url}"' in queued and 'hx-trigger="every 1s"' in queued
    assert "狀態： 排隊中" in text_of(queued)
    assert 'value="0" max="4"' in queued

    # The worker stops after two items (its time is up) and hands the batch back.
    monkeypatch.setattr(issuing, "RENEW_EVERY_ITEMS", 2)
    issuing.run_batches(budget_seconds=0)
    partway = client.get(progress_url).content.decode()
    assert "狀態： 處理中" in text_of(partway) and 'value="2" max="4"' in partway
    assert "已處理 2／4 件：完成 2 件，未處理 0 件。" in text_of(partway)
    assert f'hx-get="{progress_url}"' in partway
    batch.refresh_from_db()
    assert (batch.status, batch.claimed_by, batch.lease_until) == ("running", "", None)

    issuing.run_batches()

    done = client.get(page_url).content.decode()
    text = text_of(done)
    assert "狀態： 已完成" in text and 'value="4" max="4"' in done
    assert "已發證 3 件。另有 1 件未處理，原因如下。" in text
    assert f"未核定 進階認證 臺北市 {YEAR} 此申請目前的狀態為「通過」，無法執行「發證」。" in text
    assert "hx-get" not in done  # finished: the page stops asking
    # A reload shows the same.
    assert text_of(client.get(page_url).content.decode()) == text


def test_a_batch_whose_worker_died_is_taken_over_after_its_lease(admin_user, settings):
    settings.ISSUING_LEASE_SECONDS = 30
    cases = [approved_case(admin_user) for _ in range(2)]
    batch = batch_of(admin_user, cases)
    # Another worker claimed it a moment ago and is still within its lease: nobody else takes it.
    IssuingBatch.objects.filter(pk=batch.pk).update(
        status="running", claimed_by="elsewhere", lease_until=timezone.now() + timedelta(seconds=20)
    )
    assert issuing.run_batches() == 0
    assert Case.objects.filter(state=State.ISSUED).count() == 0

    # Its lease has passed: that worker died.
    IssuingBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert issuing.run_batches() == 2

    batch.refresh_from_db()
    assert (batch.status, batch.done, batch.refused) == ("done", 2, 0)
    assert Case.objects.filter(state=State.ISSUED).count() == 2


def test_a_case_this_batch_already_moved_counts_as_done(admin_user):
    first, second = (approved_case(admin_user) for _ in range(2))
    batch = batch_of(admin_user, [first, second])
    # As if a worker had moved the first case and died before its item was written.
    workflow.transition(first, "issue", actor=admin_user, batch=batch.pk)

    issuing.run_batches()

    batch.refresh_from_db()
    assert (batch.done, batch.refused) == (2, 0)
    assert list(batch.items.values_list("outcome", flat=True)) == ["done", "done"]
    assert Certificate.objects.filter(source="issued").count() == 2


def test_a_case_moved_by_someone_else_is_refused_with_the_reason(admin_user):
    case = approved_case(admin_user, name="已處理")
    batch = batch_of(admin_user, [case])
    workflow.transition(case, "issue", actor=admin_user)

    issuing.run_batches()

    item = batch.items.get()
    assert (item.outcome, item.message) == ("refused", "此申請已經處理過，目前的狀態為「已發證」。")
    assert Certificate.objects.filter(source="issued").count() == 1


def test_the_issuing_page_lists_the_recent_batches(client, admin_user):
    batch = batch_of(admin_user, [approved_case(admin_user)])
    issuing.run_batches()
    client.force_login(admin_user)

    html = client.get(reverse("review:issuing")).content.decode()

    assert f'href="{reverse("review:issuing_batch", args=[batch.pk])}"' in html
    assert f"第 {batch.pk} 批 發證" in text_of(html) and "已完成 1 1 0" in text_of(html)


def test_a_selection_of_cases_that_no_longer_exist_makes_no_batch(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("review:issuing"), {"action": "issue", "case": ["999999:1"], "confirm": "1"}, follow=True
    )

    assert "所選的案件都已不存在，請重新整理後再選取。" in text_of(response.content.decode())
    assert not IssuingBatch.objects.exists()


def test_the_progress_costs_the_same_with_more_refusals(client, admin_user, django_assert_max_num_queries):
    cases = [passed_case() for _ in range(5)]
    batch = issuing.create_batch("issue", [(case.pk, None) for case in cases], admin_user, issuing.new_token())
    issuing.run_batches()
    client.force_login(admin_user)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("review:issuing_batch_progress", args=[batch.pk]))

    assert text_of(response.content.decode()).count("無法執行「發證」") == 5
