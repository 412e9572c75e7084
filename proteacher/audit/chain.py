"""The hash chain over audit entries: each sealed entry carries the SHA-256 of its own content and
of the entry sealed before it, so changing or removing any sealed entry breaks every hash after it.

Entries are sealed after they are written, in batches by the worker (`seal`), not as they are
written: a chain extended inside every saving transaction would make every save on the platform
wait for every other. The chain's order is the sealing order (`seq` 1, 2, 3 …); an entry that
commits late is sealed on a later pass.

`verify` recomputes the chain from the first entry (`manage.py verify_audit`).
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction

from proteacher.audit.models import AuditEntry, ChainHead

BATCH = 1000
CONTENT = ("at", "action", "actor_id", "actor_role", "actor_name", "subject_id", "case_id", "target", "data", "ip")


def entry_hash(entry: AuditEntry, seq: int, prev_hash: str) -> str:
    content = {name: getattr(entry, name) for name in CONTENT}
    content["at"] = entry.at.isoformat(timespec="microseconds")
    canonical = json.dumps([seq, prev_hash, content], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal(batch: int = BATCH) -> int:
    """Seal the entries written since the last pass, oldest first; returns how many. Safe on
    several workers at once: the chain's head row is locked while a batch is sealed."""
    sealed = 0
    while True:
        with transaction.atomic():
            head = _locked_head()
            pending = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:batch])
            for entry in pending:
                seq = head.seq + 1
                entry_hash_value = entry_hash(entry, seq, head.hash)
                # The one update the database allows on an entry (audit migrations: the trigger).
                AuditEntry.objects.filter(pk=entry.pk, seq__isnull=True).update(
                    seq=seq, prev_hash=head.hash, hash=entry_hash_value
                )
                head.seq, head.hash = seq, entry_hash_value
            if pending:
                head.save(update_fields=["seq", "hash"])
        sealed += len(pending)
        if len(pending) < batch:
            return sealed


def _locked_head() -> ChainHead:
    """The head row, locked. A database without one (emptied by a test's flush, or restored without
    it) starts it again from the last sealed entry, so sealing carries on the chain."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").first()
        start = {"seq": last.seq, "hash": last.hash} if last else {}
        ChainHead.objects.get_or_create(pk=1, defaults=start)
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass
class Verdict:
    checked: int
    unsealed: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(chunk: int = 5000) -> Verdict:
    """Recompute every sealed entry's hash in chain order. A changed entry, a removed one (a gap in
    `seq`) and a head that does not match the last entry are each reported."""
    problems: list[str] = []
    expected_seq, prev_hash, checked = 1, "", 0
    while True:
        entries = list(AuditEntry.objects.filter(seq__gte=expected_seq).order_by("seq")[:chunk])
        for entry in entries:
            if entry.seq != expected_seq:
                problems.append(f"entries {expected_seq}–{entry.seq - 1} of the chain are missing")
                expected_seq = entry.seq
            if entry.prev_hash != prev_hash:
                problems.append(f"entry {entry.seq} (id {entry.pk}) does not follow the entry before it")
            if entry.hash != entry_hash(entry, entry.seq, entry.prev_hash):
                problems.append(f"entry {entry.seq} (id {entry.pk}) was changed after it was sealed")
            prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
        if len(entries) < chunk:
            break
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev_hash):
        problems.append(f"the chain ends at entry {expected_seq - 1}, but was sealed up to entry {head.seq}")
    unsealed = AuditEntry.objects.filter(seq__isnull=True).count()
    return Verdict(checked, unsealed, problems)
