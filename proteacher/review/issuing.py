"""通過 → 通過可產證 → 已發證: 管理者 approves passed cases in batches and issues their certificates.

    create_batch(action, selection, actor, token)  → IssuingBatch 排隊中 with one item per case
    worker: run_batches()                           → 處理中 → 已完成, items done or refused

The cases move by the workflow's "approve" and "issue" rows through `workflow.transition_many()`,
a chunk of a few hundred items to a transaction (the same checks, event, audit entry and message
for each case as `transition()` gives one, written a statement per table for the chunk);
numbering is the "issue" row's effect (certification.certificates), so a number exists exactly
when the case is 已發證. The page only records the batch; the worker (proteacher.worker's
`run_issuing_batches` job) does the moving, so 發證 of thousands of cases never holds a request.

Restartable without gaps or duplicates:

- A worker claims a batch with a conditional UPDATE (queued or running, lease passed): of several
  workers exactly one gets it. It renews the lease as it goes; a batch whose worker died is taken
  over once the lease (ISSUING_LEASE_SECONDS) has passed.
- Each chunk's items are locked and marked in the transaction that moves their cases, so a
  killed worker leaves every case either moved with its item done, or untouched with its item
  pending (the database rolls back the chunk's transaction, its certificate numbers with it):
  the next worker never moves a case twice and never skips one. An item found already handled
  rolls the chunk back, which then goes one item to a transaction, as does a chunk that meets a
  database error (so one bad row never sinks the rest). The transition carries the batch's id on
  the case's event, so a case this batch already moved is counted done should it ever be met again.
- Items go in position order (the page's order), so numbers are handed out in that order.
"""

import logging
import secrets
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.audit.log import record
from proteacher.certification import workflow
from proteacher.certification.models import Case, CaseEvent
from proteacher.errors import DomainError
from proteacher.review.models import IssuingBatch, IssuingBatchItem

logger = logging.getLogger(__name__)

Status = IssuingBatch.Status
Outcome = IssuingBatchItem.Outcome

FAILED = "系統發生錯誤，此案未處理，請稍後再試。"
# Items are moved a chunk to a transaction, at most this many (see chunk_size); the lease is
# renewed (and the counts the page shows written) after each chunk.
RENEW_EVERY_ITEMS = 500
MIN_CHUNK_ITEMS = 20
# This process's name in a claim.
WORKER = f"{uuid.uuid4().hex[:12]}"


def lease() -> timedelta:
    return timedelta(seconds=settings.ISSUING_LEASE_SECONDS)


def new_token() -> str:
    """The token a confirmation page posts with its batch."""
    return secrets.token_hex(16)


# --- what the page calls ----------------------------------------------------------------------------


def create_batch(action: str, selection: list[tuple[int, int | None]], actor: User, token: str) -> IssuingBatch:
    """A batch of `selection` ((case id, the revision the page showed, or None not to check), in
    the order numbers are handed out in), queued for the worker. One transaction with its audit
    entry. The same token again (a double click, a reload of the post) returns the batch it made."""
    if action not in IssuingBatch.Action.values:
        raise DomainError(workflow.NO_SUCH_ACTION)
    existing = IssuingBatch.objects.filter(token=token).first()
    if existing is not None:
        return _same_author(existing, actor)
    chosen: dict[int, int | None] = {}
    for pk, shown in selection:
        chosen.setdefault(pk, shown)
    found = set(Case.objects.filter(pk__in=list(chosen)).values_list("pk", flat=True))
    rows = [(pk, shown) for pk, shown in chosen.items() if pk in found]
    if not rows:
        raise DomainError("所選的案件都已不存在，請重新整理後再選取。")
    label = IssuingBatch.Action(action).label
    try:
        with transaction.atomic():
            batch = IssuingBatch.objects.create(action=action, created_by=actor, token=token, total=len(rows))
            IssuingBatchItem.objects.bulk_create(
                (
                    IssuingBatchItem(batch=batch, case_id=pk, shown_revision=shown, position=position)
                    for position, (pk, shown) in enumerate(rows, start=1)
                ),
                batch_size=2000,
            )
            record(
                "issuing.batch",
                actor=actor,
                target=f"{label}（{len(rows)} 件，批次 {batch.pk}）",
                data={"batch": batch.pk, "action": action, "cases": len(rows)},
            )
    except IntegrityError:
        # Two posts of one page at the same moment: the other one made the batch.
        return _same_author(IssuingBatch.objects.get(token=token), actor)
    return batch


def _same_author(batch: IssuingBatch, actor: User) -> IssuingBatch:
    if batch.created_by_id != actor.pk:
        raise DomainError("此頁面已經送出過，請重新整理後再操作。")
    return batch


def recent_batches(limit: int = 10):
    return IssuingBatch.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]


def refused_items(batch: IssuingBatch, limit: int = 200):
    """The refused cases of a batch with their reasons, in the batch's order (the first `limit`)."""
    return (
        batch.items.filter(outcome=Outcome.REFUSED)
        .select_related("case__teacher", "case__certification_type", "case__county")
        .order_by("position")[:limit]
    )


# --- the worker -------------------------------------------------------------------------------------


def run_batches(budget_seconds: float | None = None) -> int:
    """The worker's job: claim a batch and move its pending items, then the next, for at most
    `budget_seconds` (settings.ISSUING_BUDGET_SECONDS; the chunk under way is finished first);
    returns the items handled. Must not run inside a transaction."""
    budget = settings.ISSUING_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    handled = 0
    while True:
        batch = claim()
        if batch is None:
            break
        moved = work(batch, deadline)
        logger.info("Issuing batch %s: %d items handled by this worker in this pass", batch.pk, moved)
        handled += moved
        if time.monotonic() >= deadline:
            break
    return handled


def _claimable(now) -> Q:
    return Q(status__in=(Status.QUEUED, Status.RUNNING)) & (Q(lease_until__isnull=True) | Q(lease_until__lt=now))


def claim() -> IssuingBatch | None:
    """Take the oldest batch nobody holds (or whose holder's lease has passed) for this worker."""
    now = timezone.now()
    candidates = IssuingBatch.objects.filter(_claimable(now)).order_by("created_at", "pk").values_list("pk", flat=True)
    for pk in candidates[:5]:
        taken = IssuingBatch.objects.filter(_claimable(now), pk=pk).update(
            status=Status.RUNNING,
            claimed_by=WORKER,
            lease_until=now + lease(),
            started_at=Coalesce("started_at", now),
        )
        if taken:
            return IssuingBatch.objects.select_related("created_by").get(pk=pk)
    return None


def _mine(batch: IssuingBatch):
    return IssuingBatch.objects.filter(pk=batch.pk, claimed_by=WORKER, status=Status.RUNNING)


def work(batch: IssuingBatch, deadline: float) -> int:
    """Move the batch's pending items in position order while this worker holds it, a chunk of
    items to a transaction."""
    done, refused = _counts(batch)
    pending = list(
        batch.items.filter(outcome=Outcome.PENDING).order_by("position").values_list("pk", "case_id", "shown_revision")
    )
    size = chunk_size(len(pending))
    handled = 0
    for start in range(0, len(pending), size):
        chunk = pending[start : start + size]
        for outcome in _move_chunk(batch, chunk):
            if outcome == Outcome.DONE:
                done += 1
            elif outcome == Outcome.REFUSED:
                refused += 1
        handled += len(chunk)
        if not _renew(batch, done, refused):
            logger.warning("Issuing batch %s was taken over by another worker", batch.pk)
            return handled
        if time.monotonic() >= deadline:
            _hand_back(batch, done, refused)
            return handled
    _finish(batch)
    return handled


def chunk_size(pending: int) -> int:
    """Items moved in one transaction: a twentieth of what is pending (so that the page's bar moves
    in steps), at least MIN_CHUNK_ITEMS and at most RENEW_EVERY_ITEMS."""
    return max(1, min(RENEW_EVERY_ITEMS, max(MIN_CHUNK_ITEMS, pending // 20)))


def _move_chunk(batch: IssuingBatch, chunk: list[tuple[int, int, int | None]]) -> list[str | None]:
    """A chunk of items: their cases moved by one workflow.transition_many() and the items marked
    done or refused, in one transaction, so a killed worker leaves the chunk whole or untouched.
    Should the chunk fail (a database error, an item another worker marked meanwhile), it is rolled
    back whole and its items are moved one at a time. Returns the outcomes written."""
    try:
        with transaction.atomic():
            return _chunk_in_transaction(batch, chunk)
    except (DatabaseError, _AlreadyHandled):
        logger.warning("Chunk of %d items of issuing batch %s moved one by one", len(chunk), batch.pk, exc_info=True)
    return [_move(batch, item_pk, case_id, shown) for item_pk, case_id, shown in chunk]


def _chunk_in_transaction(batch: IssuingBatch, chunk: list[tuple[int, int, int | None]]) -> list[str | None]:
    # The items first (then the cases, as _move does): of two workers on one batch, the second
    # waits here and then leaves out what the first handled.
    pending = set(
        IssuingBatchItem.objects.select_for_update()
        .filter(pk__in=[item_pk for item_pk, _, _ in chunk], outcome=Outcome.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    items = [(item_pk, case_id, shown) for item_pk, case_id, shown in chunk if item_pk in pending]
    if not items:
        return []
    shown_state = workflow.BY_ACTION[batch.action].sources[0]
    outcomes = workflow.transition_many(
        [case_id for _, case_id, _ in items],
        batch.action,
        actor=batch.created_by,
        expected={case_id: (shown_state if shown is not None else None, shown) for _, case_id, shown in items},
        batch=batch.pk,
    )
    refused = [case_id for case_id, outcome in outcomes.items() if not outcome.moved]
    already = _all_moved_by(batch, refused)
    marks: dict[tuple[str, str], list[int]] = {}
    written = []
    for item_pk, case_id, _ in items:
        outcome = outcomes[case_id]
        mark = (Outcome.DONE, "") if outcome.moved or case_id in already else (Outcome.REFUSED, outcome.refusal)
        marks.setdefault(mark, []).append(item_pk)
        written.append(mark[0])
    for (outcome, message), item_pks in marks.items():
        if _mark_many(item_pks, outcome, message) != len(item_pks):
            # Another worker handled some of these meanwhile: undo the chunk.
            raise _AlreadyHandled
    return written


def _move(batch: IssuingBatch, item_pk: int, case_id: int, shown: int | None) -> str | None:
    """One item: its case's transition and its outcome in one transaction; a refusal is recorded
    on its own. Returns the outcome written (None: the item was not pending any more)."""
    action = batch.action
    shown_state = workflow.BY_ACTION[action].sources[0]
    try:
        with transaction.atomic():
            if not IssuingBatchItem.objects.select_for_update().filter(pk=item_pk, outcome=Outcome.PENDING).exists():
                raise _AlreadyHandled
            outcome = workflow.transition_many(
                [case_id],
                action,
                actor=batch.created_by,
                expected={case_id: (shown_state if shown is not None else None, shown)},
                batch=batch.pk,
            )[case_id]
            if not outcome.moved:
                raise DomainError(outcome.refusal)
            if not _mark(item_pk, Outcome.DONE):
                # Another worker handled this item meanwhile: undo this case's move.
                raise _AlreadyHandled
    except _AlreadyHandled:
        return None
    except DomainError as error:
        if _moved_by(batch, case_id):
            return Outcome.DONE if _mark(item_pk, Outcome.DONE) else None
        return Outcome.REFUSED if _mark(item_pk, Outcome.REFUSED, error.message) else None
    except DatabaseError:
        # This case's transaction is rolled back (its number with it); the batch goes on and the
        # page names the case, so one bad row never leaves the rest of a batch undone.
        logger.exception("%s of case %s in batch %s failed", action, case_id, batch.pk)
        return Outcome.REFUSED if _mark(item_pk, Outcome.REFUSED, FAILED) else None
    return Outcome.DONE


class _AlreadyHandled(Exception):
    pass


def _mark(item_pk: int, outcome: str, message: str = "") -> bool:
    return _mark_many([item_pk], outcome, message) == 1


def _mark_many(item_pks: list[int], outcome: str, message: str = "") -> int:
    return IssuingBatchItem.objects.filter(pk__in=item_pks, outcome=Outcome.PENDING).update(
        outcome=outcome, message=message[:300], done_at=timezone.now()
    )


def _all_moved_by(batch: IssuingBatch, case_ids: list[int]) -> set[int]:
    """Which of these cases this batch already moved (their event carries the batch's id)."""
    if not case_ids:
        return set()
    return set(
        CaseEvent.objects.filter(case_id__in=case_ids, action=batch.action, extra__batch=batch.pk).values_list(
            "case_id", flat=True
        )
    )


def _moved_by(batch: IssuingBatch, case_id: int) -> bool:
    """Whether this batch already moved the case (its event carries the batch's id)."""
    return CaseEvent.objects.filter(case_id=case_id, action=batch.action, extra__batch=batch.pk).exists()


def _counts(batch: IssuingBatch) -> tuple[int, int]:
    counted = batch.items.aggregate(
        done=Count("pk", filter=Q(outcome=Outcome.DONE)), refused=Count("pk", filter=Q(outcome=Outcome.REFUSED))
    )
    return counted["done"], counted["refused"]


def _renew(batch: IssuingBatch, done: int, refused: int) -> bool:
    return bool(_mine(batch).update(lease_until=timezone.now() + lease(), done=done, refused=refused))


def _hand_back(batch: IssuingBatch, done: int, refused: int) -> None:
    # Still 處理中: the next pass of any worker takes it on at once.
    _mine(batch).update(claimed_by="", lease_until=None, done=done, refused=refused)


def _finish(batch: IssuingBatch) -> None:
    done, refused = _counts(batch)
    if batch.items.filter(outcome=Outcome.PENDING).exists():
        # Items a worker that lost its claim left: the next claim takes them.
        _hand_back(batch, done, refused)
        return
    now = timezone.now()
    if _mine(batch).update(
        status=Status.DONE, claimed_by="", lease_until=None, done=done, refused=refused, finished_at=now
    ):
        logger.info("Issuing batch %s (%s) finished: %d done, %d refused", batch.pk, batch.action, done, refused)
