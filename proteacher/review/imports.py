"""資料匯入 in the browser: a file is uploaded, checked by the worker, confirmed, loaded by the worker.

    submit(kind, file, actor=…, by=…)  → ImportRun in 檢查中 (the file stored, nothing read yet)
    worker: check (a dry run)          → 待確認 with the counts, or 有錯誤 with every bad row
    confirm(run, actor)                → 匯入中
    worker: load (all or nothing)      → 已匯入, or 失敗 with the reason (nothing written)

A run submitted with load_when_clean (a county system's upload) goes from a clean check straight
to 匯入中. The same importers as the `import_*` commands do the reading and checking
(registry.importing.run_import), so a file behaves the same on the command line and here.

The worker (proteacher.worker's `load_imports` job) claims one run at a time with a conditional
UPDATE on (status, lease): of several workers exactly one sets the claim, and a run whose worker
died is taken over once its lease has passed. Every later write of the run names the claim, so a
worker that lost its claim changes nothing.

Progress (rows_done of rows_total): the file is read twice, once by the check and once by the
load, and rows_done is written every registry.importing.PROGRESS_EVERY rows while it is read,
outside any transaction, so the page sees it at once; each of these writes also extends the
lease. Writing the rows is one transaction that cannot show progress to anyone else: the page
says 寫入資料庫中 meanwhile. That transaction also marks the run 已匯入, so a run is never loaded
without being marked, nor marked without being loaded; if the worker dies inside it the database
rolls the rows back and the next worker loads the file again from the start.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.errors import DomainError
from proteacher.registry.importers import IMPORTERS
from proteacher.registry.importing import Importer, ImportResult, run_import
from proteacher.review.models import ImportRun
from proteacher.review.roster import ReviewerRosterImporter
from proteacher.review.school_officer_import import SchoolOfficerImporter
from proteacher.text import clean_text

logger = logging.getLogger(__name__)

State = ImportRun.Status
# The errors a run keeps to show (errors_total counts them all).
ERRORS_KEPT = 1000
# A run whose worker died this many times in one step is given up (失敗) instead of taken again.
MAX_ATTEMPTS = 3
SUFFIXES = (".csv", ".xlsx")
FINISHED = (State.REFUSED, State.DONE, State.FAILED)


@dataclass(frozen=True)
class Kind:
    code: str
    importer: type[Importer]
    sample: str = ""  # a file of samples/, offered for download

    @property
    def label(self) -> str:
        return self.importer.title

    @property
    def columns(self) -> list[str]:
        return [column.label + ("" if column.required else "（可省略）") for column in self.importer.columns]


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("counties", IMPORTERS["counties"], "counties.csv"),
        Kind("schools", IMPORTERS["schools"], "schools.csv"),
        Kind("title_codes", IMPORTERS["title_codes"], "title_codes.csv"),
        Kind("training", IMPORTERS["training"], "training.csv"),
        Kind("old_certificates", IMPORTERS["old_certificates"], "old_certificates.csv"),
        Kind("reviewers", ReviewerRosterImporter, "reviewers.csv"),
        Kind("school_officers", SchoolOfficerImporter, "school_officers.csv"),
    )
}


def max_bytes() -> int:
    return settings.IMPORT_MAX_MEGABYTES * 1024 * 1024


def lease() -> timedelta:
    return timedelta(minutes=settings.IMPORT_LEASE_MINUTES)


def file_size(size: int) -> str:
    """A size as people read it: 820 位元組, 12.5 KB, 63.2 MB."""
    if size < 1024:
        return f"{size} 位元組"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _target(run: ImportRun) -> str:
    return f"{KINDS[run.kind].label}（{run.file_name}）"


# --- what the pages and the API call ---------------------------------------------------------------


def submit(kind: str, file, *, actor, by: str, load_when_clean: bool = False) -> ImportRun:
    """Store an uploaded file as a new run in 檢查中; the worker checks it. Nothing is read here
    beyond what tells a wrong file at once (its type, size and, for .xlsx, its first bytes)."""
    if kind not in KINDS:
        raise DomainError("請選擇資料類別。")
    if file is None:
        raise DomainError("請選擇要匯入的檔案。")
    name = Path(clean_text(getattr(file, "name", "") or "")).name.strip()[:200] or "未命名"
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise DomainError("不支援舊版 Excel（.xls）檔，請另存為 .xlsx 或 CSV 後再匯入。")
    if suffix not in SUFFIXES:
        raise DomainError(f"不支援的檔案類型「{suffix or name}」，請上傳 CSV 或 Excel（.xlsx）檔。")
    size = file.size
    if size > max_bytes():
        raise DomainError(
            f"檔案大小為 {file_size(size)}，超過上限 {file_size(max_bytes())}，請分成幾個較小的檔案後再上傳。"
        )
    if size == 0:
        raise DomainError("檔案是空的，請確認後重新上傳。")
    digest = hashlib.sha256()
    file.seek(0)
    first = b""
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b""):
        first = first or chunk[:4]
        digest.update(chunk)
    if suffix == ".xlsx" and first != b"PK\x03\x04":
        raise DomainError("此檔案不是有效的 Excel（.xlsx）檔，請確認檔案類型後重新上傳。")
    file.seek(0)
    run = ImportRun(
        kind=kind,
        file_name=name,
        size=size,
        sha256=digest.hexdigest(),
        created_by=actor,
        by=(by or "")[:100],
        load_when_clean=load_when_clean,
    )
    # The storage chooses the place; the name only carries the type.
    run.file.save(f"{uuid.uuid4().hex}{suffix}", file, save=False)
    run.save()
    record(
        "import.submit",
        actor=actor,
        target=_target(run),
        data={"run": run.pk, "kind": kind, "file": name, "size": size, "sha256": run.sha256, "by": run.by},
    )
    return run


def confirm(run: ImportRun, actor) -> ImportRun:
    """確認匯入: a checked clean run goes to 匯入中 for the worker. Only once, whoever presses first."""
    now = timezone.now()
    moved = ImportRun.objects.filter(pk=run.pk, status=State.READY).update(
        status=State.LOADING,
        confirmed_at=now,
        confirmed_by=actor,
        rows_done=0,
        claim="",
        leased_until=None,
        attempts=0,
    )
    if not moved:
        raise DomainError("此匯入目前不是「待確認」狀態（可能已由其他管理者確認），未重複匯入；請看下方目前的狀態。")
    record("import.confirm", actor=actor, target=_target(run), data={"run": run.pk})
    run.refresh_from_db()
    return run


def status(run: ImportRun) -> dict:
    """Everything a page or an API client shows of a run, JSON-ready."""
    return {
        "id": run.pk,
        "kind": run.kind,
        "kind_label": KINDS[run.kind].label if run.kind in KINDS else run.kind,
        "state": run.status,
        "state_label": run.get_status_display(),
        "finished": run.status in FINISHED,
        "file_name": run.file_name,
        "size": run.size,
        "sha256": run.sha256,
        "by": run.by,
        "rows_total": run.rows_total,
        "rows_done": run.rows_done,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "errors": run.errors,
        "errors_total": run.errors_total,
        "message": run.message,
        "created_at": run.created_at.isoformat(),
        "checked_at": run.checked_at.isoformat() if run.checked_at else None,
        "confirmed_at": run.confirmed_at.isoformat() if run.confirmed_at else None,
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
    }


# --- the worker --------------------------------------------------------------------------------------


class ClaimLost(Exception):
    """Another worker took the run over: what this one was about to write must not be written."""


def _claimable(now) -> Q:
    return Q(status__in=(State.CHECKING, State.LOADING)) & (Q(leased_until__isnull=True) | Q(leased_until__lt=now))


def claim_next(now=None) -> ImportRun | None:
    """Take the oldest run waiting for the worker (or left by a dead one); None when there is none."""
    now = now or timezone.now()
    waiting = ImportRun.objects.filter(_claimable(now)).order_by("created_at", "pk").values_list("pk", flat=True)
    for pk in list(waiting[:10]):
        token = uuid.uuid4().hex
        taken = ImportRun.objects.filter(_claimable(now), pk=pk).update(
            claim=token, leased_until=now + lease(), attempts=F("attempts") + 1
        )
        if taken:
            return ImportRun.objects.get(pk=pk, claim=token)
    return None


def _mine(run: ImportRun):
    return ImportRun.objects.filter(pk=run.pk, claim=run.claim)


def _finish(run: ImportRun, **fields) -> None:
    if not _mine(run).update(claim="", leased_until=None, **fields):
        raise ClaimLost


def _fail(run: ImportRun, message: str, reason: str) -> None:
    _finish(run, status=State.FAILED, finished_at=timezone.now(), message=message)
    record("import.fail", target=_target(run), data={"run": run.pk, "reason": reason})


def _errors(result: ImportResult) -> dict:
    return {
        "errors": [{"line": error.line, "reason": error.reason} for error in result.errors[:ERRORS_KEPT]],
        "errors_total": len(result.errors),
    }


def process(run: ImportRun) -> ImportRun:
    """Check or load a run this worker has claimed, to its next state."""
    if run.attempts > MAX_ATTEMPTS:
        _fail(run, "處理此檔案的工作程序多次中斷，未匯入任何資料；請確認檔案後重新上傳。", "attempts")
        return run
    if run.status == State.CHECKING:
        _check(run)
        run.refresh_from_db()
    if run.status == State.LOADING and run.claim:
        _load(run)
        run.refresh_from_db()
    return run


def _progress(run: ImportRun):
    read = {"rows": 0}

    def report(rows: int) -> None:
        read["rows"] = rows
        fields = {"rows_done": rows, "leased_until": timezone.now() + lease()}
        if not _mine(run).update(**fields):
            raise ClaimLost

    return report, read


def _open(run: ImportRun):
    return run.file.open("rb")


def _check(run: ImportRun) -> None:
    report, read = _progress(run)
    try:
        with _open(run) as source:
            result = run_import(
                KINDS[run.kind].importer(), source, filename=run.file.name, dry_run=True, progress=report
            )
    except ClaimLost:
        raise
    except Exception:
        logger.exception("Import run %s could not be checked", run.pk)
        _fail(run, "檢查檔案時發生未預期的錯誤，未匯入任何資料；請確認檔案內容後重新上傳。", "check error")
        return
    now = timezone.now()
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    common = {"rows_total": read["rows"], "checked_at": now, **counts, **_errors(result)}
    if result.errors:
        _finish(run, status=State.REFUSED, finished_at=now, rows_done=read["rows"], **common)
    elif run.load_when_clean:
        # Straight on to the load, under the same claim (a fresh count of attempts).
        if not _mine(run).update(status=State.LOADING, rows_done=0, attempts=1, **common):
            raise ClaimLost
    else:
        _finish(run, status=State.READY, rows_done=read["rows"], **common)
    record(
        "import.check",
        target=_target(run),
        data={"run": run.pk, "rows": read["rows"], "errors": len(result.errors), **counts},
    )


def _load(run: ImportRun) -> None:
    report, read = _progress(run)

    def mark_loaded(result: ImportResult) -> None:
        # Inside the load's transaction: the run reads 已匯入 exactly when the rows are there.
        _finish(
            run,
            status=State.DONE,
            finished_at=timezone.now(),
            rows_done=read["rows"],
            rows_total=read["rows"],
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
            errors=[],
            errors_total=0,
            message=result.summary(),
        )

    actor = run.confirmed_by or run.created_by
    importer = KINDS[run.kind].importer()
    # An importer that acts for someone (學校承辦人: the grants are the loader's) reads it here.
    importer.actor = actor
    try:
        with _open(run) as source:
            result = run_import(
                importer,
                source,
                filename=run.file.name,
                actor=actor,
                progress=report,
                on_loaded=mark_loaded,
            )
    except ClaimLost:
        raise
    except Exception:
        logger.exception("Import run %s failed", run.pk)
        _fail(run, "匯入時發生未預期的錯誤，未匯入任何資料；請通知系統管理人員。", "load error")
        return
    if result.errors:
        # The data changed since the check (another import, a school removed …): nothing written.
        _finish(
            run,
            status=State.FAILED,
            finished_at=timezone.now(),
            message="匯入時發現錯誤（資料可能在檢查後有變動），未匯入任何資料；請修正後重新上傳。",
            **_errors(result),
        )
        record(
            "import.fail", target=_target(run), data={"run": run.pk, "reason": "errors", "errors": len(result.errors)}
        )


def load_imports(limit: int = 5) -> int:
    """The worker's job: check or load up to `limit` waiting runs, one at a time. Returns how many."""
    done = 0
    while done < limit:
        run = claim_next()
        if run is None:
            break
        try:
            process(run)
        except ClaimLost:
            logger.warning("Import run %s was taken over by another worker", run.pk)
        done += 1
    return done
