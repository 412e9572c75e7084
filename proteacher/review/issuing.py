"""通過 → 通過可產證 → 已發證: 管理者 approves passed cases in batches and issues their certificates.

A certificate number is `{縣市簡稱}證號第{類別字母}{學年度 3 位}{流水號 6 位}號` (臺北證號第B108000013號),
counted per county, type and academic year. The serial is taken inside the "issue" transition
(numbering is its side effect), with the counter row locked, so a number exists exactly when the
case is 已發證: a refused or failed issue rolls its number back with everything else and the
next case gets it, which keeps the numbers gap-free. A number once committed is never handed out
again (the counter only goes up, and Certificate's unique constraint stands behind it).
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.certification import workflow
from proteacher.certification.models import (
    Case,
    Certificate,
    CertificateKind,
    CertificateSerial,
    TrainingCertificate,
)
from proteacher.certification.workflow import WorkflowError

logger = logging.getLogger(__name__)

FAILED = "系統發生錯誤，此案未處理，請稍後再試。"


def certificate_number(county_short_name: str, letter: str, academic_year: int, serial: int) -> str:
    """臺北證號第B108000013號 for 臺北, B, 108 and 13."""
    return f"{county_short_name}證號第{letter}{academic_year:03d}{serial:06d}號"


def training_certificate_title(certification_type) -> str:
    return f"{certification_type.training_name}培訓 數位研習證明"


def number_certificate(case: Case, actor: User | None, data: dict) -> None:
    """issue: the next serial of the case's county, type and year, the certificate and the
    數位研習證明, inside the transition's transaction (the case row is already locked)."""
    if case.county_id is None:
        raise WorkflowError("此申請沒有所屬縣市，無法編列證號。")
    kind = case.certification_type
    # The counter row is the lock that orders concurrent issuers of one county, type and year.
    # get_or_create copes with two first issuers at once: the loser's INSERT waits for the
    # winner's commit, fails on the unique constraint, and the FOR UPDATE read then finds the row.
    counter, _ = CertificateSerial.objects.select_for_update().get_or_create(
        county_id=case.county_id, certification_type=kind, academic_year=case.academic_year
    )
    counter.last_serial += 1
    counter.save(update_fields=["last_serial"])
    number = certificate_number(
        case.county.short_name, kind.certificate_letter, case.academic_year, counter.last_serial
    )
    now = timezone.now()
    Certificate.objects.create(
        teacher_id=case.teacher_id,
        kind=CertificateKind(kind.code),
        academic_year=case.academic_year,
        number=number,
        issued_at=now,
        source=Certificate.Source.ISSUED,
        case=case,
        county_id=case.county_id,
        serial=counter.last_serial,
    )
    TrainingCertificate.objects.create(
        teacher_id=case.teacher_id, case=case, title=training_certificate_title(kind), issued_at=now
    )
    # Recorded on the event (its extra) with the change it belongs to.
    data["certificate_number"] = number


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
    shown_state = next(step.sources[0] for step in workflow.TRANSITIONS if step.action == action)
    result = BatchResult()
    for case in cases:
        shown = Case(pk=case.pk, state=shown_state, revision=revisions[case.pk] or 0)
        try:
            workflow.transition(shown, action, actor, expected_revision=revisions[case.pk])
        except WorkflowError as error:
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
