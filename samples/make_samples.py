"""Write the sample files that are derived from others, so they never drift apart.

    .venv/bin/python samples/make_samples.py

- counties.csv from proteacher/registry/counties.py (the 22 counties of the data migration);
- training.big5.csv: training.csv in Big5 (cp950) with Windows line ends, as Excel in Taiwan saves it;
- schools.xlsx: schools.csv as an Excel workbook, codes stored as text (leading zeros kept).

The other samples (schools.csv, title_codes.csv, training.csv, old_certificates.csv) are written
by hand; `manage.py load_demo` loads them.
"""

import csv
import datetime
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from proteacher.registry.counties import COUNTIES  # noqa: E402

# A fixed timestamp keeps the workbook byte-identical from one run to the next.
FIXED_TIME = datetime.datetime(2026, 1, 1)


def write_counties() -> None:
    with open(HERE / "counties.csv", "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["代碼", "縣市", "簡稱"])
        writer.writerows(COUNTIES)


def write_training_big5() -> None:
    text = (HERE / "training.csv").read_text(encoding="utf-8")
    (HERE / "training.big5.csv").write_bytes(text.replace("\n", "\r\n").encode("cp950"))


def write_schools_xlsx() -> None:
    with open(HERE / "schools.csv", encoding="utf-8", newline="") as source:
        rows = list(csv.reader(source))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "學校"
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABC", (12, 34, 10), strict=True):
        sheet.column_dimensions[column].width = width
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    workbook.save(HERE / "schools.xlsx")


if __name__ == "__main__":
    write_counties()
    write_training_big5()
    write_schools_xlsx()
    print("已產生 counties.csv、training.big5.csv、schools.xlsx")
