import datetime
import io
from decimal import Decimal

import pytest

from proteacher.registry.importers import TrainingImporter
from proteacher.registry.importing import run_import
from proteacher.registry.models import TrainingCategory, TrainingRecord
from proteacher.registry.tests.conftest import TRAINING_HEADER, training_rows

pytestmark = pytest.mark.django_db


def load(path, **options):
    return run_import(TrainingImporter(), path, **options)


def test_it_loads_nothing_when_one_row_is_bad(write_csv):
    rows = training_rows(1000)
    rows[499][3] = "abc"  # the 500th data row: line 501, the header being line 1
    result = load(write_csv([TRAINING_HEADER, *rows]))

    assert [str(error) for error in result.errors] == ["第 501 行：時數「abc」不是數字"]
    assert result.summary() == "檔案有 1 個錯誤，未匯入任何資料"
    assert TrainingRecord.objects.count() == 0


def test_it_reports_every_bad_row_not_only_the_first(write_csv):
    rows = training_rows(10)
    rows[1][3] = "abc"
    rows[7][4] = "2019-02-30"
    result = load(write_csv([TRAINING_HEADER, *rows]))
    assert [(error.line, error.reason) for error in result.errors] == [
        (3, "時數「abc」不是數字"),
        (9, "研習日期「2019-02-30」不是有效的日期"),
    ]


def test_it_loads_every_row_of_a_good_file(write_csv):
    result = load(write_csv([TRAINING_HEADER, *training_rows(1000)]))

    assert result.ok
    assert (result.created, result.updated) == (1000, 0)
    assert result.summary() == "已匯入 1000 筆（新增 1000、更新 0）"
    assert TrainingRecord.objects.count() == 1000


def test_it_stores_category_hours_and_academic_year(write_csv):
    path = write_csv([TRAINING_HEADER, ["t-huang", "2-4 專業回饋實務探討", "進階實務探討", "1.5", "108/07/15"]])
    load(path)
    record = TrainingRecord.objects.get()
    assert record.inservice_account == "t-huang"
    assert record.category == TrainingCategory.ADVANCED_PRACTICE
    assert record.hours == Decimal("1.5")
    assert record.completed_on == datetime.date(2019, 7, 15)
    assert record.academic_year == 107


def test_a_second_import_of_the_same_file_does_not_double_the_hours(write_csv):
    path = write_csv([TRAINING_HEADER, *training_rows(50)])
    load(path)
    again = load(path)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 50)
    assert again.summary() == "已匯入 50 筆（新增 0、更新 0、未變更 50）"
    assert TrainingRecord.objects.count() == 50


def test_a_corrected_file_updates_hours_and_category_in_place(write_csv):
    load(write_csv([TRAINING_HEADER, ["t-huang", "2-1 教學觀察", "進階培訓", "3", "2023-10-01"]]))
    result = load(
        write_csv(
            [
                TRAINING_HEADER,
                ["t-huang", "2-1 教學觀察", "進階實務探討", "6", "2023-10-01"],
                ["t-huang", "2-2 共同備課", "進階培訓", "6", "2023-10-02"],
            ]
        )
    )
    assert (result.created, result.updated) == (1, 1)
    record = TrainingRecord.objects.get(course="2-1 教學觀察")
    assert (record.hours, record.category) == (Decimal("6"), TrainingCategory.ADVANCED_PRACTICE)
    assert TrainingRecord.objects.count() == 2


def test_spaces_in_a_course_name_do_not_make_a_new_course(write_csv):
    load(write_csv([TRAINING_HEADER, ["t-huang", "2-1  教學觀察 ", "進階培訓", "3", "2023-10-01"]]))
    result = load(write_csv([TRAINING_HEADER, ["t-huang", "2-1 教學觀察", "進階培訓", "3", "2023-10-01"]]))
    assert result.unchanged == 1
    assert TrainingRecord.objects.count() == 1


@pytest.mark.parametrize(
    "written",
    ["2019-07-15", "2019/7/15", "2019-07-15 00:00:00", "20190715", "108/07/15", "108-7-15", "108.07.15", "1080715",
     "民國108年7月15日", "108年7月15日"],
)  # fmt: skip
def test_it_accepts_iso_and_roc_dates(write_csv, written):
    assert load(write_csv([TRAINING_HEADER, ["t-huang", "課程", "進階培訓", "3", written]])).ok
    assert TrainingRecord.objects.get().completed_on == datetime.date(2019, 7, 15)


def test_a_two_digit_roc_year_is_read_as_roc(write_csv):
    load(write_csv([TRAINING_HEADER, ["t-huang", "課程", "初階培訓", "3", "95/09/23"]]))
    record = TrainingRecord.objects.get()
    assert (record.completed_on, record.academic_year) == (datetime.date(2006, 9, 23), 95)


@pytest.mark.parametrize(
    "day, year",
    [("2019-07-31", 107), ("2019-08-01", 108), ("2020-07-31", 108)],
)
def test_the_academic_year_turns_on_1_august(write_csv, day, year):
    load(write_csv([TRAINING_HEADER, ["t-huang", "課程", "進階培訓", "3", day]]))
    assert TrainingRecord.objects.get().academic_year == year


@pytest.mark.parametrize(
    "row, reason",
    [
        (["", "課程", "進階培訓", "3", "2023-10-01"], "全教網帳號未填寫"),
        (["t huang", "課程", "進階培訓", "3", "2023-10-01"], "全教網帳號「t huang」不可含空白"),
        (["t" * 65, "課程", "進階培訓", "3", "2023-10-01"], "全教網帳號「" + "t" * 30 + "…」超過 64 個字"),
        (["t-huang", "", "進階培訓", "3", "2023-10-01"], "課程名稱未填寫"),
        (["t-huang", "課" * 201, "進階培訓", "3", "2023-10-01"], "課程名稱「" + "課" * 30 + "…」超過 200 個字"),
        (["t-huang", "課程", "", "3", "2023-10-01"], "類別未填寫"),
        (
            ["t-huang", "課程", "進階研習", "3", "2023-10-01"],
            "類別「進階研習」不是可用的類別（初階培訓、進階培訓、進階實務探討、教學輔導教師培訓、教學輔導教師實務探討、其他）",
        ),
        (["t-huang", "課程", "進階培訓", "", "2023-10-01"], "時數未填寫"),
        (["t-huang", "課程", "進階培訓", "abc", "2023-10-01"], "時數「abc」不是數字"),
        (["t-huang", "課程", "進階培訓", "NaN", "2023-10-01"], "時數「NaN」不是數字"),
        (["t-huang", "課程", "進階培訓", "0", "2023-10-01"], "時數「0」必須大於 0"),
        (["t-huang", "課程", "進階培訓", "-3", "2023-10-01"], "時數「-3」必須大於 0"),
        (["t-huang", "課程", "進階培訓", "100.5", "2023-10-01"], "時數「100.5」不可超過 100"),
        (["t-huang", "課程", "進階培訓", "1.25", "2023-10-01"], "時數「1.25」最多只能有 1 位小數"),
        (["t-huang", "課程", "進階培訓", "3", ""], "研習日期未填寫"),
        (
            ["t-huang", "課程", "進階培訓", "3", "10/01/2023"],
            "研習日期「10/01/2023」格式不正確，請寫成 2019-07-15 或民國 108/07/15",
        ),
        (["t-huang", "課程", "進階培訓", "3", "112/02/30"], "研習日期「112/02/30」不是有效的日期"),
        (["t-huang", "課程", "進階培訓", "3", "2999-01-01"], "研習日期「2999-01-01」晚於今天"),
    ],
)
def test_each_bad_value_is_reported_with_its_reason(write_csv, row, reason):
    result = load(write_csv([TRAINING_HEADER, row]))
    assert [str(error) for error in result.errors] == [f"第 2 行：{reason}"]


def test_several_bad_cells_in_one_row_are_all_reported(write_csv):
    result = load(write_csv([TRAINING_HEADER, ["", "課程", "進階研習", "abc", "2023-10-01"]]))
    assert [error.reason.split("「")[0] for error in result.errors] == ["全教網帳號未填寫", "類別", "時數"]
    assert {error.line for error in result.errors} == {2}


def test_the_same_course_twice_in_one_file_names_the_first_line(write_csv):
    rows = [
        TRAINING_HEADER,
        *training_rows(3),
        ["t-001", "進階專業回饋人才培訓 第 1 場", "進階培訓", "6", "2023-09-01"],
    ]
    result = load(write_csv(rows))
    assert [str(error) for error in result.errors] == [
        "第 5 行：帳號、課程名稱與研習日期「t-001、進階專業回饋人才培訓 第 1 場、2023-09-01」與第 3 行重複"
    ]


def test_a_dry_run_counts_but_writes_nothing(write_csv):
    path = write_csv([TRAINING_HEADER, *training_rows(20)])
    load(write_csv([TRAINING_HEADER, *training_rows(5)], name="first.csv"))

    result = load(path, dry_run=True)

    assert (result.created, result.unchanged) == (15, 5)
    assert result.summary() == "檢查無誤，可匯入 20 筆（新增 15、更新 0、未變更 5）；僅檢查，未寫入任何資料"
    assert TrainingRecord.objects.count() == 5


def test_an_uploaded_file_object_loads_like_a_path():
    data = "全教網帳號,課程名稱,類別,時數,研習日期\nt-huang,課程,進階培訓,3,2023-10-01\n".encode()
    upload = io.BytesIO(data)
    assert run_import(TrainingImporter(), upload, filename="研習.csv").ok
    assert TrainingRecord.objects.count() == 1


def test_it_never_runs_a_query_per_row(write_csv, django_assert_max_num_queries):
    # 4,100 rows: one account lookup, then one COPY on PostgreSQL or batched INSERTs on SQLite (about 25:
    # SQLite caps a statement at 999 parameters).
    path = write_csv([TRAINING_HEADER, *training_rows(4100)])
    with django_assert_max_num_queries(40):
        assert load(path).created == 4100


def test_a_row_written_meanwhile_by_another_load_stops_the_whole_file(write_csv, monkeypatch):
    load(
        write_csv(
            [TRAINING_HEADER, ["t-000", "進階專業回饋人才培訓 第 0 場", "進階培訓", "3", "2023-09-01"]], name="a.csv"
        )
    )
    # As if a second load had written that row after this one looked for existing rows.
    monkeypatch.setattr(TrainingImporter, "existing", lambda self, rows: [])

    result = load(write_csv([TRAINING_HEADER, *training_rows(3)]))

    assert [str(error) for error in result.errors] == [
        "寫入時與資料庫中的資料衝突（可能有其他匯入同時進行），未匯入任何資料，請重新匯入"
    ]
    assert (result.created, result.updated) == (0, 0)
    assert TrainingRecord.objects.count() == 1
