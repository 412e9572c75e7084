"""通過 → 通過可產證 → 已發證: 管理者 approves passed cases in batches and issues their certificates.

Each case moves by the workflow's "approve" and "issue" rows; numbering is the "issue" row's
effect (certification.certificates), so a number exists exactly when the case is 已發證.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError

from proteacher.accounts.models import User
from proteacher.certification import workflow
from proteacher.certification.models import Case
from proteacher.errors import DomainError

logger = logging.getLogger(__name__)

FAILED = "系統發生錯誤，此案未處理，請稍後再試。"


@dataclass
class BatchResult:
    """What a batch did: the cases moved, and each refused case with the reason."""

    done: list[Case] = field(default_factory=list)
    refused: list[tuple[Case, str]] = field(default_factory=list)


def _run(action: str, selection: Iterable[tuple[int, int | None]], actor: User) -> BatchResult:
    # Each case in its own transaction (inside transition): one refusal or failure stops nothing
    # else, and a long batch never holds more than one case and one counter at a time.
    # In the order given (the page's order, which is the order numbers are handed out in).
    revisions = dict(selection)
    found = Case.objects.filter(pk__in=revisions).select_related("teacher", "certification_type", "county")
    by_pk = {case.pk: case for case in found}
    cases = [by_pk[pk] for pk in revisions if pk in by_pk]
    # The page lists only cases in the action's source state: that, with the revision it posted,
    # is the case as the page showed it, so the workflow can tell a case someone else already
    # moved (此申請已經處理過 …) from a page merely out of date.
    shown_state = workflow.BY_ACTION[action].sources[0]
    result = BatchResult()
    for case in cases:
        shown = revisions[case.pk]
        try:
            workflow.transition(
                case,
                action,
                actor=actor,
                expected_state=shown_state if shown is not None else None,
                expected_revision=shown,
            )
        except DomainError as error:
            result.refused.append((case, error.message))
        except DatabaseError:
            # This case's transaction is rolled back (its number with it); the batch goes on and
            # the page names the case, so one bad row never leaves the rest of a batch undone.
            logger.exception("%s of case %s failed", action, case.pk)
            result.refused.append((case, FAILED))
        else:
            result.done.append(case)
    return result


def approve_batch(selection: Iterable[tuple[int, int | None]], actor: User) -> BatchResult:
    """核定可產證: each chosen 通過 case → 通過可產證. `selection` is (case id, the revision the page
    showed, or None not to check)."""
    return _run("approve", selection, actor)


def issue_certificates(selection: Iterable[tuple[int, int | None]], actor: User) -> BatchResult:
    """發證: each chosen 通過可產證 case gets its number and 數位研習證明 → 已發證."""
    return _run("issue", selection, actor)
