import pytest

from proteacher.registry.importers import SchoolImporter
from proteacher.registry.importing import run_import
from proteacher.registry.models import School

pytestmark = pytest.mark.django_db
HEADER = ["學校代碼", "學校名稱", "縣市"]


def load(path):
    return run_import(SchoolImporter(), path)


def test_it_finds_the_county_by_name_with_tai_written_either_way_or_by_code(write_csv):
    rows = [HEADER, ["063501", "臺中市立大墩國民中學", "台中市"], ["313301", "臺北市立成淵高級中學", "63000"]]
    assert load(write_csv(rows)).created == 2
    assert School.objects.get(code="063501").county.name == "臺中市"
    assert School.objects.get(code="313301").county.name == "臺北市"


def test_it_keeps_the_normalized_name_that_sso_matches_on(write_csv):
    load(write_csv([HEADER, ["063501", "台中市立 大墩國民中學", "臺中市"]]))
    school = School.objects.get()
    assert school.name == "台中市立 大墩國民中學"
    assert school.normalized_name == "臺中市立大墩國民中學"


def test_it_updates_a_school_by_its_code(write_csv):
    load(write_csv([HEADER, ["313301", "臺北市立成淵中學", "臺北市"]]))
    result = load(
        write_csv([HEADER, ["313301", "臺北市立成淵高級中學", "臺北市"], ["313302", "臺北市立建國高級中學", "臺北市"]])
    )
    assert (result.created, result.updated) == (1, 1)
    assert School.objects.get(code="313301").normalized_name == "臺北市立成淵高級中學"


def test_an_unknown_county_and_blank_cells_are_reported(write_csv):
    result = load(write_csv([HEADER, ["900001", "測試國小", "測試縣"], ["", "", "臺北市"], ["900002", "測試國中", ""]]))
    assert [str(error) for error in result.errors] == [
        "第 2 行：縣市「測試縣」不在縣市主檔中",
        "第 3 行：學校代碼未填寫",
        "第 3 行：學校名稱未填寫",
        "第 4 行：縣市未填寫",
    ]
    assert School.objects.count() == 0


def test_a_school_code_given_twice_names_the_first_line(write_csv):
    result = load(write_csv([HEADER, ["313301", "甲校", "臺北市"], ["313301", "乙校", "臺北市"]]))
    assert [str(error) for error in result.errors] == ["第 3 行：學校代碼「313301」與第 2 行重複"]
