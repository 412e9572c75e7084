"""How the network's account and claims become a teacher, matched to master data."""

import pytest

from proteacher.accounts.identity import teacher_from_claims, unmatched_master_data_warning
from proteacher.accounts.models import Role, TeacherProfile, User
from proteacher.errors import DomainError
from proteacher.registry.models import School
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


def claims(name="黃測試", school="臺北市立成淵高級中學", title_code="8", county="臺北市"):
    return {"name": name, "school": school, "title_code": title_code, "county": county}


def test_first_login_creates_a_teacher_matched_to_master_data():
    chengyuan = factories.school("臺北市立成淵高級中學", "臺北市")
    formal = factories.title_code("8", "專任教師", formal=True)

    # The network writes 台 where master data writes 臺, and may pad with spaces.
    user = teacher_from_claims("t-huang", claims(school=" 台北市立成淵高級中學", county="台北市 "))

    user.refresh_from_db()
    assert user.username == "sso:t-huang"
    assert user.role == Role.TEACHER
    assert user.inservice_account == "t-huang"
    assert user.name == "黃測試"
    assert not user.has_usable_password()
    assert user.county == factories.county("臺北市")
    profile = user.profile
    assert profile.school == chengyuan
    assert profile.school_name == "台北市立成淵高級中學"
    assert profile.county_name == "台北市"
    assert profile.title_code == formal
    assert profile.title_code_value == "8"
    assert profile.is_formal_teacher
    assert profile.verified_at is None
    assert profile.unmatched_master_data() == []
    assert unmatched_master_data_warning(user) is None


def test_later_login_updates_name_school_county_and_title_code():
    factories.school("臺北市立成淵高級中學", "臺北市")
    factories.title_code("8")
    dapeng = factories.school("臺中市西屯區大鵬國民小學", "臺中市")
    substitute = factories.title_code("12", "代理教師", formal=False)
    first = teacher_from_claims("t-huang", claims())

    again = teacher_from_claims(
        "t-huang", claims(name="黃測試二", school="臺中市西屯區大鵬國民小學", title_code="12", county="臺中市")
    )

    assert again.pk == first.pk
    assert User.objects.filter(inservice_account="t-huang").count() == 1
    assert TeacherProfile.objects.filter(user=again).count() == 1
    again.refresh_from_db()
    assert again.name == "黃測試二"
    assert again.county == factories.county("臺中市")
    assert again.profile.school == dapeng
    assert again.profile.title_code == substitute
    assert not again.profile.is_formal_teacher


def test_later_login_keeps_what_the_teacher_completed_in_verification(new_teacher):
    new_teacher.profile.phone = "04-22223333"
    new_teacher.profile.teaching_years = 7
    new_teacher.profile.save()

    teacher_from_claims("t-chen", claims(name="陳新進", county="臺北市"))

    new_teacher.profile.refresh_from_db()
    assert new_teacher.profile.phone == "04-22223333"
    assert new_teacher.profile.teaching_years == 7


def test_a_school_name_found_in_several_counties_is_taken_from_the_claimed_county():
    factories.school("市立大同國民小學", "臺北市")
    in_taichung = factories.school("市立大同國民小學", "臺中市")

    user = teacher_from_claims("t-a", claims(school="市立大同國民小學", county="臺中市"))

    assert user.profile.school == in_taichung
    assert user.county == factories.county("臺中市")


def test_an_ambiguous_school_without_a_known_county_is_left_for_the_working_group():
    factories.school("市立大同國民小學", "臺北市")
    factories.school("市立大同國民小學", "臺中市")

    user = teacher_from_claims("t-a", claims(school="市立大同國民小學", county="測試縣"))

    assert user.profile.school is None
    assert user.county is None
    assert user.profile.unmatched_master_data()[:2] == ["服務學校「市立大同國民小學」", "學校所屬縣市「測試縣」"]


def test_the_teachers_county_is_the_schools_county():
    # The claimed county matched nothing, but the school is known: its county is the teacher's.
    dapeng = factories.school("臺中市西屯區大鵬國民小學", "臺中市")

    user = teacher_from_claims("t-a", claims(school="臺中市西屯區大鵬國民小學", county="臺中縣"))

    assert user.profile.school == dapeng
    assert user.county == dapeng.county
    assert user.profile.county_name == "臺中縣"


def test_unknown_school_county_and_title_code_are_kept_as_sent_and_flagged():
    user = teacher_from_claims(
        "t-unknown", claims(name="吳未知", school="測試縣立不存在國小", title_code="99", county="測試縣")
    )

    user.refresh_from_db()
    profile = user.profile
    assert (profile.school, user.county, profile.title_code) == (None, None, None)
    assert (profile.school_name, profile.county_name, profile.title_code_value) == (
        "測試縣立不存在國小",
        "測試縣",
        "99",
    )
    assert profile.unmatched_master_data() == [
        "服務學校「測試縣立不存在國小」",
        "學校所屬縣市「測試縣」",
        "職稱代碼「99」",
    ]
    assert unmatched_master_data_warning(user) == (
        "您的服務學校、縣市或職稱代碼（服務學校「測試縣立不存在國小」、學校所屬縣市「測試縣」、職稱代碼「99」）"
        "不在平臺資料中，請聯繫所屬縣市之教專中心或教師專業發展支持作業平臺工作小組更正。"
    )


def test_missing_odd_and_oversized_claims_never_stop_a_login():
    factories.title_code("8")

    user = teacher_from_claims(
        "t-odd", {"name": None, "school": "校" * 300, "title_code": 8, "county": ["臺北市"], "extra": {"x": 1}}
    )

    user.refresh_from_db()
    assert user.name == ""
    assert user.profile.school_name == "校" * 100
    assert user.profile.title_code_value == "8"
    assert user.profile.title_code is not None
    assert user.profile.county_name == ""
    assert teacher_from_claims("t-empty", {}).profile.unmatched_master_data()


def test_an_empty_name_does_not_erase_the_known_one(teacher):
    teacher_from_claims("t-huang", claims(name=""))

    teacher.refresh_from_db()
    assert teacher.name == "黃測試"


def test_claim_names_come_from_settings(settings):
    settings.OIDC_CLAIM_NAME = "cn"
    settings.OIDC_CLAIM_SCHOOL = "school_name"
    settings.OIDC_CLAIM_TITLE_CODE = "job_code"
    settings.OIDC_CLAIM_COUNTY = "city"
    songshan = factories.school("臺北市立松山國民小學", "臺北市")

    user = teacher_from_claims(
        "t-first", {"cn": "陳新進", "school_name": "臺北市立松山國民小學", "job_code": "8", "city": "臺北市"}
    )

    assert user.name == "陳新進"
    assert user.profile.school == songshan
    assert user.profile.title_code_value == "8"


def test_a_staff_account_is_never_taken_over(taipei_officer):
    taipei_officer.inservice_account = "t-officer"
    taipei_officer.save()

    with pytest.raises(DomainError) as refused:
        teacher_from_claims("t-officer", claims(name="冒用者"))

    assert "縣市與管理者登入" in refused.value.message
    taipei_officer.refresh_from_db()
    assert taipei_officer.role == Role.COUNTY
    assert taipei_officer.name == "臺北市教專中心"
    assert taipei_officer.has_usable_password()
    assert not TeacherProfile.objects.filter(user=taipei_officer).exists()


def test_a_superuser_marked_as_teacher_is_not_taken_over_either():
    User.objects.create_superuser("root", "root@example.tw", "x-Secret-2026", inservice_account="t-root")

    with pytest.raises(DomainError):
        teacher_from_claims("t-root", claims())


def test_a_username_held_by_someone_else_is_not_reused(admin_user):
    admin_user.username = "sso:t-new"
    admin_user.save()

    with pytest.raises(DomainError):
        teacher_from_claims("t-new", claims())

    assert not User.objects.filter(inservice_account="t-new").exists()


def test_a_deactivated_teacher_is_refused(teacher):
    teacher.is_active = False
    teacher.save()

    with pytest.raises(DomainError) as refused:
        teacher_from_claims("t-huang", claims())

    assert "停用" in refused.value.message


@pytest.mark.parametrize("sub", ["", "   ", None, "x" * 65])
def test_an_unusable_account_is_refused(sub):
    with pytest.raises(DomainError):
        teacher_from_claims(sub, claims())

    assert not User.objects.exists()


def test_matching_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    for code in range(30):
        School.objects.create(code=f"S{code}", name=f"測試國小{code}", county=factories.county("臺北市"))

    with django_assert_max_num_queries(12):
        teacher_from_claims("t-q", claims(school="測試國小7"))
