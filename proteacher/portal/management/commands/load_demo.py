"""Demo data for a newcomer's `make run`: master data, staff accounts, two verified teachers.

Running it again gives the same data: files are loaded with the importers (update or create by
natural key), accounts are created only when missing, so a password someone changed is kept.

The teachers of DEMO_IDENTITIES are treated as follows (the development identity page offers them):
- t-eligible (進階), t-basic (初階), t-mentor (教學輔導教師) and t-ineligible: signed in and through
  教師驗證, exactly as the SSO login and the verification services would leave them, so that each
  shipped certification type has a teacher who may apply;
- t-first and t-nodata: not created (their first login is the point), only their old-system and
  training records are loaded;
- t-unknown: nothing; its school, county and title code must stay unknown to master data.
"""

import csv
import datetime
import io

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from proteacher.accounts import school_officers, second_factor
from proteacher.accounts.demo_identities import (
    DEMO_IDENTITIES,
    DEMO_PASSWORD,
    DEMO_RECOVERY_CODES,
    DEMO_TOTP_KEY,
)
from proteacher.accounts.identity import teacher_from_claims
from proteacher.accounts.models import Role, TeacherProfile, User
from proteacher.accounts.services import create_staff_account
from proteacher.accounts.verification import Decision
from proteacher.certification import defaults as certification_defaults
from proteacher.certification import periods
from proteacher.certification.deadlines import PERIOD_FIELDS, TAIPEI
from proteacher.certification.models import ApplicationRoute, CertificationType, FormSlot, RuleSet
from proteacher.certification.transfer import complete_transfer
from proteacher.dates import ROC_OFFSET, academic_year_bounds, current_academic_year
from proteacher.registry.importers import (
    CountyImporter,
    OldCertificateImporter,
    SchoolImporter,
    TitleCodeImporter,
    TrainingImporter,
)
from proteacher.registry.importing import Importer, run_import
from proteacher.registry.models import County, School
from proteacher.review.models import Reviewer

SAMPLE_FILES: list[tuple[type[Importer], str]] = [
    # The counties and the certification types ship with the migrations; loading them again costs
    # nothing and makes the command whole on a database that was emptied (a flushed test database).
    (CountyImporter, "counties.csv"),
    (SchoolImporter, "schools.csv"),
    (TitleCodeImporter, "title_codes.csv"),
    (OldCertificateImporter, "old_certificates.csv"),
    (TrainingImporter, "training.csv"),
]

# username, role, name, county (縣市 accounts only)
STAFF = [
    ("admin", Role.ADMIN, "工作小組管理者", None),
    ("taipei", Role.COUNTY, "臺北市教專中心", "臺北市"),
    ("taichung", Role.COUNTY, "臺中市教專中心", "臺中市"),
    ("reviewer1", Role.REVIEWER, "王委員", None),
    ("reviewer2", Role.REVIEWER, "李委員", None),
]
# 服務學校 of the demo 委員. reviewer2 works at t-eligible's school: the case where a reviewer must
# not review a colleague (分發委員 greys them out); reviewer1 may review it.
REVIEWER_SCHOOLS = {"reviewer1": "臺北市立建國高級中學", "reviewer2": "臺北市立成淵高級中學"}
# 學校承辦人 granted by the 臺北市 officer: t-eligible acts for its own school (學校專區 in the menu).
SCHOOL_OFFICERS = [("taipei", "t-eligible", "臺北市立成淵高級中學")]

# What each verified demo teacher typed at 教師驗證 step 1.
VERIFIED_TEACHERS = {
    "t-eligible": {
        "phone": "02-25525361",
        "levels": ["國中", "高中"],
        "domains": ["語文"],
        "formal_since": lambda year: datetime.date(2015, 8, 1),
        "teaching_years": 10,
    },
    "t-basic": {
        "phone": "02-23210168",
        "levels": ["國小"],
        "domains": ["數學"],
        "formal_since": lambda year: datetime.date(2020, 8, 1),
        "teaching_years": 6,
    },
    "t-mentor": {
        "phone": "02-27582575",
        "levels": ["國中"],
        "domains": ["自然科學"],
        # Well past the five years 教學輔導教師 asks for, whatever the year.
        "formal_since": lambda year: datetime.date(2008, 8, 1),
        "teaching_years": 18,
    },
    "t-ineligible": {
        "phone": "04-23860188",
        "levels": ["國中"],
        "domains": ["數學"],
        # Two academic years ago: short of the three years 進階 asks for, whatever the year.
        "formal_since": lambda year: datetime.date(year + ROC_OFFSET - 2, 8, 1),
        "teaching_years": 1,
    },
}


def demo_training_rows(year: int) -> list[tuple[str, str, str, str, datetime.date]]:
    """Training that makes each demo teacher eligible (or not) in academic year `year`.

    Mostly in the previous academic year, so that it counts this year and next, and is past:
    t-eligible: 12 h 進階培訓 + 6 h 進階實務探討 = 18 h (進階 asks 18 h in the current and previous
    years); t-mentor: 24 h 教學輔導教師培訓 + 6 h 實務探討 = 30 h (within three academic years);
    t-ineligible: 6 h. t-basic: 6 h 初階培訓 on the first day of the current academic year (初階
    counts only this year's; that day has always passed).
    """
    start = year + ROC_OFFSET - 1  # the previous academic year runs 1 August start … 31 July start+1
    this_year = datetime.date(start + 1, 8, 1)
    mentor = [
        ("教學輔導教師培訓 3-1 教學輔導理念與實務", "教學輔導教師培訓", "6", datetime.date(start, 9, 7)),
        ("教學輔導教師培訓 3-2 同儕輔導與溝通", "教學輔導教師培訓", "6", datetime.date(start, 9, 14)),
        ("教學輔導教師培訓 3-3 教學觀察與回饋進階", "教學輔導教師培訓", "6", datetime.date(start, 10, 5)),
        ("教學輔導教師培訓 3-4 輔導案例研討", "教學輔導教師培訓", "6", datetime.date(start, 10, 12)),
        ("教學輔導教師培訓 3-5 教學輔導實務探討", "教學輔導教師實務探討", "6", datetime.date(start + 1, 3, 21)),
    ]
    return [
        ("t-basic", "初階專業回饋人才培訓 1-1 認識教學觀察與回饋", "初階培訓", "3", this_year),
        ("t-basic", "初階專業回饋人才培訓 1-2 觀察前會談與觀察工具", "初階培訓", "3", this_year),
        *[("t-mentor", course, category, hours, day) for course, category, hours, day in mentor],
        ("t-eligible", "進階專業回饋人才培訓 2-1 教學觀察與回饋實務", "進階培訓", "6", datetime.date(start, 10, 19)),
        (
            "t-eligible",
            "進階專業回饋人才培訓 2-2 專業學習社群與共同備課",
            "進階培訓",
            "6",
            datetime.date(start, 10, 20),
        ),
        (
            "t-eligible",
            "進階專業回饋人才培訓 2-4 專業回饋實務探討",
            "進階實務探討",
            "6",
            datetime.date(start + 1, 3, 15),
        ),
        ("t-ineligible", "進階專業回饋人才培訓 2-1 教學觀察與回饋實務", "進階培訓", "6", datetime.date(start, 11, 16)),
    ]


class Command(BaseCommand):
    help = "載入示範資料：學校、職稱代碼、縣市與管理者帳號、示範教師與其證號及研習時數（可重複執行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="DEBUG 關閉時仍載入（示範帳號的密碼公開，正式環境切勿使用）",
        )

    def handle(self, *args, force: bool, **options):
        # The staff accounts' password is published in the README: never on a live platform by accident.
        if not settings.DEBUG and not force:
            raise CommandError("示範資料只在開發環境（DEBUG=1）載入；確定要載入請加上 --force。")
        with transaction.atomic():
            certification_defaults.install(CertificationType, FormSlot, RuleSet)
            certification_defaults.install_routes(CertificationType, ApplicationRoute)
            self.load_samples()
            self.load_demo_old_certificates()
            self.create_staff()
            self.create_reviewers()
            self.create_teachers()
            self.grant_school_officers()
            self.load_demo_training()
            self.create_periods()
        self.stdout.write(self.style.SUCCESS(f"示範資料載入完成。縣市與管理者登入的密碼皆為 {DEMO_PASSWORD}"))
        self.stdout.write(
            f"雙因素驗證：驗證器 App 手動輸入金鑰 {DEMO_TOTP_KEY}（依時間），"
            f"或輸入復原碼（每組限用一次）：{'、'.join(DEMO_RECOVERY_CODES)}"
        )

    def load_samples(self) -> None:
        folder = settings.BASE_DIR / "samples"
        for importer_class, name in SAMPLE_FILES:
            self.report(run_import(importer_class(), folder / name), f"（samples/{name}）")

    def report(self, result, source: str) -> None:
        if result.errors:
            details = "\n".join(str(error) for error in result.errors)
            raise CommandError(f"{result.title}{source}：{result.summary()}\n{details}")
        self.stdout.write(f"{result.title}{source}：{result.summary()}")

    def create_staff(self) -> None:
        for username, role, name, county_name in STAFF:
            if User.objects.filter(username__iexact=username).exists():
                self.stdout.write(f"帳號 {username}（{name}）已存在，未變更")
                continue
            county = None
            if county_name:
                county = County.objects.get(name=county_name)
            # The same service as the staff-account page, so demo accounts pass the same checks.
            create_staff_account(
                username=username,
                name=name,
                email=f"{username}@proteacher.example.tw",
                role=role,
                password=DEMO_PASSWORD,
                county=county,
            )
            self.stdout.write(f"已建立帳號 {username}（{Role(role).label}：{name}）")
        self.give_second_factors()

    def give_second_factors(self) -> None:
        """The published authenticator key and recovery codes, for demo accounts without a factor
        (one someone set up or reset since is kept, as passwords are)."""
        for username, _, name, _ in STAFF:
            user = User.objects.get(username__iexact=username)
            if second_factor.is_enrolled(user) or second_factor.recovery_device(user):
                continue
            second_factor.give_authenticator(user, DEMO_TOTP_KEY)
            second_factor.new_recovery_codes(user, codes=DEMO_RECOVERY_CODES)
            self.stdout.write(f"已為帳號 {username}（{name}）設定示範用的雙因素驗證")

    def create_reviewers(self) -> None:
        """The demo 委員's Reviewer rows; a school someone changed since is kept, as passwords are."""
        for username, school_name in REVIEWER_SCHOOLS.items():
            user = User.objects.get(username__iexact=username)
            school = School.objects.get(name=school_name)
            _, created = Reviewer.objects.get_or_create(user=user, defaults={"school": school})
            if created:
                self.stdout.write(f"已設定委員 {username} 的服務學校：{school.name}")

    def create_periods(self) -> None:
        """A national period (期程) of this academic year for every type, open the whole year so the
        demo can apply any day, with the usual revision, review and 申復 days; one someone set up
        since is kept."""
        year = current_academic_year()
        first, last = academic_year_bounds(year)
        values = {
            "apply_opens_at": datetime.datetime.combine(first, datetime.time(8, 0), tzinfo=TAIPEI),
            "apply_closes_at": datetime.datetime.combine(last, datetime.time(23, 59), tzinfo=TAIPEI),
            "revision_days": 30,
            "appeal_revision_days": 30,
            "review_days": 21,
            "appeal_window_days": 10,
        }
        for kind in CertificationType.objects.all():
            if periods.period_row(kind, year) is not None:
                continue
            periods.save_period(kind, year, None, dict.fromkeys(PERIOD_FIELDS) | values, actor=None)
            self.stdout.write(f"已設定{kind.name} {year}學年度全國期程")

    def create_teachers(self) -> None:
        year = current_academic_year()
        identities = {identity["sub"]: identity for identity in DEMO_IDENTITIES}
        for sub, answers in VERIFIED_TEACHERS.items():
            identity = identities[sub]
            existing = TeacherProfile.objects.filter(user__inservice_account=sub, verified_at__isnull=False).first()
            if existing is not None:
                self.stdout.write(f"教師 {identity['name']}（{sub}）已完成教師驗證，未變更")
                continue
            # The SSO login: the same service the callback calls, with the claims the network sends.
            claims = {
                settings.OIDC_CLAIM_NAME: identity["name"],
                settings.OIDC_CLAIM_SCHOOL: identity["school"],
                settings.OIDC_CLAIM_TITLE_CODE: identity["title_code"],
                settings.OIDC_CLAIM_COUNTY: identity["county"],
            }
            user = teacher_from_claims(sub, claims)
            # 教師驗證 step 1 and a proven email address.
            user.email = f"{sub}@school.example.tw"
            user.save(update_fields=["email"])
            profile = user.profile
            profile.phone = answers["phone"]
            profile.levels = answers["levels"]
            profile.domains = answers["domains"]
            profile.formal_since = answers["formal_since"](year)
            profile.teaching_years = answers["teaching_years"]
            profile.email_verified_at = timezone.now()
            profile.save()
            # Step 2 資料轉移: imports the old-system rows when there are any (t-eligible's 初階).
            result = complete_transfer(user, Decision.IMPORT)
            imported = f"，匯入舊系統證號 {result.imported} 筆" if result.imported else ""
            self.stdout.write(f"已建立教師 {identity['name']}（{sub}）並完成教師驗證{imported}")

    def grant_school_officers(self) -> None:
        """The demo 學校承辦人, granted through the county's page's service; one already granted is kept."""
        for granted_by, sub, school_name in SCHOOL_OFFICERS:
            school = School.objects.get(name=school_name)
            if school_officers.school_officers_of(school).filter(inservice_account=sub).exists():
                self.stdout.write(f"{sub} 已是 {school.name} 的學校承辦人，未變更")
                continue
            grant = school_officers.grant(User.objects.get(username__iexact=granted_by), school, sub)
            self.stdout.write(f"已授權 {grant.user.name}（{sub}）為 {school.name} 的學校承辦人")

    def load_demo_old_certificates(self) -> None:
        """The old system's record of t-mentor's 進階 certificate, imported at 資料轉移 like anyone's."""
        rows = [("t-mentor", "110", "進階認證", "臺北證號第B110000123號", "2022-01-15")]
        header = ["全教網帳號", "學年度", "證號類別", "證號", "證號取得時間"]
        self.report(run_import(OldCertificateImporter(), _csv(header, rows), filename="demo.csv"), "（示範教師）")

    def load_demo_training(self) -> None:
        rows = [
            (account, course, category, hours, day.isoformat())
            for account, course, category, hours, day in demo_training_rows(current_academic_year())
        ]
        header = ["全教網帳號", "課程名稱", "類別", "時數", "研習日期"]
        self.report(run_import(TrainingImporter(), _csv(header, rows), filename="demo.csv"), "（示範教師）")


def _csv(header: list[str], rows: list[tuple]) -> io.BytesIO:
    """Rows as the CSV file the importers read, so demo data passes the checks a real file does."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8"))
