"""Prove a backup restores: restore it into a scratch database, compare every table's rows and
every file's SHA-256 with its manifest. Exits non-zero on any difference.

    manage.py restore_check var/backups/20261205-021500
    manage.py restore_check DIR --keep            # leave the scratch database for a look
    manage.py restore_check DIR --compare-live    # also say which stored files changed since

The scratch database is made on the server of DATABASE_URL (its role needs CREATEDB); the live
database is only read. README.md, "Backups".
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proteacher.errors import DomainError
from proteacher.portal import backups


class Command(BaseCommand):
    help = "Restore a backup into a scratch database and compare its rows and files with the manifest."

    def add_arguments(self, parser):
        parser.add_argument("backup_dir", type=Path, help="a folder written by manage.py backup")
        parser.add_argument("--keep", action="store_true", help="keep the scratch database (or SQLite copy)")
        parser.add_argument(
            "--compare-live", action="store_true", help="also list stored files changed since (information only)"
        )

    def handle(self, *args, backup_dir: Path, keep: bool = False, compare_live: bool = False, **options):
        began = time.monotonic()
        try:
            check = backups.restore_check(backup_dir, keep=keep, compare_live=compare_live)
        except DomainError as refused:
            raise CommandError(refused.message) from refused
        self.stdout.write(
            f"還原檢查 {backup_dir}：{check.tables} 個資料表、{check.files} 個檔案（{time.monotonic() - began:.1f} 秒）"
        )
        for difference in check.differences:
            self.stdout.write(f"差異：{difference}")
        for note in check.notes:
            self.stdout.write(f"說明：{note}")
        if check.kept:
            self.stdout.write(f"保留還原的資料庫：{check.kept}")
        if not check.ok:
            raise CommandError(f"{len(check.differences)} 項差異")
        self.stdout.write("0 項差異")
