import pytest

from proteacher.registry.importers import TitleCodeImporter
from proteacher.registry.importing import run_import
from proteacher.registry.models import TitleCode

pytestmark = pytest.mark.django_db
HEADER = ["職稱代碼", "職稱", "是否正式教師"]


def load(path):
    return run_import(TitleCodeImporter(), path)


@pytest.mark.parametrize(
    "written, formal",
    [("是", True), ("Y", True), ("y", True), ("1", True), ("否", False), ("N", False), ("0", False)],
)
def test_formal_teacher_is_read_from_yes_no_in_several_forms(write_csv, written, formal):
    assert load(write_csv([HEADER, ["8", "專任教師", written]])).ok
    assert TitleCode.objects.get(code="8").is_formal_teacher is formal


def test_a_code_becomes_non_formal_on_reimport(write_csv):
    load(write_csv([HEADER, ["9", "代理教師", "是"]]))
    result = load(write_csv([HEADER, ["9", "代理教師", "否"]]))
    assert result.updated == 1
    assert TitleCode.objects.get(code="9").is_formal_teacher is False


def test_anything_else_than_yes_or_no_is_reported(write_csv):
    result = load(write_csv([HEADER, ["8", "專任教師", "正式"], ["9", "代理教師", ""]]))
    assert [str(error) for error in result.errors] == [
        "第 2 行：是否正式教師「正式」應填 是/否、Y/N 或 1/0",
        "第 3 行：是否正式教師未填寫",
    ]
