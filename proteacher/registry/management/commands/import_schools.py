from proteacher.registry.importers import SchoolImporter
from proteacher.registry.management.base import ImportCommand


class Command(ImportCommand):
    help = "匯入學校（學校代碼、學校名稱、縣市）；任一行有誤即全部不匯入（見 docs/imports.md）"
    importer_class = SchoolImporter
