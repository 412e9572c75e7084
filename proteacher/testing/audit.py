"""Reading the audit log in tests: what a change or a look wrote, in the order written."""

from proteacher.audit.models import AuditEntry


def entries(*actions: str) -> list[AuditEntry]:
    """Every entry (of these actions, when given), oldest first."""
    found = AuditEntry.objects.order_by("id")
    return list(found.filter(action__in=actions) if actions else found)


def the_entry(action: str) -> AuditEntry:
    """The one entry of `action`; fails when there is none or more than one."""
    found = entries(action)
    assert len(found) == 1, [(entry.action, entry.target) for entry in found]
    return found[0]


def who_whose_what(entry: AuditEntry) -> tuple:
    """(actor id, subject id, case id, target): what each test of a recorded change checks."""
    return entry.actor_id, entry.subject_id, entry.case_id, entry.target
