from proteacher.registry.importers import TrainingImporter
from proteacher.registry.management.base import ImportCommand


class Command(ImportCommand):
    help = "匯入研習時數（全教網帳號、課程名稱、類別、時數、研習日期）；任一行有誤即全部不匯入（見 docs/imports.md）"
    importer_class = TrainingImporter
