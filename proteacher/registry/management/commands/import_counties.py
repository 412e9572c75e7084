from proteacher.registry.importers import CountyImporter
from proteacher.registry.management.base import ImportCommand


class Command(ImportCommand):
    help = "匯入縣市（代碼、縣市、簡稱）；任一行有誤即全部不匯入（見 docs/imports.md）"
    importer_class = CountyImporter
