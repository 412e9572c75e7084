"""Backups that restore (README, "Backups"): `manage.py backup` and `manage.py restore_check`.

A backup is one folder:

    db.dump         PostgreSQL: `pg_dump --format=custom` of the DATABASE_URL database
    db.sqlite3      SQLite: a copy made with SQLite's own backup API (instead of db.dump)
    files/          every file of default_storage (the local folder or S3), under its own name
    manifest.json   written last: when, which database, the rows of every table, and the size
                    and SHA-256 of the dump and of every file

On PostgreSQL the rows are counted inside one REPEATABLE READ transaction whose snapshot is
exported (`pg_export_snapshot()`) and handed to pg_dump (`--snapshot`): the counts and the dump
see the very same data even while users write. pg_dump and the counts take only ACCESS SHARE
locks, which block nothing but a change of a table's structure (a migration), so the site keeps
working. The files are read after the dump; a file deleted meanwhile is listed under "vanished",
not treated as an error (its row, if the dump still has one, was being deleted with it).

`restore_check` restores the dump into a scratch database (restore_check_<random>, on the same
server, dropped afterwards unless kept), counts every table's rows there and compares them with
the manifest, and hashes every file under files/ again. Any difference fails the check. Files
changed in the live storage since the backup are reported on request, as information only.

What a backup does not hold: the secrets (SECRET_KEY, the credential signing key file, the S3 and
mail passwords), which are kept and backed up apart from it.
"""

import datetime
import hashlib
import json
import os
import posixpath
import secrets
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump and pg_restore, with argument lists, never a shell
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connections
from django.utils import timezone

from proteacher.errors import DomainError

MANIFEST = "manifest.json"
POSTGRES_DUMP = "db.dump"
SQLITE_COPY = "db.sqlite3"
FILES = "files"
FORMAT = 1
CHUNK = 1024 * 1024
PG_DUMP = shutil.which("pg_dump") or "/usr/bin/pg_dump"
PG_RESTORE = shutil.which("pg_restore") or "/usr/bin/pg_restore"
# The schemas of PostgreSQL itself, whose tables no backup holds.
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")
TABLES_SQL = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL(%s)
      AND n.nspname NOT LIKE 'pg\\_toast%%' AND n.nspname NOT LIKE 'pg\\_temp\\_%%'
    ORDER BY 1, 2
"""


@dataclass
class Check:
    """What restore_check found: each difference fails it; notes are information."""

    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: int = 0
    files: int = 0
    kept: str = ""

    @property
    def ok(self) -> bool:
        return not self.differences


def default_target(now: datetime.datetime | None = None) -> Path:
    """VAR_DIR/backups/<Taipei date and time>, e.g. var/backups/20261205-021500."""
    moment = timezone.localtime(now or timezone.now())
    return Path(settings.VAR_DIR) / "backups" / moment.strftime("%Y%m%d-%H%M%S")


# --- backup ------------------------------------------------------------------------------------


def backup(target: Path, storage: Storage | None = None) -> dict:
    """Write a backup into `target` (a new or empty folder) and return its manifest."""
    storage = storage or default_storage
    target = Path(target).resolve()
    _refuse_inside_storage(target, storage)
    if target.exists() and any(target.iterdir()):
        raise DomainError(f"備份資料夾 {target} 不是空的：請指定新的資料夾。")
    target.mkdir(parents=True, exist_ok=True)
    # It holds every teacher's personal data: readable by the backup's owner only.
    target.chmod(0o700)
    database = connections["default"]
    started = timezone.now()
    if database.vendor == "postgresql":
        dump = target / POSTGRES_DUMP
        tables = _dump_postgres(database.settings_dict, dump)
    elif database.vendor == "sqlite":
        dump = target / SQLITE_COPY
        tables = _copy_sqlite(database, dump)
    else:
        raise DomainError(f"不支援 {database.vendor} 資料庫的備份：請使用 PostgreSQL 或 SQLite。")
    size, digest = _hash_file(dump)
    files, vanished = _copy_files(storage, target / FILES)
    manifest = {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "database": {
            "engine": database.vendor,
            "name": _database_label(database.settings_dict),
            "dump": dump.name,
            "size": size,
            "sha256": digest,
        },
        "tables": tables,
        "storage": storage.__class__.__name__,
        "files": files,
        "vanished": vanished,
    }
    # Written last and renamed into place: a folder without manifest.json is an unfinished backup.
    draft = target / (MANIFEST + ".part")
    draft.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    draft.replace(target / MANIFEST)
    return manifest


def _dump_postgres(settings_dict: dict, dump: Path) -> dict[str, int]:
    import psycopg

    _require(PG_DUMP)

    with psycopg.connect(**_connect_args(settings_dict)) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            command = [PG_DUMP, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump}"]
            # Its messages go to a file: a pipe nobody reads while the rows are counted could fill up.
            with tempfile.TemporaryFile() as errors:
                dumping = subprocess.Popen(  # nosec B603 # a fixed program and our own arguments
                    command, env=_libpq_env(settings_dict), stdout=subprocess.DEVNULL, stderr=errors
                )
                try:
                    # Counted while pg_dump reads, in the snapshot it reads: the same rows.
                    tables = _count_postgres(cursor)
                finally:
                    dumping.wait()
                errors.seek(0)
                said = errors.read()
        conn.rollback()
    if dumping.returncode:
        raise DomainError(f"pg_dump 失敗（結束碼 {dumping.returncode}）：{_tail(said)}")
    return tables


def _copy_sqlite(database, copy: Path) -> dict[str, int]:
    database.ensure_connection()
    target = sqlite3.connect(copy)
    try:
        database.connection.backup(target)
        return _count_sqlite(target)
    finally:
        target.close()


def _copy_files(storage: Storage, folder: Path) -> tuple[list[dict], list[str]]:
    folder.mkdir()
    files, vanished = [], []
    for name in sorted(_stored_names(storage)):
        copy = _inside(folder, name)
        copy.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        try:
            with storage.open(name, "rb") as source, copy.open("wb") as out:
                while block := source.read(CHUNK):
                    digest.update(block)
                    size += len(block)
                    out.write(block)
        except FileNotFoundError:
            copy.unlink(missing_ok=True)
            vanished.append(name)
            continue
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    return files, vanished


def _stored_names(storage: Storage, folder: str = ""):
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created holds nothing
        return
    for name in names:
        yield posixpath.join(folder, name) if folder else name
    for sub in folders:
        yield from _stored_names(storage, posixpath.join(folder, sub) if folder else sub)


def _refuse_inside_storage(target: Path, storage: Storage) -> None:
    if not isinstance(storage, FileSystemStorage):
        return
    location = storage.location
    if target.is_relative_to(Path(location).resolve()):
        raise DomainError(f"備份資料夾不可放在檔案儲存區（{location}）之內：請指定其他位置。")


# --- restore_check -----------------------------------------------------------------------------


def restore_check(
    source: Path, keep: bool = False, compare_live: bool = False, storage: Storage | None = None
) -> Check:
    """Restore the backup in `source` apart from the live data and compare it with its manifest."""
    source = Path(source)
    manifest = read_manifest(source)
    check = Check()
    database = manifest.get("database") or {}
    dump = _inside(source, database["dump"]) if database.get("dump") else None
    if dump is None or not dump.is_file():
        check.differences.append(f"資料庫備份檔 {database.get('dump') or '（清單未記載）'} 不存在")
    else:
        size, digest = _hash_file(dump)
        if (size, digest) != (database.get("size"), database.get("sha256")):
            check.differences.append(f"資料庫備份檔 {dump.name} 與清單的 SHA-256 不符")
        else:
            restored = _restore(database.get("engine"), dump, check, keep)
            if restored is not None:
                _compare_tables(manifest.get("tables") or {}, restored, check)
    _compare_files(source, manifest.get("files") or [], check)
    for name in manifest.get("vanished") or []:
        check.notes.append(f"備份時已刪除的檔案（不算差異）：{name}")
    if compare_live:
        _compare_live(manifest.get("files") or [], storage or default_storage, check)
    return check


def read_manifest(source: Path) -> dict:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DomainError(f"{source} 沒有 {MANIFEST}：這不是備份資料夾，或備份沒有完成。") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DomainError(f"{path} 無法讀取：清單已損壞。") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DomainError(f"{path} 不是本平臺可讀的備份清單（format {FORMAT}）。")
    return manifest


def _restore(engine: str | None, dump: Path, check: Check, keep: bool) -> dict[str, int] | None:
    if engine == "postgresql":
        return _restore_postgres(dump, check, keep)
    if engine == "sqlite":
        return _restore_sqlite(dump, check, keep)
    check.differences.append(f"清單的資料庫種類 {engine!r} 無法還原")
    return None


def _restore_postgres(dump: Path, check: Check, keep: bool) -> dict[str, int] | None:
    import psycopg
    from psycopg import sql

    live = connections["default"]
    if live.vendor != "postgresql":
        raise DomainError("這份備份是 PostgreSQL 的：請以 DATABASE_URL 指向一台 PostgreSQL 伺服器再檢查。")
    _require(PG_RESTORE)
    scratch = f"restore_check_{secrets.token_hex(6)}"
    args = _connect_args(live.settings_dict)
    with psycopg.connect(**args, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(scratch)))
    try:
        env = {**_libpq_env(live.settings_dict), "PGDATABASE": scratch}
        command = [PG_RESTORE, "--no-owner", "--no-privileges", "--exit-on-error", "--no-password"]
        restoring = subprocess.run(  # nosec B603 # a fixed program and our own arguments
            [*command, f"--dbname={scratch}", str(dump)], env=env, capture_output=True, check=False
        )
        if restoring.returncode:
            check.differences.append(f"pg_restore 失敗（結束碼 {restoring.returncode}）：{_tail(restoring.stderr)}")
            return None
        with psycopg.connect(**{**args, "dbname": scratch}) as restored, restored.cursor() as cursor:
            return _count_postgres(cursor)
    finally:
        if keep:
            check.kept = scratch
        else:
            with psycopg.connect(**args, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))


def _restore_sqlite(dump: Path, check: Check, keep: bool) -> dict[str, int] | None:
    folder = Path(tempfile.mkdtemp(prefix="restore_check_"))
    copy = folder / SQLITE_COPY
    shutil.copyfile(dump, copy)
    try:
        restored = sqlite3.connect(copy)
        try:
            verdict = restored.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                check.differences.append(f"SQLite 完整性檢查失敗：{verdict}")
                return None
            return _count_sqlite(restored)
        finally:
            restored.close()
    except sqlite3.DatabaseError as error:
        check.differences.append(f"SQLite 備份無法開啟：{error}")
        return None
    finally:
        if keep:
            check.kept = str(copy)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _compare_tables(expected: dict, restored: dict[str, int], check: Check) -> None:
    check.tables = len(restored)
    for table in sorted(set(expected) | set(restored)):
        if table not in restored:
            check.differences.append(f"資料表 {table}：清單有，還原後沒有")
        elif table not in expected:
            check.differences.append(f"資料表 {table}：還原後有，清單沒有")
        elif expected[table] != restored[table]:
            check.differences.append(f"資料表 {table}：清單 {expected[table]} 筆，還原後 {restored[table]} 筆")


def _compare_files(source: Path, listed: list[dict], check: Check) -> None:
    folder = source / FILES
    names = set()
    for entry in listed:
        name = entry.get("name", "")
        names.add(name)
        copy = _inside(folder, name)
        if not copy.is_file():
            check.differences.append(f"檔案 {name}：備份中找不到")
            continue
        size, digest = _hash_file(copy)
        if (size, digest) != (entry.get("size"), entry.get("sha256")):
            check.differences.append(f"檔案 {name}：內容與清單的 SHA-256 不符")
    check.files = len(listed)
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            name = path.relative_to(folder).as_posix()
            if path.is_file() and name not in names:
                check.differences.append(f"檔案 {name}：在備份中，但清單沒有")


def _compare_live(listed: list[dict], storage: Storage, check: Check) -> None:
    backed_up = {entry.get("name"): entry for entry in listed}
    live = set(_stored_names(storage))
    for name, entry in sorted(backed_up.items()):
        if name not in live:
            check.notes.append(f"備份後已刪除：{name}")
            continue
        digest = hashlib.sha256()
        try:
            with storage.open(name, "rb") as source:
                while block := source.read(CHUNK):
                    digest.update(block)
        except FileNotFoundError:
            check.notes.append(f"備份後已刪除：{name}")
            continue
        if digest.hexdigest() != entry.get("sha256"):
            check.notes.append(f"備份後已變更：{name}")
    for name in sorted(live - set(backed_up)):
        check.notes.append(f"備份後新增：{name}")


# --- shared ------------------------------------------------------------------------------------


def _count_postgres(cursor) -> dict[str, int]:
    from psycopg import sql

    cursor.execute(TABLES_SQL, [list(SYSTEM_SCHEMAS)])
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table)))
        counts[table if schema == "public" else f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def _count_sqlite(conn: sqlite3.Connection) -> dict[str, int]:
    listed = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    )
    tables = [row[0] for row in listed]
    counts = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'  # a name read from sqlite_master, quoted as SQLite quotes
        statement = "SELECT count(*) FROM " + quoted  # nosec B608 # an identifier, quoted; no value
        counts[table] = conn.execute(statement).fetchone()[0]
    return counts


def _connect_args(settings_dict: dict) -> dict:
    """psycopg's arguments for the database Django is configured with (its OPTIONS included)."""
    args = {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
    }
    django_only = {"isolation_level", "pool", "server_side_binding", "assume_role"}
    args.update({key: value for key, value in (settings_dict.get("OPTIONS") or {}).items() if key not in django_only})
    return {key: value for key, value in args.items() if value is not None}


def _libpq_env(settings_dict: dict) -> dict[str, str]:
    """The environment that points pg_dump and pg_restore at the database (the password never on a command line)."""
    from django.db.backends.postgresql.client import DatabaseClient

    _, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    found = {
        "PGDATABASE": settings_dict["NAME"],
        "PGHOST": settings_dict.get("HOST") or "",
        "PGPORT": str(settings_dict.get("PORT") or ""),
        "PGUSER": settings_dict.get("USER") or "",
        **(env or {}),
    }
    return {**os.environ, **{key: value for key, value in found.items() if value}}


def _database_label(settings_dict: dict) -> str:
    """The database's name; for SQLite, its file's name."""
    if settings_dict.get("ENGINE", "").endswith("sqlite3"):
        return Path(str(settings_dict["NAME"])).name
    return str(settings_dict["NAME"])


def _require(program: str) -> None:
    if not os.access(program, os.X_OK):
        name = Path(program).name
        raise DomainError(
            f"找不到 {name}：請安裝 PostgreSQL 用戶端工具（Debian：postgresql-client），版本不低於伺服器。"
        )


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while block := source.read(CHUNK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _inside(folder: Path, name: str) -> Path:
    """`folder/name`, refusing a name that would lead out of the folder (a tampered manifest)."""
    path = (folder / name).resolve()
    if not name or not path.is_relative_to(folder.resolve()):
        raise DomainError(f"清單中的名稱「{name}」不在備份資料夾之內：清單已遭變更。")
    return path


def _tail(errors: bytes, lines: int = 5) -> str:
    text = errors.decode("utf-8", "replace").strip().splitlines()
    return " / ".join(text[-lines:]) or "（沒有訊息）"
