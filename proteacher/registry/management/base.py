"""What every `import_*` command shares: one file, an optional dry run, a Chinese summary."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from proteacher.registry.importing import Importer, run_import


class ImportCommand(BaseCommand):
    importer_class: type[Importer]

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV（UTF-8 或 Big5 編碼）或 Excel（.xlsx）檔；第一行為標題列")
        parser.add_argument("--dry-run", action="store_true", help="只檢查檔案並顯示將新增、更新的筆數，不寫入資料庫")

    def handle(self, *args, file: str, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到檔案：{file}")
        importer = self.importer_class()
        result = run_import(importer, path, dry_run=dry_run)
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            # CommandError makes the exit status non-zero, which scripts and CI rely on.
            raise CommandError(f"{importer.title}：{result.summary()}")
        self.stdout.write(self.style.SUCCESS(f"{importer.title}：{result.summary()}"))
