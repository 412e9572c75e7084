import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from proteacher.accounts.models import Role, SchoolOfficer, TeacherProfile, User
from proteacher.certification import rules
from proteacher.certification.models import Certificate, CertificationType
from proteacher.dates import academic_year_bounds, current_academic_year, today
from proteacher.portal.management.commands.load_demo import demo_training_rows
from proteacher.registry.models import OldCertificate, School, TitleCode, TrainingCategory, TrainingRecord
from proteacher.review.models import Reviewer
from proteacher.testing.factories import PASSWORD

pytestmark = pytest.mark.django_db

MODELS = [User, TeacherProfile, Reviewer, School, TitleCode, TrainingRecord, OldCertificate, Certificate, SchoolOfficer]


def load_demo():
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _debug_and_quick_hashing(settings):
    settings.DEBUG = True
    # Five staff passwords per run: the production hasher would make these tests take half a minute.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_running_it_twice_gives_the_same_data():
    first = load_demo()
    after_first = counts()
    second = load_demo()

    assert counts() == after_first
    assert "已建立帳號 admin（管理者：工作小組管理者）" in first
    assert "已建立教師 黃測試（t-eligible）並完成教師驗證，匯入舊系統證號 1 筆" in first
    assert "帳號 admin（工作小組管理者）已存在，未變更" in second
    rows = len(demo_training_rows(current_academic_year()))
    assert f"研習時數（示範教師）：已匯入 {rows} 筆（新增 0、更新 0、未變更 {rows}）" in second


@pytest.mark.parametrize(
    "username, role, name, county",
    [
        ("admin", Role.ADMIN, "工作小組管理者", None),
        ("taipei", Role.COUNTY, "臺北市教專中心", "臺北市"),
        ("taichung", Role.COUNTY, "臺中市教專中心", "臺中市"),
        ("reviewer1", Role.REVIEWER, "王委員", None),
        ("reviewer2", Role.REVIEWER, "李委員", None),
    ],
)
def test_staff_accounts_sign_in_with_the_demo_password(username, role, name, county):
    load_demo()
    user = User.objects.get(username=username)
    assert user.check_password(PASSWORD)
    assert (user.role, user.name) == (role, name)
    assert (user.county.name if user.county else None) == county


def test_a_changed_password_is_kept():
    load_demo()
    admin = User.objects.get(username="admin")
    admin.set_password("Another-pass-2027")
    admin.save()
    load_demo()
    admin.refresh_from_db()
    assert admin.check_password("Another-pass-2027")


def test_a_demo_teacher_of_chengyuan_is_its_school_officer():
    first = load_demo()
    second = load_demo()

    officer = User.objects.get(inservice_account="t-eligible")
    assert officer.is_school_officer
    grant = SchoolOfficer.objects.get(user=officer, revoked_at__isnull=True)
    assert (grant.school.name, grant.granted_by.username) == ("臺北市立成淵高級中學", "taipei")
    assert "已授權 黃測試（t-eligible）為 臺北市立成淵高級中學 的學校承辦人" in first
    assert "t-eligible 已是 臺北市立成淵高級中學 的學校承辦人，未變更" in second


def test_the_reviewers_schools_are_on_their_reviewer_records():
    load_demo()
    load_demo()

    # reviewer2 works at the eligible teacher's school: the conflict 分發委員 must refuse.
    schools = dict(Reviewer.objects.values_list("user__username", "school__name"))
    assert schools == {"reviewer1": "臺北市立建國高級中學", "reviewer2": "臺北市立成淵高級中學"}
    assert Reviewer.objects.filter(is_active=True).count() == 2
    # 委員 are staff: no teacher's profile.
    assert not TeacherProfile.objects.filter(user__role=Role.REVIEWER).exists()


def test_a_reviewers_changed_school_is_kept():
    load_demo()
    Reviewer.objects.filter(user__username="reviewer1").update(school=School.objects.get(name="臺北市立成淵高級中學"))

    load_demo()

    assert Reviewer.objects.get(user__username="reviewer1").school.name == "臺北市立成淵高級中學"


def test_the_eligible_teacher_is_verified_and_meets_the_advanced_rules():
    load_demo()
    user = User.objects.get(inservice_account="t-eligible")
    profile = user.profile
    assert (user.username, user.role, user.name, user.county.name) == (
        "sso:t-eligible",
        Role.TEACHER,
        "黃測試",
        "臺北市",
    )
    assert not user.has_usable_password()
    assert profile.school.name == "臺北市立成淵高級中學" and profile.is_formal_teacher
    assert (profile.formal_since, profile.teaching_years) == (datetime.date(2015, 8, 1), 10)
    assert profile.is_verified and profile.email_verified_at and profile.old_data_decision == "imported"
    assert profile.phone and profile.levels and profile.domains and user.email

    certificate = Certificate.objects.get(teacher=user)
    assert (certificate.certification_type.code, certificate.academic_year, certificate.number, certificate.source) == (
        "basic",
        104,
        "A104000123",
        Certificate.Source.OLD_SYSTEM,
    )

    year = current_academic_year()
    window = TrainingRecord.objects.filter(
        inservice_account="t-eligible",
        academic_year__in=[year, year - 1],
        category__in=[TrainingCategory.ADVANCED, TrainingCategory.ADVANCED_PRACTICE],
    )
    assert sum(record.hours for record in window) >= Decimal(18)
    assert all(record.completed_on <= today() for record in window)


def test_the_ineligible_teacher_is_verified_but_short_of_years_and_hours():
    load_demo()
    user = User.objects.get(inservice_account="t-ineligible")
    profile = user.profile
    assert profile.is_verified and profile.old_data_decision == "none"
    assert profile.teaching_years == 1
    start, _ = academic_year_bounds(current_academic_year())
    assert profile.formal_since == start.replace(year=start.year - 2)
    assert not Certificate.objects.filter(teacher=user).exists()
    assert sum(r.hours for r in TrainingRecord.objects.filter(inservice_account="t-ineligible")) == Decimal(6)


def test_first_login_teachers_have_records_but_no_account():
    load_demo()
    for sub in ("t-first", "t-nodata", "t-unknown"):
        assert not User.objects.filter(inservice_account=sub).exists()
    assert list(
        OldCertificate.objects.filter(inservice_account="t-first").values_list(
            "academic_year", "kind", "number", "obtained_on"
        )
    ) == [(95, "初階認證", "A104000811", datetime.date(2006, 10, 23)), (96, "進階認證", "96", None)]
    assert not OldCertificate.objects.filter(inservice_account="t-nodata").exists()
    assert TrainingRecord.objects.filter(inservice_account="t-first").exists()
    assert TrainingRecord.objects.filter(inservice_account="t-nodata").exists()


def test_master_data_covers_the_demo_schools_but_not_the_unknown_one():
    load_demo()
    for name in ("臺北市立成淵高級中學", "臺中市立大墩國民中學", "臺北市立松山國民小學", "臺中市西屯區大鵬國民小學"):
        assert School.objects.filter(name=name).exists(), name
    assert set(School.objects.values_list("county__name", flat=True)) == {"臺北市", "臺中市", "新北市"}
    assert not School.objects.filter(name="測試縣立不存在國小").exists()
    assert TitleCode.objects.get(code="8").is_formal_teacher
    assert not TitleCode.objects.filter(code="99").exists()


def test_it_refuses_to_run_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="示範資料只在開發環境"):
        call_command("load_demo", stdout=StringIO())
    call_command("load_demo", "--force", stdout=StringIO())
    assert User.objects.filter(username="admin").exists()


@pytest.mark.parametrize(
    ("account", "type_code"), [("t-basic", "basic"), ("t-eligible", "advanced"), ("t-mentor", "mentor")]
)
def test_each_shipped_type_has_a_demo_teacher_who_may_apply(account, type_code):
    load_demo()
    user = User.objects.get(inservice_account=account)

    evaluation = rules.evaluate(user, CertificationType.objects.get(code=type_code))

    assert user.profile.is_verified
    assert evaluation.passed, [(row.item, row.detail) for row in evaluation.rows if not row.passed]


def test_the_mentor_teacher_holds_the_advanced_certificate_from_the_old_system():
    load_demo()

    held = Certificate.objects.get(teacher__inservice_account="t-mentor")
    assert (held.certification_type.code, held.number, held.source) == (
        "advanced",
        "臺北證號第B110000123號",
        Certificate.Source.OLD_SYSTEM,
    )


def test_demo_staff_pass_the_second_factor_with_the_published_key_or_a_recovery_code(client):
    from django.urls import reverse

    from proteacher.accounts.demo_identities import DEMO_RECOVERY_CODES, DEMO_TOTP_KEY
    from proteacher.testing.second_factor import code_from_key

    out = load_demo()
    assert DEMO_TOTP_KEY in out and DEMO_RECOVERY_CODES[0] in out

    for username, code in (("taipei", code_from_key(DEMO_TOTP_KEY)), ("reviewer1", DEMO_RECOVERY_CODES[0])):
        client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
        response = client.post(reverse("accounts:second_factor"), {"code": code})
        assert response["Location"] == reverse("portal:workspace"), username
        client.post(reverse("accounts:logout"))


def test_a_factor_set_up_since_is_kept():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from proteacher.accounts import second_factor

    load_demo()
    admin, taipei = User.objects.get(username="admin"), User.objects.get(username="taipei")
    second_factor.reset(taipei, actor=admin)
    own = TOTPDevice.objects.create(user=taipei, name="自己的 App", confirmed=True)

    out = load_demo()

    assert list(TOTPDevice.objects.filter(user=taipei)) == [own]
    assert "已為帳號 taipei" not in out
