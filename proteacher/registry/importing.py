"""Reading master-data files (CSV or Excel) and loading them all or nothing.

The working group loads files exported by county offices and by the old system. A file is first
checked row by row and every problem is collected with the line number the user sees in the
spreadsheet (the header row is line 1), so one round of corrections fixes the whole file. Only a
file without a single problem is written, in one transaction with bulk statements: a file loads
completely or not at all.

Each kind of file is an `Importer` subclass (see importers.py): its columns, how one row is
checked, and which fields form its natural key. `run_import` drives them all.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any, ClassVar

from django.db import IntegrityError, connection, models, transaction

from proteacher.audit.log import record
from proteacher.dates import ROC_OFFSET, today
from proteacher.errors import DomainError
from proteacher.registry.models import normalize_place_name
from proteacher.text import clean_text

# Rows per INSERT (updates, and new rows where COPY is not used): few statements, yet far below
# PostgreSQL's 65,535 parameters per statement (6 columns × 2,000 = 12,000). Django lowers it
# further on SQLite, whose limit is 999.
BATCH_SIZE = 2000
# Accounts per `IN (...)` when existing rows are fetched: below SQLite's variable limit.
LOOKUP_CHUNK = 500

Source = str | Path | IO[bytes]


class ImportFileError(DomainError):
    """The file as a whole cannot be read: wrong type, unknown encoding, broken workbook."""

    def __init__(self, reason: str, line: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: a problem of the whole file, not of one row
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}" if self.line else self.reason


@dataclass
class ImportResult:
    title: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        """One line for the person who loaded the file, e.g. 已匯入 1000 筆（新增 998、更新 2）."""
        if self.errors:
            return f"檔案有 {len(self.errors)} 個錯誤，未匯入任何資料"
        counts = [f"新增 {self.created}", f"更新 {self.updated}"]
        if self.unchanged:
            counts.append(f"未變更 {self.unchanged}")
        if self.dry_run:
            return f"檢查無誤，可匯入 {self.total} 筆（{'、'.join(counts)}）；僅檢查，未寫入任何資料"
        return f"已匯入 {self.total} 筆（{'、'.join(counts)}）"


# --- reading files -------------------------------------------------------------------------------


def read_rows(source: Source, filename: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells as text) for every row of a CSV or .xlsx file, header included.

    `source` is a path or a binary file object (an upload); `filename` gives the type of a file
    object whose own name does not.
    """
    name = filename or (str(source) if isinstance(source, str | Path) else getattr(source, "name", "")) or ""
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(_read_bytes(source))
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(source)
    if suffix == ".xls":
        raise ImportFileError("不支援舊版 Excel（.xls）檔，請另存為 .xlsx 或 CSV 後再匯入")
    raise ImportFileError(f"不支援的檔案類型「{suffix or name}」，請使用 CSV 或 Excel（.xlsx）檔")


def _read_bytes(source: Source) -> bytes:
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    return source.read()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes) first, then Big5 as Taiwanese offices export it.

    Big5 bytes are almost never valid UTF-8, so trying UTF-8 first cannot misread a Big5 file.
    cp950 is Microsoft's Big5, what Windows in Taiwan actually writes (a superset of plain Big5).
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("cp950")
    except UnicodeDecodeError as exc:
        # The encoding that read further is the one the file was meant to be in: name its bad line.
        stop = max(utf8_error.start, exc.start)
        line = data[:stop].count(b"\n") + 1
        raise ImportFileError("有無法辨識的文字，檔案必須是 UTF-8 或 Big5 編碼", line=line) from exc


def _csv_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(decode_text(data), newline=""))
    line = 1
    try:
        for cells in reader:
            # A quoted cell may hold line breaks; a row is reported at the line where it starts.
            # Control characters an old system left in a cell are dropped (proteacher.text).
            yield line, [clean_text(cell).strip() for cell in cells]
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式錯誤（{exc}）", line=reader.line_num) from exc


def _xlsx_rows(source: Source) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    if not isinstance(source, str | Path) and hasattr(source, "seek"):
        source.seek(0)
    try:
        # read_only streams the sheet instead of building every cell object: a 200,000-row
        # workbook stays in bounded memory. data_only gives formulas' cached values.
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for a damaged file
        raise ImportFileError("無法開啟 Excel 檔，請確認檔案是 .xlsx 格式且未損毀") from exc
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the size the writing program recorded, and some programs record
        # A1 only: forget it and read every row there is.
        sheet.reset_dimensions()
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [cell_text(value) for value in values]
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """An Excel cell as the text a CSV would hold, so one set of checks serves both."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores every number as a float: a code typed as 8 arrives as 8.0.
        return str(int(value)) if value.is_integer() else repr(value)
    return clean_text(str(value)).strip()


def normalize_header(text: str) -> str:
    return normalize_place_name(text.replace("\ufeff", "")).rstrip("*＊")


# --- checking values ------------------------------------------------------------------------------


class Invalid(ValueError):
    """A cell's value is wrong; the message is the reason shown to the user."""


def shown(value: str, limit: int = 30) -> str:
    """A value quoted in a message, cut short so one long cell does not drown the list."""
    return value if len(value) <= limit else value[:limit] + "…"


def required_text(value: str, label: str, max_length: int) -> str:
    if not value:
        raise Invalid(f"{label}未填寫")
    if len(value) > max_length:
        raise Invalid(f"{label}「{shown(value)}」超過 {max_length} 個字")
    return value


def account_text(value: str, label: str = "全教網帳號") -> str:
    required_text(value, label, 64)
    if any(char.isspace() for char in value):
        raise Invalid(f"{label}「{shown(value)}」不可含空白")
    return value


_YES = {"是", "y", "yes", "1", "true"}
_NO = {"否", "n", "no", "0", "false"}


def yes_no(value: str, label: str) -> bool:
    folded = value.strip().lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    if not value:
        raise Invalid(f"{label}未填寫")
    raise Invalid(f"{label}「{shown(value)}」應填 是/否、Y/N 或 1/0")


def decimal_value(value: str, label: str, *, maximum: Decimal, places: int = 1) -> Decimal:
    if not value:
        raise Invalid(f"{label}未填寫")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Invalid(f"{label}「{shown(value)}」不是數字") from None
    if not number.is_finite():
        raise Invalid(f"{label}「{shown(value)}」不是數字")
    if number <= 0:
        raise Invalid(f"{label}「{shown(value)}」必須大於 0")
    if number > maximum:
        raise Invalid(f"{label}「{shown(value)}」不可超過 {maximum}")
    step = Decimal(1).scaleb(-places)
    if number != number.quantize(step):
        raise Invalid(f"{label}「{shown(value)}」最多只能有 {places} 位小數")
    return number.quantize(step)


# 2019-07-15, 2019/7/15, 108/07/15, 108-7-15, 108.07.15; an exported time of day is ignored.
_SEPARATED_DATE = re.compile(r"^(\d{2,4})[-/.](\d{1,2})[-/.](\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
# 民國108年7月15日, 108年7月15日
_WRITTEN_DATE = re.compile(r"^(?:民國)?(\d{2,3})年(\d{1,2})月(\d{1,2})日$")
# 20190715 (Gregorian) or 1080715 / 990715 (ROC, as the old system exports)
_COMPACT_DATE = re.compile(r"^(\d{2,4})(\d{2})(\d{2})$")


def parse_date(value: str, label: str, latest: datetime.date | None = None) -> datetime.date:
    """A date in ISO form or in the ROC forms Taiwanese offices write, not after `latest` (today).

    A four-digit year is Gregorian; a two- or three-digit year is an ROC year (民國). Importers
    pass `latest` once per file: asking the clock for every row costs seconds on a large file.
    """
    if not value:
        raise Invalid(f"{label}未填寫")
    text = value.strip()
    match = _SEPARATED_DATE.match(text) or _WRITTEN_DATE.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise Invalid(f"{label}「{shown(value)}」格式不正確，請寫成 2019-07-15 或民國 108/07/15")
    year_text, month, day = match.groups()
    year = int(year_text) if len(year_text) == 4 else int(year_text) + ROC_OFFSET
    try:
        result = datetime.date(year, int(month), int(day))
    except ValueError:
        raise Invalid(f"{label}「{shown(value)}」不是有效的日期") from None
    if result > (latest or today()):
        raise Invalid(f"{label}「{shown(value)}」晚於今天")
    return result


def choice_value(value: str, label: str, choices: dict[str, Any]) -> Any:
    if not value:
        raise Invalid(f"{label}未填寫")
    if value in choices:
        return choices[value]
    raise Invalid(f"{label}「{shown(value)}」不是可用的{label}（{'、'.join(choices)}）")


# --- importers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True  # the column must be in the header; a blank cell is the row check's affair

    def names(self) -> set[str]:
        return {normalize_header(name) for name in (self.label, *self.aliases)}


class Importer:
    """One kind of file. Subclasses declare the columns and the model fields, and check one row.

    A checked row is a tuple of model field values in the order of `key_fields + value_fields`
    (foreign keys as ids); tuples keep 200,000 rows in little memory.
    """

    title: ClassVar[str]
    columns: ClassVar[Sequence[Column]]
    model: ClassVar[type[models.Model]]
    key_fields: ClassVar[Sequence[str]]
    value_fields: ClassVar[Sequence[str]]
    # Said of a second row with the same natural key, e.g. "學校代碼「313301」與第 5 行重複".
    duplicate_label: ClassVar[str]
    # New rows go in by COPY on PostgreSQL; off for a model whose new rows need more than the
    # file's columns (a County's sort order).
    copy_new_rows: ClassVar[bool] = True

    def __init__(self) -> None:
        self.today = today()

    def prepare(self) -> None:
        """Load what rows are checked against (one query per lookup, never one per row)."""

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        """Return the row as field values, or raise Invalid (or several reasons as RowInvalid)."""
        raise NotImplementedError

    def describe_key(self, key: tuple) -> str:
        return "、".join(str(part) for part in key)

    def existing(self, rows: list[tuple]) -> Iterable[tuple]:
        """Rows already in the database that the file may update, shaped like checked rows."""
        # values_list() names a foreign key by its field name and returns the id, as rows hold it.
        return self.model.objects.values_list(*self.key_fields, *self.value_fields)

    def instance(self, row: tuple, *, new: bool) -> models.Model:
        attnames = [self.model._meta.get_field(name).attname for name in (*self.key_fields, *self.value_fields)]
        return self.model(**dict(zip(attnames, row, strict=True)))

    # The loading itself: classify every row against what exists, then write in batches.

    def load(self, rows: list[tuple], *, write: bool) -> tuple[int, int, int]:
        width = len(self.key_fields)
        current = {found[:width]: found[width:] for found in self.existing(rows)}
        to_create: list[tuple] = []
        to_update: list[tuple] = []
        unchanged = 0
        for row in rows:
            found = current.get(row[:width])
            if found is None:
                to_create.append(row)
            elif found != row[width:]:
                to_update.append(row)
            else:
                unchanged += 1
        if write:
            self.write(to_create, to_update)
        return len(to_create), len(to_update), unchanged

    def write(self, to_create: list[tuple], to_update: list[tuple]) -> None:
        manager = self.model.objects
        if to_create and self.copy_new_rows and connection.vendor == "postgresql":
            self.copy(to_create)
        else:
            for batch in batched(to_create, BATCH_SIZE):
                manager.bulk_create([self.instance(row, new=True) for row in batch])
        # An upsert on the natural key instead of bulk_update: bulk_update writes one CASE WHEN
        # per field and row, which grows quadratically; INSERT … ON CONFLICT DO UPDATE does not.
        for batch in batched(to_update, BATCH_SIZE):
            manager.bulk_create(
                [self.instance(row, new=False) for row in batch],
                update_conflicts=True,
                unique_fields=list(self.key_fields),
                update_fields=list(self.value_fields),
            )

    def copy(self, rows: list[tuple]) -> None:
        """PostgreSQL's COPY: several times faster than INSERT for the large training files.

        It skips the model layer as bulk_create does (no save(), no signals); the rows were
        checked above and carry every column a new row needs, the id coming from its sequence.
        """
        quote = connection.ops.quote_name
        columns = [quote(self.model._meta.get_field(name).column) for name in (*self.key_fields, *self.value_fields)]
        statement = f"COPY {quote(self.model._meta.db_table)} ({', '.join(columns)}) FROM STDIN"
        # Django's cursor wraps psycopg's; COPY is psycopg's own API, so its errors are turned
        # into Django's (IntegrityError above all) by hand.
        with connection.wrap_database_errors, connection.cursor() as cursor:
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)


class RowInvalid(Exception):
    """Several reasons for one row, all shown."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def check_fields(checks: Sequence[Any]) -> list:
    """Run each check (a zero-argument callable) and collect every reason instead of stopping at one."""
    results, reasons = [], []
    for check in checks:
        try:
            results.append(check())
        except Invalid as exc:
            reasons.append(str(exc))
            results.append(None)
    if reasons:
        raise RowInvalid(reasons)
    return results


def batched(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def map_header(importer: Importer, header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Which cell holds which column; or the reasons the header row is unusable."""
    names = [normalize_header(cell) for cell in header]
    positions: dict[str, int] = {}
    reasons: list[str] = []
    for column in importer.columns:
        found = [index for index, name in enumerate(names) if name in column.names()]
        if len(found) > 1:
            reasons.append(f"標題列有兩個「{column.label}」欄")
        elif found:
            positions[column.key] = found[0]
        elif column.required:
            reasons.append(f"標題列缺少「{column.label}」欄")
    if reasons:
        expected = "、".join(column.label for column in importer.columns)
        reasons.append(f"第一行必須是標題列，欄位為：{expected}")
    return positions, reasons


# Rows between two calls of run_import's `progress`.
PROGRESS_EVERY = 5000


def run_import(
    importer: Importer,
    source: Source,
    *,
    filename: str | None = None,
    dry_run: bool = False,
    actor=None,
    progress: Callable[[int], None] | None = None,
    on_loaded: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Check every row of the file, then load all of them in one transaction, or none. A load
    writes one audit entry with its counts in that transaction (`actor`: who loaded the file;
    None for the command line); a dry run and a refused file write none.

    `progress(rows read)` is called every PROGRESS_EVERY rows while the file is read and checked,
    and once at the end of that pass; it runs outside the load's transaction, so what it writes
    is visible at once. `on_loaded(result)` runs inside that transaction once the rows are
    written (not for a dry run): what it writes commits with the rows or not at all, and an
    exception it raises undoes the load.
    """
    result = ImportResult(title=importer.title, dry_run=dry_run)
    rows: list[tuple] = []
    read = 0
    try:
        lines = read_rows(source, filename)
        header_line = next(lines, None)
        if header_line is None:
            result.errors.append(RowError(None, "檔案是空的"))
            return result
        positions, reasons = map_header(importer, header_line[1])
        if reasons:
            result.errors.extend(RowError(1, reason) for reason in reasons)
            return result
        width = len(header_line[1])
        importer.prepare()
        first_seen: dict[tuple, int] = {}
        key_width = len(importer.key_fields)
        for line, cells in lines:
            if not any(cells):
                continue  # blank lines (often trailing ones from Excel) are not rows
            read += 1
            if progress is not None and read % PROGRESS_EVERY == 0:
                progress(read)
            reasons = []
            if len(cells) > width and any(cells[width:]):
                reasons.append(f"本行有 {len(cells)} 欄，多於標題列的 {width} 欄（內容含逗號時請以雙引號括住）")
            values = {key: (cells[index] if index < len(cells) else "") for key, index in positions.items()}
            try:
                row = importer.check_row(values, line)
            except Invalid as exc:
                reasons.append(str(exc))
            except RowInvalid as exc:
                reasons.extend(exc.reasons)
            else:
                key = row[:key_width]
                first = first_seen.setdefault(key, line)
                if first != line:
                    reasons.append(f"{importer.duplicate_label}「{importer.describe_key(key)}」與第 {first} 行重複")
            if reasons:
                result.errors.extend(RowError(line, reason) for reason in reasons)
            elif not result.errors:
                rows.append(row)  # once the file is known bad, rows are only checked, not kept
    except ImportFileError as exc:
        result.errors.append(RowError(exc.line, exc.reason))
    if progress is not None:
        progress(read)
    if result.errors:
        return result
    if not rows:
        result.errors.append(RowError(None, "檔案只有標題列，沒有任何資料"))
        return result
    try:
        with transaction.atomic():
            result.created, result.updated, result.unchanged = importer.load(rows, write=not dry_run)
            if not dry_run:
                _audit(importer, source, filename, result, actor)
                if on_loaded is not None:
                    on_loaded(result)
    except IntegrityError:
        # The checks above saw no conflict: most likely another load wrote the same rows meanwhile.
        result.created = result.updated = result.unchanged = 0
        result.errors.append(
            RowError(None, "寫入時與資料庫中的資料衝突（可能有其他匯入同時進行），未匯入任何資料，請重新匯入")
        )
    return result


def _audit(importer: Importer, source: Source, filename: str | None, result: ImportResult, actor) -> None:
    name = filename or (Path(source).name if isinstance(source, str | Path) else getattr(source, "name", "")) or ""
    counts = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}
    target = f"{importer.title}（{name}）" if name else importer.title
    record("import.run", actor=actor, target=target, data={"importer": type(importer).__name__, "file": name, **counts})
