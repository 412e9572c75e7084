"""How files are read whatever their kind: encodings, Excel, headers, line numbers."""

import datetime
import re
import zipfile
from decimal import Decimal

import pytest

from proteacher.registry.importers import TitleCodeImporter, TrainingImporter
from proteacher.registry.importing import run_import
from proteacher.registry.models import TitleCode, TrainingRecord
from proteacher.registry.tests.conftest import TRAINING_HEADER

pytestmark = pytest.mark.django_db

ROW = ["t-huang", "2-4 專業回饋實務探討", "進階實務探討", "6", "2023-10-01"]


def load(path):
    return run_import(TrainingImporter(), path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_it_reads_utf8_with_or_without_bom_and_big5(write_csv, encoding):
    result = load(write_csv([TRAINING_HEADER, ROW], encoding=encoding))
    assert result.ok, result.errors
    assert TrainingRecord.objects.get().course == "2-4 專業回饋實務探討"


def test_it_reads_an_excel_workbook_with_numbers_and_dates_as_cells(write_xlsx):
    path = write_xlsx(
        [
            TRAINING_HEADER,
            ["t-huang", "2-1 教學觀察", "進階培訓", 6, datetime.datetime(2023, 10, 1)],
            ["t-huang", "2-2 共同備課", "進階培訓", 1.5, "112/10/02"],
            [None, None, None, None, None],
        ]
    )
    result = load(path)
    assert result.ok, result.errors
    assert sorted(TrainingRecord.objects.values_list("hours", "completed_on")) == [
        (Decimal("1.5"), datetime.date(2023, 10, 2)),
        (Decimal("6"), datetime.date(2023, 10, 1)),
    ]


def test_an_excel_code_typed_as_a_number_is_read_as_its_digits(write_xlsx):
    path = write_xlsx([["職稱代碼", "職稱", "是否正式教師"], [8, "專任教師", "是"], [9, "代理教師", False]])
    assert run_import(TitleCodeImporter(), path).ok
    assert list(TitleCode.objects.values_list("code", "is_formal_teacher")) == [("8", True), ("9", False)]


def test_excel_rows_are_numbered_as_excel_numbers_them(write_xlsx):
    path = write_xlsx([TRAINING_HEADER, ROW, [], ["t-huang", "課程", "進階培訓", "abc", "2023-10-01"]])
    assert [str(error) for error in load(path).errors] == ["第 4 行：時數「abc」不是數字"]


def test_bytes_that_are_neither_utf8_nor_big5_are_reported_with_their_line(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(",".join(TRAINING_HEADER).encode() + b"\r\nt-huang,\xff\xfe,x,1,2023-10-01\r\n")
    assert [str(error) for error in load(path).errors] == ["第 2 行：有無法辨識的文字，檔案必須是 UTF-8 或 Big5 編碼"]


@pytest.mark.parametrize(
    "name, reason",
    [
        ("old.xls", "不支援舊版 Excel（.xls）檔，請另存為 .xlsx 或 CSV 後再匯入"),
        ("notes.pdf", "不支援的檔案類型「.pdf」，請使用 CSV 或 Excel（.xlsx）檔"),
    ],
)
def test_it_refuses_other_file_types(tmp_path, name, reason):
    path = tmp_path / name
    path.write_bytes(b"whatever")
    assert [str(error) for error in load(path).errors] == [reason]


def test_a_damaged_workbook_is_reported(tmp_path):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(b"not a zip file")
    assert [str(error) for error in load(path).errors] == ["無法開啟 Excel 檔，請確認檔案是 .xlsx 格式且未損毀"]


def test_header_aliases_spaces_and_column_order_do_not_matter(write_csv):
    path = write_csv(
        [["研習日期", " 帳號 ", "研習名稱", "研習類別", "研習時數", "備註"], ["2023-10-01", *ROW[:4], "x"]]
    )
    assert load(path).ok
    assert TrainingRecord.objects.get().inservice_account == "t-huang"


def test_a_missing_column_is_named_on_line_1(write_csv):
    result = load(
        write_csv([["全教網帳號", "課程名稱", "類別", "研習日期"], ["t-huang", "課程", "進階培訓", "2023-10-01"]])
    )
    assert [str(error) for error in result.errors] == [
        "第 1 行：標題列缺少「時數」欄",
        "第 1 行：第一行必須是標題列，欄位為：全教網帳號、課程名稱、類別、時數、研習日期",
    ]


def test_a_column_given_twice_is_refused(write_csv):
    result = load(write_csv([[*TRAINING_HEADER, "研習時數"], [*ROW, "6"]]))
    assert str(result.errors[0]) == "第 1 行：標題列有兩個「時數」欄"


def test_blank_lines_are_skipped_and_do_not_shift_line_numbers(write_csv):
    rows = [TRAINING_HEADER, ROW, ["", "", "", "", ""], [], ["t-lin", "課程", "進階培訓", "abc", "2023-10-01"]]
    assert [str(error) for error in load(write_csv(rows)).errors] == ["第 5 行：時數「abc」不是數字"]


def test_a_row_is_reported_at_the_line_where_it_starts_when_a_cell_holds_a_line_break(write_csv):
    rows = [
        TRAINING_HEADER,
        ["t-huang", "第一行\n第二行", "進階培訓", "3", "2023-10-01"],
        ["t-lin", "課程", "進階培訓", "x", "2023-10-01"],
    ]
    assert [str(error) for error in load(write_csv(rows)).errors] == ["第 4 行：時數「x」不是數字"]


def test_more_cells_than_header_columns_hint_at_an_unquoted_comma(tmp_path):
    path = tmp_path / "comma.csv"
    path.write_text(",".join(TRAINING_HEADER) + "\nt-huang,觀察,回饋與會談,進階培訓,3,2023-10-01\n", encoding="utf-8")
    errors = [str(error) for error in load(path).errors]
    assert errors[0] == "第 2 行：本行有 6 欄，多於標題列的 5 欄（內容含逗號時請以雙引號括住）"


def test_an_empty_file_and_a_header_alone_are_refused(tmp_path, write_csv):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert [str(error) for error in load(empty).errors] == ["檔案是空的"]
    assert [str(error) for error in load(write_csv([TRAINING_HEADER])).errors] == ["檔案只有標題列，沒有任何資料"]


def test_a_workbook_that_records_a_wrong_size_is_still_read_to_the_end(write_xlsx, tmp_path):
    # Some programs write <dimension ref="A1"/> whatever the sheet holds.
    original = write_xlsx([TRAINING_HEADER, ROW, ["t-lin", "課程", "進階培訓", "3", "2023-10-02"]])
    path = tmp_path / "small-dimension.xlsx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1"/>', data)
            target.writestr(item, data)
    assert load(path).created == 2


def test_control_characters_in_a_cell_are_dropped(write_csv):
    result = load(write_csv([TRAINING_HEADER, ["t-huang", "2-4 專業\x00回饋\x1b實務探討", *ROW[2:]]]))
    assert result.ok, result.errors
    assert TrainingRecord.objects.get().course == "2-4 專業回饋實務探討"
