import datetime

import pytest

from proteacher.dates import current_academic_year
from proteacher.registry.importers import OldCertificateImporter
from proteacher.registry.importing import run_import
from proteacher.registry.models import OldCertificate

pytestmark = pytest.mark.django_db
HEADER = ["全教網帳號", "學年度", "證號類別", "證號", "證號取得時間"]


def load(path):
    return run_import(OldCertificateImporter(), path)


def test_it_loads_the_rows_shown_at_data_transfer(write_csv):
    rows = [HEADER, ["t-first", "95", "初階認證", "A104000811", "2006-10-23"], ["t-first", "96", "進階認證", "96", ""]]
    assert load(write_csv(rows)).created == 2
    assert list(OldCertificate.objects.values_list("academic_year", "kind", "number", "obtained_on")) == [
        (95, "初階認證", "A104000811", datetime.date(2006, 10, 23)),
        (96, "進階認證", "96", None),
    ]


def test_a_blank_number_and_a_missing_date_column_are_accepted(write_csv):
    assert load(write_csv([HEADER[:4], ["t-first", "104學年度", "教學輔導教師認證", ""]])).ok
    row = OldCertificate.objects.get()
    assert (row.academic_year, row.number, row.obtained_on) == (104, "", None)


def test_a_reimport_corrects_the_number_in_place(write_csv):
    load(write_csv([HEADER, ["t-first", "95", "初階認證", "", ""]]))
    result = load(write_csv([HEADER, ["t-first", "95", "初階認證", "A104000811", "95/10/23"]]))
    assert (result.created, result.updated) == (0, 1)
    assert OldCertificate.objects.get().obtained_on == datetime.date(2006, 10, 23)


@pytest.mark.parametrize(
    "row, reasons",
    [
        (["", "95", "初階認證", "", ""], ["全教網帳號未填寫"]),
        (["t-first", "", "初階認證", "", ""], ["學年度未填寫"]),
        (["t-first", "九五", "初階認證", "", ""], ["學年度「九五」不是數字"]),
        (["t-first", "2006", "初階認證", "", ""], ["學年度「2006」請填民國年（例如 108）"]),
        (["t-first", "0", "初階認證", "", ""], [f"學年度「0」不在 1 到本學年度（{current_academic_year()}）之間"]),
        (
            ["t-first", "95", "初階", "", ""],
            ["證號類別「初階」不是可用的證號類別（初階認證、進階認證、教學輔導教師認證）"],
        ),
        (["t-first", "95", "", "", ""], ["證號類別未填寫"]),
        (["t-first", "95", "初階認證", "A" * 41, ""], ["證號「" + "A" * 30 + "…」超過 40 個字"]),
        (["t-first", "95", "初階認證", "", "95/13/01"], ["證號取得時間「95/13/01」不是有效的日期"]),
    ],
)
def test_each_bad_value_is_reported_with_its_reason(write_csv, row, reasons):
    result = load(write_csv([HEADER, row]))
    assert [str(error) for error in result.errors] == [f"第 2 行：{reason}" for reason in reasons]


def test_a_year_after_the_current_one_is_refused(write_csv):
    year = str(current_academic_year() + 1)
    result = load(write_csv([HEADER, ["t-first", year, "初階認證", "", ""]]))
    assert result.errors[0].reason.startswith(f"學年度「{year}」不在 1 到本學年度")


def test_the_same_certificate_twice_names_the_first_line(write_csv):
    rows = [HEADER, ["t-first", "95", "初階認證", "A1", ""], ["t-first", "95", "初階認證", "A2", ""]]
    assert [str(error) for error in load(write_csv(rows)).errors] == [
        "第 3 行：帳號、證號類別與學年度「t-first、初階認證、95」與第 2 行重複"
    ]
