"""Every boundary of the 進階 eligibility table (SPEC §5.1), one row at a time.

Each test starts from a teacher who meets every other row, so the row under test decides.
"""

import datetime

import pytest

from proteacher.certification import rules
from proteacher.certification.tests.test_rules import (
    advanced,
    basic_certificate,
    eligible_for_advanced,
    row,
    training,
)
from proteacher.registry.models import TrainingCategory

pytestmark = pytest.mark.django_db

FAILURE = "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證"


def evaluate(teacher, day: datetime.date) -> rules.Evaluation:
    return rules.evaluate(teacher, advanced(), day)


# 正式教師年資 滿3年以上


def formal_since(teacher, day: datetime.date):
    teacher.profile.formal_since = day
    teacher.profile.save(update_fields=["formal_since"])


def test_three_years_less_a_day_of_formal_service_fails(teacher):
    eligible_for_advanced(teacher)
    formal_since(teacher, datetime.date(2017, 3, 1))

    evaluation = evaluate(teacher, datetime.date(2020, 2, 29))

    assert not row(evaluation, "formal_years").passed
    assert row(evaluation, "formal_years").message == FAILURE
    assert [r.code for r in evaluation.failing_rows] == ["formal_years"]


def test_exactly_three_years_of_formal_service_passes(teacher):
    eligible_for_advanced(teacher)
    formal_since(teacher, datetime.date(2017, 3, 1))

    evaluation = evaluate(teacher, datetime.date(2020, 3, 1))

    assert row(evaluation, "formal_years").passed
    assert evaluation.passed


# 實際教學年資 滿3年以上


@pytest.mark.parametrize(("years", "passed"), [(2, False), (3, True)])
def test_three_years_of_actual_teaching_are_enough(teacher, years, passed):
    eligible_for_advanced(teacher)
    teacher.profile.teaching_years = years
    teacher.profile.save(update_fields=["teaching_years"])

    assert row(evaluate(teacher, datetime.date(2020, 2, 25)), "teaching_years").passed is passed


# 研習時數: 18 hours from 108年7月


def test_seventeen_and_a_half_hours_fail(teacher):
    basic_certificate(teacher)
    training(teacher, "12", datetime.date(2019, 10, 19))
    training(teacher, "5.5", datetime.date(2020, 1, 10), category=TrainingCategory.ADVANCED_PRACTICE)

    evaluation = evaluate(teacher, datetime.date(2020, 2, 25))

    assert not row(evaluation, "hours").passed
    assert row(evaluation, "hours").detail == "107至108學年度研習 17.5 小時（於2019-07-01以後完成），需 18 小時"
    assert [r.code for r in evaluation.failing_rows] == ["hours"]


def test_eighteen_hours_pass(teacher):
    basic_certificate(teacher)
    training(teacher, "12", datetime.date(2019, 10, 19))
    training(teacher, "6", datetime.date(2020, 1, 10), category=TrainingCategory.ADVANCED_PRACTICE)

    evaluation = evaluate(teacher, datetime.date(2020, 2, 25))

    assert row(evaluation, "hours").passed
    assert evaluation.passed


# 研習時數: 15 hours from 107年7月 to 108年6月, evaluated in academic year 108


def test_fifteen_hours_completed_inside_107_7_to_108_6_pass_in_academic_year_108(teacher):
    basic_certificate(teacher)
    training(teacher, "12", datetime.date(2018, 10, 20))
    training(teacher, "3", datetime.date(2019, 6, 30), category=TrainingCategory.ADVANCED_PRACTICE)

    evaluation = evaluate(teacher, datetime.date(2019, 10, 1))

    assert row(evaluation, "hours").passed
    assert evaluation.passed


def test_fourteen_and_a_half_hours_inside_107_7_to_108_6_fail(teacher):
    basic_certificate(teacher)
    training(teacher, "12", datetime.date(2018, 10, 20))
    training(teacher, "2.5", datetime.date(2019, 6, 30), category=TrainingCategory.ADVANCED_PRACTICE)

    assert not row(evaluate(teacher, datetime.date(2019, 10, 1)), "hours").passed


def test_fifteen_hours_completed_on_1_july_2019_need_eighteen(teacher):
    # 108年7月 has begun: the training was completed in the 18-hour window.
    basic_certificate(teacher)
    training(teacher, "12", datetime.date(2018, 10, 20))
    training(teacher, "3", datetime.date(2019, 7, 1), category=TrainingCategory.ADVANCED_PRACTICE)

    result = row(evaluate(teacher, datetime.date(2019, 10, 1)), "hours")

    assert not result.passed
    assert result.detail.endswith("需 18 小時")


# 研習年度: the academic year of application and the one before


def test_training_in_the_previous_academic_year_counts(teacher):
    # Applying in 109 (2020-08-01 …) with 18 hours from 108.
    eligible_for_advanced(teacher, hours_day=datetime.date(2019, 10, 19))

    evaluation = evaluate(teacher, datetime.date(2021, 3, 1))

    assert row(evaluation, "training_years").passed
    assert row(evaluation, "hours").passed
    assert evaluation.passed


def test_training_two_academic_years_before_does_not_count(teacher):
    # Applying in 109 with 18 hours from 107 (2018-08-01 … 2019-07-31).
    eligible_for_advanced(teacher, hours_day=datetime.date(2019, 7, 20))

    evaluation = evaluate(teacher, datetime.date(2021, 3, 1))

    assert not row(evaluation, "training_years").passed
    assert row(evaluation, "training_years").detail == "108至109學年度無研習紀錄（最近一筆為107學年度，不列計）"
    assert not row(evaluation, "hours").passed
    assert row(evaluation, "training_years").message == FAILURE


def test_the_last_day_of_the_previous_academic_year_still_counts(teacher):
    eligible_for_advanced(teacher, hours_day=datetime.date(2020, 7, 31))  # the last day of 108

    assert evaluate(teacher, datetime.date(2021, 3, 1)).passed


def test_only_the_hours_inside_the_counted_years_add_up(teacher):
    basic_certificate(teacher)
    training(teacher, "12", datetime.date(2019, 7, 20))  # 107: too old for 109
    training(teacher, "6", datetime.date(2020, 10, 1))  # 109

    evaluation = evaluate(teacher, datetime.date(2021, 3, 1))

    assert row(evaluation, "training_years").passed
    assert not row(evaluation, "hours").passed
    assert row(evaluation, "hours").detail.startswith("108至109學年度研習 6 小時")


# 證號: a 初階 number, or 6 hours of 初階 training from 106 on


def test_a_basic_certificate_number_is_enough(teacher):
    eligible_for_advanced(teacher)

    result = row(evaluate(teacher, datetime.date(2020, 2, 25)), "prerequisite")

    assert result.passed and result.detail == "持有初階認證證號 A104000811"


def prerequisite_with_basic_training(teacher, hours: str, day: datetime.date) -> rules.Row:
    training(teacher, hours, day, category=TrainingCategory.BASIC)
    training(teacher, "18", datetime.date(2019, 10, 19))
    return row(evaluate(teacher, datetime.date(2020, 2, 25)), "prerequisite")


def test_six_hours_of_basic_training_in_106_replace_the_number(teacher):
    result = prerequisite_with_basic_training(teacher, "6", datetime.date(2017, 8, 1))  # first day of 106

    assert result.passed


def test_six_hours_of_basic_training_in_105_do_not_count(teacher):
    result = prerequisite_with_basic_training(teacher, "6", datetime.date(2017, 7, 31))  # last day of 105

    assert not result.passed
    assert result.detail == "查無初階認證證號；106學年度以後之初階培訓 0 小時（需 6 小時）"


def test_five_and_a_half_hours_of_basic_training_after_106_fail(teacher):
    assert not prerequisite_with_basic_training(teacher, "5.5", datetime.date(2018, 3, 1)).passed


def test_advanced_training_does_not_replace_the_basic_number(teacher):
    training(teacher, "18", datetime.date(2019, 10, 19))

    assert not row(evaluate(teacher, datetime.date(2020, 2, 25)), "prerequisite").passed
