"""The kinds of master-data file the working group loads (SPEC §10), one importer each.

docs/imports.md describes every format for the people who prepare the files; keep it in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Max

from proteacher.dates import ROC_OFFSET, academic_year, current_academic_year
from proteacher.registry.importing import (
    LOOKUP_CHUNK,
    Column,
    Importer,
    Invalid,
    account_text,
    check_fields,
    choice_value,
    decimal_value,
    parse_date,
    required_text,
    shown,
    yes_no,
)
from proteacher.registry.models import (
    County,
    OldCertificate,
    School,
    TitleCode,
    TrainingCategory,
    TrainingRecord,
    normalize_place_name,
)


def single_spaced(value: str) -> str:
    """Runs of spaces count as one, so 'A  B' and 'A B' are the same course or school."""
    return " ".join(value.split())


class CountyImporter(Importer):
    title = "縣市"
    columns = (
        Column("code", "代碼", ("縣市代碼",)),
        Column("name", "縣市", ("縣市名稱",)),
        Column("short_name", "簡稱", ("縣市簡稱",)),
    )
    model = County
    key_fields = ("code",)
    value_fields = ("name", "short_name")
    duplicate_label = "代碼"
    copy_new_rows = False  # new counties need a sort order, set in instance()

    def prepare(self) -> None:
        # name and short name are unique too: a row may not take another county's.
        self.code_of_name = dict(County.objects.values_list("name", "code"))
        self.code_of_short_name = dict(County.objects.values_list("short_name", "code"))
        self.line_of_name: dict[str, int] = {}
        self.line_of_short_name: dict[str, int] = {}
        self.next_sort_order = (County.objects.aggregate(last=Max("sort_order"))["last"] or 0) + 1

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        code, name, short_name = check_fields(
            [
                lambda: required_text(values["code"], "代碼", 10),
                lambda: normalize_place_name(required_text(values["name"], "縣市", 10)),
                lambda: normalize_place_name(required_text(values["short_name"], "簡稱", 4)),
            ]
        )
        reasons = []
        for label, value, owners, lines in (
            ("縣市", name, self.code_of_name, self.line_of_name),
            ("簡稱", short_name, self.code_of_short_name, self.line_of_short_name),
        ):
            if owners.get(value, code) != code:
                reasons.append(f"{label}「{value}」已屬於代碼 {owners[value]} 的縣市")
            elif lines.setdefault(value, line) != line:
                reasons.append(f"{label}「{value}」與第 {lines[value]} 行重複")
        if reasons:
            raise Invalid("；".join(reasons))
        return code, name, short_name

    def instance(self, row: tuple, *, new: bool):
        county = super().instance(row, new=new)
        if new:
            # New counties are listed after the 22 known ones, in the order of the file.
            county.sort_order = self.next_sort_order
            self.next_sort_order += 1
        return county


class SchoolImporter(Importer):
    title = "學校"
    columns = (
        Column("code", "學校代碼", ("代碼", "校代碼")),
        Column("name", "學校名稱", ("校名", "學校")),
        Column("county", "縣市", ("縣市名稱", "所屬縣市", "學校所屬縣市")),
    )
    model = School
    key_fields = ("code",)
    # normalized_name is what SSO names are matched on; bulk statements skip School.save(), so the
    # row carries it.
    value_fields = ("name", "normalized_name", "county")
    duplicate_label = "學校代碼"

    def prepare(self) -> None:
        self.counties: dict[str, int] = {}
        for pk, code, name in County.objects.values_list("id", "code", "name"):
            self.counties[normalize_place_name(name)] = pk
            self.counties[code] = pk

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        code, name, county_id = check_fields(
            [
                lambda: required_text(values["code"], "學校代碼", 10),
                lambda: single_spaced(required_text(values["name"], "學校名稱", 100)),
                lambda: self.county_id(values["county"]),
            ]
        )
        return code, name, normalize_place_name(name), county_id

    def county_id(self, value: str) -> int:
        if not value:
            raise Invalid("縣市未填寫")
        found = self.counties.get(normalize_place_name(value))
        if found is None:
            raise Invalid(f"縣市「{shown(value)}」不在縣市主檔中")
        return found


class TitleCodeImporter(Importer):
    title = "職稱代碼"
    columns = (
        Column("code", "職稱代碼", ("代碼",)),
        Column("name", "職稱", ("職稱名稱",)),
        Column("formal", "是否正式教師", ("正式教師",)),
    )
    model = TitleCode
    key_fields = ("code",)
    value_fields = ("name", "is_formal_teacher")
    duplicate_label = "職稱代碼"

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        return tuple(
            check_fields(
                [
                    lambda: required_text(values["code"], "職稱代碼", 10),
                    lambda: required_text(values["name"], "職稱", 50),
                    lambda: yes_no(values["formal"], "是否正式教師"),
                ]
            )
        )


class AccountScopedImporter(Importer):
    """Rows of teachers' records: the rows that may be updated are those of the file's accounts.

    Fetching by account keeps the lookup bounded by the file, not by the millions of rows the
    table holds after a few years.
    """

    def existing(self, rows: list[tuple]) -> Iterable[tuple]:
        accounts = sorted({row[0] for row in rows})
        for start in range(0, len(accounts), LOOKUP_CHUNK):
            yield from self.model.objects.filter(
                inservice_account__in=accounts[start : start + LOOKUP_CHUNK]
            ).values_list(*self.key_fields, *self.value_fields)


TRAINING_CATEGORIES = {label: value for value, label in TrainingCategory.choices}
MAX_TRAINING_HOURS = Decimal(100)


class TrainingImporter(AccountScopedImporter):
    title = "研習時數"
    columns = (
        Column("account", "全教網帳號", ("帳號", "教師帳號")),
        Column("course", "課程名稱", ("研習名稱", "課程")),
        Column("category", "類別", ("研習類別", "課程類別")),
        Column("hours", "時數", ("研習時數",)),
        Column("date", "研習日期", ("日期", "完成日期")),
    )
    model = TrainingRecord
    key_fields = ("inservice_account", "course", "completed_on")
    value_fields = ("category", "hours", "academic_year")
    duplicate_label = "帳號、課程名稱與研習日期"

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        account, course, category, hours, completed_on = check_fields(
            [
                lambda: account_text(values["account"]),
                lambda: single_spaced(required_text(values["course"], "課程名稱", 200)),
                lambda: choice_value(values["category"], "類別", TRAINING_CATEGORIES),
                lambda: decimal_value(values["hours"], "時數", maximum=MAX_TRAINING_HOURS),
                lambda: parse_date(values["date"], "研習日期", self.today),
            ]
        )
        return account, course, completed_on, category, hours, academic_year(completed_on)


# The old system's 證號類別, as its export writes them (資料轉移 matches them to a type's short name).
CERTIFICATE_KINDS = {label: label for label in ("初階認證", "進階認證", "教學輔導教師認證")}


def school_year(value: str, label: str = "學年度") -> int:
    if not value:
        raise Invalid(f"{label}未填寫")
    text = value.removesuffix("學年度").strip()
    if not text.isdigit():
        raise Invalid(f"{label}「{shown(value)}」不是數字")
    year = int(text)
    if year > ROC_OFFSET:
        raise Invalid(f"{label}「{shown(value)}」請填民國年（例如 108）")
    if year < 1 or year > current_academic_year():
        raise Invalid(f"{label}「{shown(value)}」不在 1 到本學年度（{current_academic_year()}）之間")
    return year


class OldCertificateImporter(AccountScopedImporter):
    title = "舊系統證號"
    columns = (
        Column("account", "全教網帳號", ("帳號", "教師帳號")),
        Column("year", "學年度", ("年度", "認證學年度")),
        Column("kind", "證號類別", ("類別", "認證類別")),
        Column("number", "證號", ("證書字號",)),
        Column("obtained_on", "證號取得時間", ("取得時間", "證號取得日期", "發證日期"), required=False),
    )
    model = OldCertificate
    key_fields = ("inservice_account", "kind", "academic_year")
    value_fields = ("number", "obtained_on")
    duplicate_label = "帳號、證號類別與學年度"

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        account, year, kind, number, obtained_on = check_fields(
            [
                lambda: account_text(values["account"]),
                lambda: school_year(values["year"]),
                lambda: choice_value(values["kind"], "證號類別", CERTIFICATE_KINDS),
                lambda: self.number(values["number"]),
                lambda: (
                    parse_date(values["obtained_on"], "證號取得時間", self.today) if values.get("obtained_on") else None
                ),
            ]
        )
        return account, kind, year, number, obtained_on

    @staticmethod
    def number(value: str) -> str:
        # The old system left some numbers blank; the teacher still sees the record at 資料轉移.
        if len(value) > 40:
            raise Invalid(f"證號「{shown(value)}」超過 40 個字")
        return value


IMPORTERS: dict[str, type[Importer]] = {
    "counties": CountyImporter,
    "schools": SchoolImporter,
    "title_codes": TitleCodeImporter,
    "training": TrainingImporter,
    "old_certificates": OldCertificateImporter,
}
