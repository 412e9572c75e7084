"""manage.py backup and restore_check: a backup restores to the same rows and files, and any
change to it is found and named."""

import json
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from proteacher.certification.models import Case, SlotAnswer
from proteacher.testing import factories

# pg_dump and the SQLite copy read what is committed: the data must be, not held in a test's transaction.
pytestmark = pytest.mark.django_db(transaction=True)
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump, pg_restore and scratch databases are PostgreSQL's"
)


@pytest.fixture
def platform(taipei_officer, admin_user):
    """Teachers with cases, uploaded PDFs in every slot of one, and a file in a folder of its own."""
    teacher = factories.advanced_candidate()
    case = factories.case(teacher)
    factories.fill_every_slot(case)
    factories.case(factories.teacher(name="林另一", account="t-other", county_name="臺北市", verified=True), "basic")
    default_storage.save("imports/2026/學校.csv", ContentFile("學校代碼,學校名稱,縣市\n".encode()))
    return case


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def backed_up(tmp_path) -> tuple:
    target = tmp_path / "backup"
    run("backup", "--to", str(target))
    return target, json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def test_a_backup_holds_every_table_and_file_and_restores_with_no_difference(platform, tmp_path):
    target, manifest = backed_up(tmp_path)

    assert manifest["database"]["engine"] == connection.vendor
    assert manifest["storage"] == "FileSystemStorage"
    assert manifest["tables"]["certification_case"] == Case.objects.count() == 2
    assert manifest["tables"]["certification_slotanswer"] == SlotAnswer.objects.count() > 0
    names = {entry["name"] for entry in manifest["files"]}
    uploads = [answer.file.name for answer in SlotAnswer.objects.exclude(file="")]
    assert uploads and set(uploads) <= names
    assert "imports/2026/學校.csv" in names
    for entry in manifest["files"]:
        assert (target / "files" / entry["name"]).read_bytes() == default_storage.open(entry["name"]).read()
        assert len(entry["sha256"]) == 64

    report = run("restore_check", str(target))

    assert report.strip().endswith("0 項差異")


def test_one_changed_byte_in_a_backed_up_file_fails_the_check_and_names_the_file(platform, tmp_path):
    target, manifest = backed_up(tmp_path)
    name = SlotAnswer.objects.exclude(file="").first().file.name
    copy = target / "files" / name
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 1
    copy.write_bytes(bytes(data))

    out = _failed_output(target)

    assert f"差異：檔案 {name}：內容與清單的 SHA-256 不符" in out
    assert out.endswith("1 項差異")


def test_a_row_count_that_differs_from_the_manifest_fails_and_names_the_table(platform, tmp_path):
    target, manifest = backed_up(tmp_path)
    manifest["tables"]["certification_case"] += 1
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    out = _failed_output(target)

    assert "資料表 certification_case：清單 3 筆，還原後 2 筆" in out


def test_a_damaged_dump_and_a_missing_or_extra_file_are_each_differences(platform, tmp_path):
    target, manifest = backed_up(tmp_path)
    dump = target / manifest["database"]["dump"]
    dump.write_bytes(dump.read_bytes() + b"\0")
    (target / "files" / "imports/2026/學校.csv").unlink()
    (target / "files" / "extra.txt").write_text("not in the manifest")

    out = _failed_output(target)

    assert f"資料庫備份檔 {dump.name} 與清單的 SHA-256 不符" in out
    assert "檔案 imports/2026/學校.csv：備份中找不到" in out
    assert "檔案 extra.txt：在備份中，但清單沒有" in out


def test_a_file_deleted_while_the_backup_runs_is_noted_not_an_error(platform, tmp_path, monkeypatch):
    opened = default_storage.open

    def deleted_meanwhile(name, mode="rb"):
        if name == "imports/2026/學校.csv":
            raise FileNotFoundError(name)
        return opened(name, mode)

    monkeypatch.setattr(default_storage, "open", deleted_meanwhile)
    target, manifest = backed_up(tmp_path)
    monkeypatch.undo()

    assert manifest["vanished"] == ["imports/2026/學校.csv"]
    assert "imports/2026/學校.csv" not in {entry["name"] for entry in manifest["files"]}
    assert not (target / "files" / "imports/2026/學校.csv").exists()
    report = run("restore_check", str(target))
    assert "備份時已刪除的檔案（不算差異）：imports/2026/學校.csv" in report
    assert report.strip().endswith("0 項差異")


def test_files_changed_in_the_live_storage_since_are_information_not_differences(platform, tmp_path):
    target, _ = backed_up(tmp_path)
    name = SlotAnswer.objects.exclude(file="").first().file.name
    with default_storage.open(name, "wb") as live:
        live.write(b"changed since")
    default_storage.delete("imports/2026/學校.csv")
    added = default_storage.save("later.txt", ContentFile(b"new"))

    report = run("restore_check", str(target), "--compare-live")

    assert f"說明：備份後已變更：{name}" in report
    assert "說明：備份後已刪除：imports/2026/學校.csv" in report
    assert f"說明：備份後新增：{added}" in report
    assert report.strip().endswith("0 項差異")


def test_a_backup_refuses_a_folder_that_is_not_empty_or_inside_the_stored_files(platform, tmp_path, settings):
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "old.txt").write_text("x")
    with pytest.raises(CommandError, match="不是空的"):
        run("backup", "--to", str(tmp_path / "used"))
    with pytest.raises(CommandError, match="不可放在檔案儲存區"):
        run("backup", "--to", str(settings.MEDIA_ROOT / "backups"))


def test_restore_check_of_a_folder_without_a_manifest_says_so(db, tmp_path):
    with pytest.raises(CommandError, match="沒有 manifest.json"):
        run("restore_check", str(tmp_path))


def test_a_tampered_manifest_cannot_lead_outside_the_backup(platform, tmp_path):
    target, manifest = backed_up(tmp_path)
    manifest["files"][0]["name"] = "../../outside.txt"
    (target / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    with pytest.raises(CommandError, match="不在備份資料夾之內"):
        run("restore_check", str(target))


@postgres_only
def test_without_the_postgresql_client_tools_the_backup_says_what_to_install(platform, tmp_path, monkeypatch):
    monkeypatch.setattr("proteacher.portal.backups.PG_DUMP", str(tmp_path / "no" / "pg_dump"))

    with pytest.raises(CommandError, match="找不到 pg_dump：請安裝 PostgreSQL 用戶端工具"):
        run("backup", "--to", str(tmp_path / "backup"))


@postgres_only
def test_the_scratch_database_is_dropped_unless_kept(platform, tmp_path):
    target, _ = backed_up(tmp_path)

    run("restore_check", str(target))
    assert _scratch_databases() == []

    report = run("restore_check", str(target), "--keep")
    kept = _scratch_databases()
    try:
        assert len(kept) == 1 and f"保留還原的資料庫：{kept[0]}" in report
    finally:
        with connection.cursor() as cursor:
            for name in kept:
                cursor.execute("SELECT format('DROP DATABASE %%I', %s::text)", [name])
                cursor.execute(cursor.fetchone()[0])


@postgres_only
def test_the_counts_are_taken_in_the_snapshot_pg_dump_reads(platform, tmp_path, monkeypatch):
    """A row written between the start of the dump and the counting is in neither."""
    from proteacher.portal import backups

    counted = backups._count_postgres

    def with_a_write_first(cursor):
        factories.case(factories.teacher(name="王後到", account="t-late", county_name="臺北市", verified=True), "basic")
        return counted(cursor)

    monkeypatch.setattr(backups, "_count_postgres", with_a_write_first)
    target, manifest = backed_up(tmp_path)
    monkeypatch.undo()

    assert Case.objects.count() == 3
    assert manifest["tables"]["certification_case"] == 2
    assert run("restore_check", str(target)).strip().endswith("0 項差異")


def _failed_output(target) -> str:
    """What a failing restore_check prints, then the error it exits with."""
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("restore_check", str(target), stdout=out)
    return out.getvalue() + str(failed.value)


def _scratch_databases() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'restore\\_check\\_%%' ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def test_the_files_are_read_through_the_storage_so_an_object_store_is_backed_up_too(db, tmp_path):
    """Any storage, not only a local folder (S3 when S3_BUCKET is set): here one held in memory."""
    from django.core.files.storage import InMemoryStorage

    from proteacher.portal import backups

    store = InMemoryStorage()
    store.save("answers/2026/一.pdf", ContentFile(factories.pdf_bytes()))
    store.save("top.txt", ContentFile(b"top"))

    manifest = backups.backup(tmp_path / "backup", storage=store)

    assert [entry["name"] for entry in manifest["files"]] == ["answers/2026/一.pdf", "top.txt"]
    assert (tmp_path / "backup" / "files" / "top.txt").read_bytes() == b"top"
    store.delete("top.txt")
    check = backups.restore_check(tmp_path / "backup", compare_live=True, storage=store)
    assert check.ok and check.files == 2
    assert check.notes == ["備份後已刪除：top.txt"]
