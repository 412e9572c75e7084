from proteacher.registry.management.base import ImportCommand
from proteacher.review.roster import ReviewerRosterImporter


class Command(ImportCommand):
    help = (
        "匯入審查委員名冊（帳號、姓名、Email、服務學校、縣市、可審類別）；新委員會收到設定密碼的 Email；"
        "任一行有誤即全部不匯入"
    )
    importer_class = ReviewerRosterImporter
