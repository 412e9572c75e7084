from proteacher.registry.importers import OldCertificateImporter
from proteacher.registry.management.base import ImportCommand


class Command(ImportCommand):
    help = (
        "匯入舊系統證號（全教網帳號、學年度、證號類別、證號、證號取得時間）；"
        "任一行有誤即全部不匯入（見 docs/imports.md）"
    )
    importer_class = OldCertificateImporter
