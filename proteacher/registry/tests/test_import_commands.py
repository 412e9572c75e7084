"""The import_* commands: a summary on success; the error list and a failing exit status otherwise."""

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from proteacher.registry.models import School, TitleCode, TrainingRecord
from proteacher.registry.tests.conftest import TRAINING_HEADER, training_rows

pytestmark = pytest.mark.django_db


def run(command, *args):
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_training_prints_the_counts(write_csv):
    path = write_csv([TRAINING_HEADER, *training_rows(1000)])
    out, _ = run("import_training", str(path))
    assert out.strip() == "研習時數：已匯入 1000 筆（新增 1000、更新 0）"


def test_a_bad_row_lists_every_error_fails_and_loads_nothing(write_csv):
    rows = training_rows(1000)
    rows[499][3] = "abc"
    rows[899][4] = "2023-13-01"
    path = write_csv([TRAINING_HEADER, *rows])
    err = StringIO()
    with pytest.raises(CommandError, match="研習時數：檔案有 2 個錯誤，未匯入任何資料"):
        call_command("import_training", str(path), stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        "第 501 行：時數「abc」不是數字",
        "第 901 行：研習日期「2023-13-01」不是有效的日期",
    ]
    assert TrainingRecord.objects.count() == 0


def test_dry_run_writes_nothing(write_csv):
    path = write_csv([["職稱代碼", "職稱", "是否正式教師"], ["8", "專任教師", "是"]])
    out, _ = run("import_title_codes", str(path), "--dry-run")
    assert out.strip() == "職稱代碼：檢查無誤，可匯入 1 筆（新增 1、更新 0）；僅檢查，未寫入任何資料"
    assert not TitleCode.objects.exists()


def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match="找不到檔案：/nowhere/schools.csv"):
        call_command("import_schools", "/nowhere/schools.csv")


@pytest.mark.parametrize(
    "command, sample, summary",
    [
        ("import_counties", "counties.csv", "縣市：已匯入 22 筆（新增 0、更新 0、未變更 22）"),
        ("import_schools", "schools.csv", "學校：已匯入 13 筆（新增 13、更新 0）"),
        ("import_schools", "schools.xlsx", "學校：已匯入 13 筆（新增 13、更新 0）"),
        ("import_title_codes", "title_codes.csv", "職稱代碼：已匯入 9 筆（新增 9、更新 0）"),
        ("import_training", "training.csv", "研習時數：已匯入 6 筆（新增 6、更新 0）"),
        ("import_training", "training.big5.csv", "研習時數：已匯入 6 筆（新增 6、更新 0）"),
        ("import_old_certificates", "old_certificates.csv", "舊系統證號：已匯入 3 筆（新增 3、更新 0）"),
    ],
)
def test_every_sample_file_loads(command, sample, summary):
    out, _ = run(command, str(settings.BASE_DIR / "samples" / sample))
    assert out.strip() == summary


def test_the_excel_and_big5_samples_hold_what_their_csv_holds():
    run("import_schools", str(settings.BASE_DIR / "samples" / "schools.csv"))
    from_csv = list(School.objects.values_list("code", "name", "county__name"))
    School.objects.all().delete()
    run("import_schools", str(settings.BASE_DIR / "samples" / "schools.xlsx"))
    assert list(School.objects.values_list("code", "name", "county__name")) == from_csv

    run("import_training", str(settings.BASE_DIR / "samples" / "training.csv"))
    out, _ = run("import_training", str(settings.BASE_DIR / "samples" / "training.big5.csv"))
    assert "未變更 6" in out


def test_the_exit_status_is_non_zero_when_a_row_is_bad(write_csv, tmp_path):
    # A real process, as a script or a scheduler sees it. The training checks need no database
    # until the file is known good, so the bad file never reaches the one in DATABASE_URL.
    rows = training_rows(3)
    rows[1][2] = "研習"
    path = write_csv([TRAINING_HEADER, *rows])
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}", "VAR_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "manage.py", "import_training", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "第 3 行：類別「研習」不是可用的類別" in done.stderr
    assert "研習時數：檔案有 1 個錯誤，未匯入任何資料" in done.stderr
    assert done.stdout == ""
