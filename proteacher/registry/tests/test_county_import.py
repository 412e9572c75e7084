import pytest

from proteacher.registry.counties import COUNTIES
from proteacher.registry.importers import CountyImporter
from proteacher.registry.importing import run_import
from proteacher.registry.models import County

pytestmark = pytest.mark.django_db
HEADER = ["代碼", "縣市", "簡稱"]


def load(path):
    return run_import(CountyImporter(), path)


def test_the_22_counties_load_unchanged_over_the_data_migration(write_csv):
    result = load(write_csv([HEADER, *COUNTIES]))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 22)
    assert County.objects.count() == 22


def test_it_updates_by_code_and_appends_a_new_county(write_csv):
    result = load(write_csv([HEADER, ["63000", "台北市", "北市"], ["99001", "測試縣", "測試"]]))
    assert (result.created, result.updated) == (1, 1)
    taipei = County.objects.get(code="63000")
    # 台 is written 臺 as in every other name of master data.
    assert (taipei.name, taipei.short_name) == ("臺北市", "北市")
    assert County.objects.get(code="99001").sort_order == 23
    assert list(County.objects.values_list("code", flat=True))[-1] == "99001"


def test_a_name_that_belongs_to_another_code_is_refused(write_csv):
    result = load(write_csv([HEADER, ["99001", "臺北市", "測試"]]))
    assert [str(error) for error in result.errors] == ["第 2 行：縣市「臺北市」已屬於代碼 63000 的縣市"]


def test_a_name_given_twice_in_the_file_is_refused(write_csv):
    result = load(write_csv([HEADER, ["99001", "測試縣", "測一"], ["99002", "測試縣", "測二"]]))
    assert [str(error) for error in result.errors] == ["第 3 行：縣市「測試縣」與第 2 行重複"]


def test_blank_and_too_long_cells_are_reported(write_csv):
    result = load(write_csv([HEADER, ["", "測試縣", "測試縣測試縣"]]))
    assert [str(error) for error in result.errors] == [
        "第 2 行：代碼未填寫",
        "第 2 行：簡稱「測試縣測試縣」超過 4 個字",
    ]
