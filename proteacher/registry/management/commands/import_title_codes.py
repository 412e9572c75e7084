from proteacher.registry.importers import TitleCodeImporter
from proteacher.registry.management.base import ImportCommand


class Command(ImportCommand):
    help = "匯入職稱代碼（職稱代碼、職稱、是否正式教師）；任一行有誤即全部不匯入（見 docs/imports.md）"
    importer_class = TitleCodeImporter
