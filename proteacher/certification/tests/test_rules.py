"""The eligibility engine: which rules apply, what it reads about a teacher, what it records."""

import datetime
import json
from decimal import Decimal

import pytest

from proteacher import dates
from proteacher.certification import rules
from proteacher.certification.models import Certificate, CertificationType, RuleSet
from proteacher.registry.models import TrainingCategory, TrainingRecord
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

# A day in academic year 108 (2019-08-01 … 2020-07-31), when the shipped rules apply.
IN_108 = datetime.date(2020, 2, 25)


def advanced() -> CertificationType:
    return CertificationType.objects.get(code="advanced")


def training(
    teacher, hours: str, day: datetime.date, category: str = TrainingCategory.ADVANCED, course: str = ""
) -> TrainingRecord:
    return TrainingRecord.objects.create(
        inservice_account=teacher.inservice_account,
        course=course or f"進階專業回饋人才培訓 {day.isoformat()} {hours}",
        category=category,
        hours=Decimal(hours),
        completed_on=day,
        academic_year=dates.academic_year(day),
    )


def basic_certificate(teacher, number: str = "A104000811") -> Certificate:
    return Certificate.objects.create(
        teacher=teacher,
        certification_type=CertificationType.objects.get(code="basic"),
        academic_year=104,
        number=number,
        source="old_system",
    )


def eligible_for_advanced(teacher, hours_day: datetime.date = datetime.date(2019, 10, 19)):
    """Everything 進階 asks in 108 except what a test changes: a 初階 number and 18 hours."""
    basic_certificate(teacher)
    training(teacher, "12", hours_day)
    training(teacher, "6", hours_day, category=TrainingCategory.ADVANCED_PRACTICE)
    return teacher


def row(evaluation: rules.Evaluation, code: str) -> rules.Row:
    return next(r for r in evaluation.rows if r.code == code)


def test_the_shipped_advanced_table_reads_as_the_seed(teacher):
    evaluation = rules.evaluate(teacher, advanced(), IN_108)

    assert [(r.item, r.condition) for r in evaluation.rows] == [
        ("身份", "現職正式教師"),
        ("正式教師年資", "滿3年以上"),
        ("實際教學年資", "滿3年以上"),
        ("證號", "1.初階證號或106年以後之初階認證時數6小時(依照縣市規定)"),
        ("研習時數", "1.108年7月以後，18小時 2.107年7月至108年6月，15小時"),
        ("研習年度", "1.認證時當年度之研習 2.認證時前1年度之研習"),
    ]


def test_an_eligible_teacher_passes_every_row(teacher):
    eligible_for_advanced(teacher)

    evaluation = rules.evaluate(teacher, advanced(), IN_108)

    assert evaluation.passed
    assert all(r.message == "" for r in evaluation.rows)


def test_a_failing_row_carries_the_seeds_message(teacher):
    evaluation = rules.evaluate(teacher, advanced(), IN_108)

    assert not evaluation.passed
    assert row(evaluation, "hours").message == "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證"
    assert row(evaluation, "identity").message == ""


def test_a_title_code_not_marked_formal_fails_identity(teacher):
    teacher.profile.title_code = factories.title_code("20", "代理教師", formal=False)
    teacher.profile.save()

    result = row(rules.evaluate(teacher, advanced(), IN_108), "identity")

    assert not result.passed
    assert "代理教師" in result.detail


def test_an_unknown_title_code_fails_identity(teacher):
    teacher.profile.title_code = None
    teacher.profile.title_code_value = "99"
    teacher.profile.save()

    result = row(rules.evaluate(teacher, advanced(), IN_108), "identity")

    assert not result.passed and "99" in result.detail


def test_no_formal_since_fails_formal_years(teacher):
    teacher.profile.formal_since = None
    teacher.profile.save()

    assert not row(rules.evaluate(teacher, advanced(), IN_108), "formal_years").passed


def test_teaching_years_below_three_fail(teacher):
    teacher.profile.teaching_years = 2
    teacher.profile.save()

    result = row(rules.evaluate(teacher, advanced(), IN_108), "teaching_years")

    assert not result.passed and result.detail == "實際教學年資 2 年（需3年）"


def test_other_teachers_training_does_not_count(teacher, taichung_teacher):
    basic_certificate(teacher)
    training(taichung_teacher, "18", datetime.date(2019, 10, 19))

    assert not row(rules.evaluate(teacher, advanced(), IN_108), "hours").passed


def test_other_categories_do_not_count_towards_advanced_hours(teacher):
    basic_certificate(teacher)
    training(teacher, "18", datetime.date(2019, 10, 19), category=TrainingCategory.MENTOR)

    assert not row(rules.evaluate(teacher, advanced(), IN_108), "hours").passed


def test_training_after_the_day_of_evaluation_does_not_count(teacher):
    eligible_for_advanced(teacher, hours_day=datetime.date(2020, 3, 1))

    assert not row(rules.evaluate(teacher, advanced(), IN_108), "hours").passed


def test_add_years_from_29_february_is_full_on_1_march():
    assert rules.add_years(datetime.date(2016, 2, 29), 3) == datetime.date(2019, 3, 1)
    assert rules.add_years(datetime.date(2016, 8, 1), 3) == datetime.date(2019, 8, 1)


# --- which rule set applies ------------------------------------------------------------------


def new_version(kind: CertificationType, from_year: int, county=None, hours: int = 30) -> RuleSet:
    base = RuleSet.objects.filter(certification_type=kind, county__isnull=True).order_by("-version").first()
    changed = [
        {**r, "params": {**r["params"], "windows": [{"from": None, "to": None, "hours": hours}]}}
        if r["check"] == "training_hours"
        else r
        for r in base.rules
    ]
    last = RuleSet.objects.filter(certification_type=kind).order_by("-version").first().version
    return RuleSet.objects.create(
        certification_type=kind, county=county, from_academic_year=from_year, version=last + 1, rules=changed
    )


def test_the_shipped_national_rules_apply_from_108(teacher):
    evaluation = rules.evaluate(teacher, advanced(), IN_108)

    assert evaluation.rule_set.county is None
    assert evaluation.rule_set.from_academic_year == 108


def test_no_rules_before_their_first_year_means_nobody_may_apply(teacher):
    eligible_for_advanced(teacher)

    evaluation = rules.evaluate(teacher, advanced(), datetime.date(2019, 7, 31))  # academic year 107

    assert not evaluation.passed
    assert [(r.item, r.condition) for r in evaluation.rows] == [("資格規則", "107學年度尚未設定資格規則")]


def test_the_teachers_county_rules_win_over_the_national_ones(teacher, taipei):
    taipei_rules = new_version(advanced(), 108, county=taipei)

    assert rules.evaluate(teacher, advanced(), IN_108).rule_set == taipei_rules


def test_another_countys_rules_do_not_apply(taichung_teacher, taipei):
    new_version(advanced(), 108, county=taipei)

    assert rules.evaluate(taichung_teacher, advanced(), IN_108).rule_set.county is None


def test_a_newer_version_for_the_same_year_replaces_the_older(teacher):
    corrected = new_version(advanced(), 108)

    assert rules.evaluate(teacher, advanced(), IN_108).rule_set == corrected


def test_rules_from_a_later_year_wait_for_that_year(teacher):
    later = new_version(advanced(), 110)

    assert rules.evaluate(teacher, advanced(), IN_108).rule_set != later
    assert rules.evaluate(teacher, advanced(), datetime.date(2021, 9, 1)).rule_set == later


def test_a_correction_of_older_rules_does_not_override_a_later_years_rules(teacher):
    later = new_version(advanced(), 110)
    new_version(advanced(), 108)  # saved afterwards, for 108 and 109 only

    assert rules.evaluate(teacher, advanced(), datetime.date(2021, 9, 1)).rule_set == later


def test_a_rule_naming_an_unknown_check_fails_instead_of_letting_everyone_in(teacher):
    kind = advanced()
    RuleSet.objects.create(
        certification_type=kind,
        from_academic_year=108,
        version=99,
        rules=[{"code": "x", "item": "其他", "condition": "新條件", "check": "no_such_check", "params": {}}],
    )

    evaluation = rules.evaluate(teacher, kind, IN_108)

    assert not evaluation.passed
    assert "no_such_check" in evaluation.rows[0].detail


# --- what is read and what is recorded -------------------------------------------------------


def test_facts_are_read_in_a_fixed_number_of_queries(teacher, django_assert_num_queries):
    kind = advanced()
    for number in range(30):
        training(teacher, "1", datetime.date(2019, 9, 1) + datetime.timedelta(days=number))
        Certificate.objects.create(
            teacher=teacher,
            certification_type=CertificationType.objects.get(code="mentor"),
            academic_year=100 + number,
            source="issued",
        )

    # The rule set, the profile, the certificates, the training records.
    with django_assert_num_queries(4):
        rules.evaluate(teacher, kind, IN_108)


def test_the_record_is_json_with_inputs_rule_version_and_results(teacher):
    eligible_for_advanced(teacher)

    evaluation = rules.evaluate(teacher, advanced(), IN_108)
    record = json.loads(json.dumps(evaluation.record))

    assert record["rule_set"] == {
        "id": evaluation.rule_set.pk,
        "version": evaluation.rule_set.version,
        "from_academic_year": 108,
        "county": None,
    }
    assert record["on_day"] == "2020-02-25" and record["academic_year"] == 108
    assert record["evaluated_at"]
    assert record["passed"] is True
    assert record["inputs"]["formal_since"] == "2015-08-01"
    assert record["inputs"]["teaching_years"] == 10
    assert record["inputs"]["certificates"] == [
        {"kind": "basic", "academic_year": 104, "number": "A104000811", "expires_on": None, "revoked": False}
    ]
    assert sorted(t["hours"] for t in record["inputs"]["training"]) == ["12.0", "6.0"]
    assert [r["code"] for r in record["results"]] == [
        "identity",
        "formal_years",
        "teaching_years",
        "prerequisite",
        "hours",
        "training_years",
    ]
    assert record["results"][4]["params"]["windows"][0]["hours"] == 18
    assert all(r["passed"] for r in record["results"])


def test_the_record_keeps_the_failing_rows_details(teacher):
    record = rules.evaluate(teacher, advanced(), IN_108).record

    hours = next(r for r in record["results"] if r["code"] == "hours")
    assert hours["passed"] is False
    assert hours["detail"] == "107至108學年度研習 0 小時，需 18 小時"


# --- the other types' defaults ---------------------------------------------------------------


def test_basic_asks_six_hours_of_basic_training_this_academic_year(teacher):
    kind = CertificationType.objects.get(code="basic")
    training(teacher, "6", datetime.date(2019, 9, 1), category=TrainingCategory.BASIC)

    assert rules.evaluate(teacher, kind, IN_108).passed


def test_basic_asks_a_known_school(teacher):
    kind = CertificationType.objects.get(code="basic")
    teacher.profile.school = None
    teacher.profile.save()

    result = row(rules.evaluate(teacher, kind, IN_108), "identity")

    assert not result.passed and result.detail == "查無服務學校資料"


def test_basic_does_not_count_last_years_training(teacher):
    kind = CertificationType.objects.get(code="basic")
    training(teacher, "6", datetime.date(2019, 7, 1), category=TrainingCategory.BASIC)  # academic year 107

    evaluation = rules.evaluate(teacher, kind, IN_108)

    assert not row(evaluation, "hours").passed
    assert not row(evaluation, "training_years").passed


def test_mentor_asks_an_advanced_certificate(teacher):
    kind = CertificationType.objects.get(code="mentor")
    teacher.profile.formal_since = datetime.date(2010, 8, 1)
    teacher.profile.save()
    training(teacher, "24", datetime.date(2018, 9, 1), category=TrainingCategory.MENTOR)
    training(teacher, "6", datetime.date(2019, 9, 1), category=TrainingCategory.MENTOR_PRACTICE)

    without = rules.evaluate(teacher, kind, IN_108)
    Certificate.objects.create(
        teacher=teacher,
        certification_type=CertificationType.objects.get(code="advanced"),
        academic_year=107,
        source="issued",
    )
    with_certificate = rules.evaluate(teacher, kind, IN_108)

    assert not row(without, "prerequisite").passed
    assert with_certificate.passed


def test_mentor_counts_thirty_hours_over_three_academic_years(teacher):
    kind = CertificationType.objects.get(code="mentor")
    Certificate.objects.create(
        teacher=teacher,
        certification_type=CertificationType.objects.get(code="advanced"),
        academic_year=107,
        source="issued",
    )
    training(teacher, "24", datetime.date(2016, 9, 1), category=TrainingCategory.MENTOR)  # 105: 3 years before 108
    training(teacher, "6", datetime.date(2019, 9, 1), category=TrainingCategory.MENTOR_PRACTICE)

    assert not row(rules.evaluate(teacher, kind, IN_108), "hours").passed


def test_mentor_asks_five_years(teacher):
    kind = CertificationType.objects.get(code="mentor")
    teacher.profile.teaching_years = 4
    teacher.profile.formal_since = datetime.date(2015, 2, 26)
    teacher.profile.save()

    evaluation = rules.evaluate(teacher, kind, IN_108)

    assert not row(evaluation, "teaching_years").passed
    assert not row(evaluation, "formal_years").passed


def test_every_shipped_rule_names_a_registered_check():
    for kind in CertificationType.objects.all():
        for rule_set in kind.rule_sets.all():
            assert {r["check"] for r in rule_set.rules} <= set(rules.CHECKS)


def test_describe_params_reads_as_words():
    rule = {
        "check": "training_hours",
        "params": {
            "categories": ["advanced", "advanced_practice"],
            "years_back": 1,
            "windows": [{"from": "2018-07-01", "to": "2019-06-30", "hours": 15}],
        },
    }

    assert rules.describe_params(rule) == [
        ("研習類別", "進階培訓、進階實務探討"),
        ("計入前幾學年度", "1"),
        ("研習期間與應達時數", "2018-07-01至2019-06-30 15 小時"),
    ]
