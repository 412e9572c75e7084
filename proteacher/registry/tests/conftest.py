"""Files as the working group would hand them in, written into the test's own folder."""

import csv
import datetime

import pytest
from openpyxl import Workbook


@pytest.fixture
def write_csv(tmp_path):
    """write_csv(rows, name=..., encoding=...) -> path; rows include the header row."""

    def write(rows, name="file.csv", encoding="utf-8"):
        path = tmp_path / name
        with open(path, "w", encoding=encoding, newline="") as out:
            csv.writer(out, lineterminator="\r\n").writerows(rows)
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path):
    def write(rows, name="file.xlsx"):
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


TRAINING_HEADER = ["全教網帳號", "課程名稱", "類別", "時數", "研習日期"]


def training_rows(count, start=datetime.date(2023, 9, 1)):
    """`count` good rows for distinct (account, course, date) keys."""
    return [
        [f"t-{index % 97:03d}", f"進階專業回饋人才培訓 第 {index} 場", "進階培訓", "3", start.isoformat()]
        for index in range(count)
    ]
