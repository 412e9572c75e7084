"""The audit log is append-only and hash-chained: a sealed entry changed or removed behind the
platform's back is found by verify_audit."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from proteacher.audit import chain
from proteacher.audit.log import record
from proteacher.audit.models import AppendOnlyError, AuditEntry, ChainHead

pytestmark = pytest.mark.django_db


def entries(count: int, teacher) -> list[AuditEntry]:
    return [
        record("slot.save", actor=teacher, subject=teacher, case=7, target=f"表單 {n}", data={"revision": n})
        for n in range(1, count + 1)
    ]


def test_an_entry_names_who_whose_what_and_from_where(teacher):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    request.user = teacher

    entry = record("file.view", request=request, subject=teacher.pk, case=3, target="觀察前會談紀錄表-甲")

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.actor_role, entry.actor_name) == (teacher.pk, "teacher", teacher.name)
    assert (entry.subject_id, entry.case_id, entry.target) == (teacher.pk, 3, "觀察前會談紀錄表-甲")
    assert entry.ip == "203.0.113.9"


def test_the_model_refuses_to_change_or_delete_an_entry(teacher):
    entry = record("login.ok", actor=teacher)
    entry.target = "改過"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_sealed_entries_verify_and_later_ones_join_the_chain(teacher):
    entries(3, teacher)
    assert chain.seal() == 3
    record("slot.autosave", actor=teacher)
    assert chain.seal() == 1
    assert chain.seal() == 0

    verdict = chain.verify()
    assert (verdict.ok, verdict.checked, verdict.unsealed) == (True, 4, 0)
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4]


def as_superuser(sql: str, params: list) -> None:
    """What someone with the database's superuser (or, on SQLite, the file) can do anyway."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_an_entry_changed_behind_the_platforms_back_is_found(teacher, capsys):
    first, second, third = entries(3, teacher)
    chain.seal()
    as_superuser("UPDATE audit_auditentry SET target = %s WHERE id = %s", ["改寫過的", second.pk])

    verdict = chain.verify()

    assert not verdict.ok
    assert verdict.problems == [f"entry 2 (id {second.pk}) was changed after it was sealed"]
    with pytest.raises(CommandError, match="the audit chain is broken"):
        call_command("verify_audit")


def test_an_entry_removed_behind_the_platforms_back_is_found(teacher):
    first, second, third = entries(3, teacher)
    chain.seal()
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [second.pk])

    problems = chain.verify().problems

    assert "entries 2–2 of the chain are missing" in problems
    assert f"entry 3 (id {third.pk}) does not follow the entry before it" in problems


def test_the_last_entry_removed_is_found_by_the_head(teacher):
    *_, last = entries(2, teacher)
    chain.seal()
    as_superuser("DELETE FROM audit_auditentry WHERE id = %s", [last.pk])

    assert chain.verify().problems == ["the chain ends at entry 1, but was sealed up to entry 2"]


def test_verify_audit_reports_an_intact_chain(teacher, capsys):
    entries(2, teacher)

    call_command("verify_audit", "--seal")

    out = capsys.readouterr().out
    assert "sealed 2 entries" in out and "audit chain intact: 2 entries sealed, 0 waiting to be sealed" in out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers are PostgreSQL's")
def test_on_postgresql_the_platforms_role_cannot_change_or_delete_an_entry(teacher):
    sealed, unsealed = entries(2, teacher)
    AuditEntry.objects.filter(pk=sealed.pk).update(seq=1, prev_hash="", hash="0" * 64)
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'proteacher_app_probe') "
            "THEN CREATE ROLE proteacher_app_probe NOLOGIN; END IF; END $$"
        )
        cursor.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_auditentry TO proteacher_app_probe")
        cursor.execute("SET ROLE proteacher_app_probe")
    try:
        for sql in (
            f"UPDATE audit_auditentry SET target = 'x' WHERE id = {sealed.pk}",
            f"UPDATE audit_auditentry SET target = 'x' WHERE id = {unsealed.pk}",
            f"UPDATE audit_auditentry SET seq = 99 WHERE id = {sealed.pk}",
            f"DELETE FROM audit_auditentry WHERE id = {unsealed.pk}",
            "TRUNCATE audit_auditentry",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        # Sealing, and nothing else, passes.
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE audit_auditentry SET seq = 2, prev_hash = 'a', hash = 'b' WHERE id = {unsealed.pk}")
            assert cursor.rowcount == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_sealing_carries_on_the_chain_when_its_head_row_is_gone(teacher):
    entries(2, teacher)
    chain.seal()
    ChainHead.objects.all().delete()  # a test's flush, or a restore without it
    record("slot.autosave", actor=teacher)

    assert chain.seal() == 1

    verdict = chain.verify()
    assert (verdict.ok, verdict.checked) == (True, 3)
