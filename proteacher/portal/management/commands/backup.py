"""A backup of the database and of every stored file, with a manifest of their SHA-256 sums.

    manage.py backup                  # into VAR_DIR/backups/<date-time>/
    manage.py backup --to /srv/backups/2026-12-05

What it holds and how to restore it: README.md, "Backups"; the details in proteacher.portal.backups.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proteacher.errors import DomainError
from proteacher.portal import backups


class Command(BaseCommand):
    help = "Back up the database (pg_dump, or a copy of the SQLite file) and every stored file, with a manifest."

    def add_arguments(self, parser):
        parser.add_argument("--to", type=Path, help="a new or empty folder (default: VAR_DIR/backups/<date-time>)")

    def handle(self, *args, to: Path | None = None, **options):
        target = to or backups.default_target()
        began = time.monotonic()
        try:
            manifest = backups.backup(target)
        except DomainError as refused:
            raise CommandError(refused.message) from refused
        rows = sum(manifest["tables"].values())
        stored = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(
            f"備份完成：{target.resolve()}（{time.monotonic() - began:.1f} 秒）\n"
            f"資料庫 {manifest['database']['name']}：{len(manifest['tables'])} 個資料表、{rows} 筆，"
            f"備份檔 {manifest['database']['size']} 位元組\n"
            f"檔案 {len(manifest['files'])} 個，共 {stored} 位元組"
        )
        for name in manifest["vanished"]:
            self.stdout.write(f"備份時已刪除（未備份）：{name}")
