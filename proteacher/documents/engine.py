"""One engine for every online form (SPEC §5.4): one way to lay a template out, one reader of what
the browser posts, one list of what is still missing.

A definition (catalogue.py) lists "sections". A section may carry a "title", a "hint", a "note"
(before its inputs) and a "note_after", and either

- "grid": rows of cells drawn as a table, each label beside its input, as the seed's screens; a
  cell is a field, or {"label": …, "fields": [...]} for several inputs behind one label
  (教學節次 共_節 本次教學為第_節); or
- "fields": blocks, each a heading (label and hint) with its input below.

{"include": "header"} stands for definitions/parts/header.json: the header block every online form
starts with. The include may rename fields ("labels": {"date": "觀察前會談日期"}) and fill the part's
slots ("slots": {"before_unit": [cells]}).

Answers are JSON keyed by field keys (choice fields add "<key>_other" for the text of the choice
that asks for one). Saving never waits for required fields: `validate` returns the data to keep,
the labels of the required fields still empty, and only the errors that make a value unreadable
(a date that is not a date, a negative count). Those errors block the save; the data returned
then holds the raw text, so the page shows everything exactly as typed.

Control characters are dropped from every value the browser posts, before anything reads it
(proteacher.text: the one rule of the platform), and line breaks become "\n": what a form keeps,
and what a check then reads (a date, a choice, a code), is the text without them. A teacher who
pastes from Word loses an invisible character, never the paragraph.
"""

import datetime
import json
import re
from functools import cache
from typing import Any, NamedTuple

from proteacher.documents import computed
from proteacher.documents.catalogue import DEFINITIONS, FormTemplate
from proteacher.text import clean_text

PARTS = DEFINITIONS / "parts"
TEXT_LIMIT = 200
TEXTAREA_LIMIT = 5000
SEATS_MAX = 12
ROWS_MAX = 500
FLANDERS_MAX = 5000
# Field kinds drawn as one input, which a <label for> can name (choices are named as a group).
LABELLED_KINDS = ("text", "textarea", "date", "time", "month", "number")


class Validation(NamedTuple):
    data: dict
    missing: list[str]
    errors: dict[str, str]


class Posted:
    """What the browser sent (a QueryDict, or a plain dict in tests), each value clean_text'ed."""

    def __init__(self, source):
        self.source = source if source is not None else {}

    def getlist(self, name: str) -> list[str]:
        if hasattr(self.source, "getlist"):
            values = self.source.getlist(name)
        else:
            value = self.source.get(name)
            values = [] if value is None else value if isinstance(value, list | tuple) else [value]
        return [clean_text(str(v)) for v in values]

    def get(self, name: str) -> str:
        values = self.getlist(name)
        return values[-1] if values else ""

    def names(self) -> list[str]:
        return list(self.source.keys())


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | dict):
        return not value
    return False


# --- fields ---------------------------------------------------------------------------------


class Field:
    """One declared field. `prefix` makes the HTML names of fields inside a repeating row unique."""

    kind = ""

    def __init__(self, spec: dict, prefix: str = ""):
        self.spec = spec
        self.key = spec["key"]
        self.label = spec.get("label", "")
        self.required = bool(spec.get("required"))
        self.hint = spec.get("hint", "")
        self.name = f"{prefix}{self.key}"

    @property
    def template(self) -> str:
        return f"documents/fields/{self.kind}.html"

    def data_keys(self) -> list[str]:
        return [self.key]

    def html_id(self, name: str | None = None) -> str:
        return f"f-{name or self.name}"

    def read(self, posted: Posted, errors: dict) -> dict:
        value, error = self.clean(posted.get(self.name))
        if error:
            errors[self.name] = error
        return {self.key: value}

    def clean(self, raw: str) -> tuple[Any, str | None]:
        return raw, None

    def is_empty(self, data: dict) -> bool:
        return _empty(data.get(self.key))

    def missing(self, data: dict) -> list[str]:
        return [self.label] if self.required and self.is_empty(data) else []

    def initial(self, context: dict) -> dict:
        return {}

    def bind(self, data: dict, errors: dict, editable: bool, name: str | None = None, value: Any = None) -> dict:
        name = name or self.name
        if value is None:
            value = data.get(self.key, "")
        return {
            "template": self.template,
            "kind": self.kind,
            "key": self.key,
            "name": name,
            "id": self.html_id(name),
            "label": self.label,
            "aria_label": self.spec.get("aria_label") or self.label,
            "required": self.required,
            "hint": self.hint,
            "value": "" if value is None else value,
            "display": self.display(value),
            "error": errors.get(name, ""),
            "editable": editable,
            "prefix": self.spec.get("prefix", ""),
            "suffix": self.spec.get("suffix", ""),
            "spec": self.spec,
        }

    def display(self, value: Any) -> str:
        return "" if value is None else str(value)


class TextField(Field):
    kind = "text"
    input_type = "text"

    @property
    def limit(self) -> int:
        return int(self.spec.get("maxlength", TEXT_LIMIT))

    def clean(self, raw):
        value = raw.strip() if self.kind == "text" else raw.rstrip()
        if len(value) > self.limit:
            return value, f"「{self.label}」最多 {self.limit} 字。"
        return value, None

    def initial(self, context):
        source = self.spec.get("prefill")
        return {self.key: context[source]} if source and context.get(source) else {}

    def bind(self, *args, **kwargs):
        bound = super().bind(*args, **kwargs)
        bound.update(input_type=self.input_type, maxlength=self.limit, datalist=self.spec.get("datalist", ""))
        return bound


class TextareaField(TextField):
    kind = "textarea"

    @property
    def limit(self) -> int:
        return int(self.spec.get("maxlength", TEXTAREA_LIMIT))

    def bind(self, *args, **kwargs):
        bound = super().bind(*args, **kwargs)
        bound["rows"] = self.spec.get("rows", 5)
        return bound


class DateField(TextField):
    """A day, stored as 2020-02-25 (as the seed shows dates); the input is type=date for pickers."""

    kind = "date"
    input_type = "date"

    def clean(self, raw):
        value = raw.strip()
        if not value:
            return "", None
        match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", value)
        try:
            if not match:
                raise ValueError
            return datetime.date(*(int(part) for part in match.groups())).isoformat(), None
        except ValueError:
            return value, f"「{self.label}」請輸入正確的日期，例如 2020-02-25。"


class TimeField(TextField):
    kind = "time"
    input_type = "time"

    def clean(self, raw):
        value = raw.strip()
        if not value:
            return "", None
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?", value)
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return f"{int(match[1]):02d}:{match[2]}", None
        return value, f"「{self.label}」請輸入正確的時間，例如 09:30。"


class MonthField(TextField):
    kind = "month"
    input_type = "month"

    def clean(self, raw):
        value = raw.strip()
        if not value:
            return "", None
        match = re.fullmatch(r"(\d{4})[-/](\d{1,2})", value)
        if match and 1 <= int(match[2]) <= 12:
            return f"{match[1]}-{int(match[2]):02d}", None
        return value, f"「{self.label}」請輸入正確的年月，例如 2020-02。"


class NumberField(Field):
    """A whole number (a count, a period); below `min` (0 unless declared) is refused."""

    kind = "number"

    def clean(self, raw):
        value = raw.strip()
        if not value:
            return None, None
        try:
            number = int(value)
        except ValueError:
            return value, f"「{self.label}」請輸入整數。"
        low, high = self.spec.get("min", 0), self.spec.get("max")
        if low is not None and number < low:
            return value, f"「{self.label}」不能小於 {low}。"
        if high is not None and number > high:
            return value, f"「{self.label}」不能大於 {high}。"
        return number, None

    def bind(self, *args, **kwargs):
        bound = super().bind(*args, **kwargs)
        bound.update(min=self.spec.get("min", 0), max=self.spec.get("max"))
        return bound


class ChoiceField(Field):
    """One of several (radio buttons, or a drop-down inside rows); a choice with "text": true carries
    a text box (小組旁：___), kept under "<key>_other"."""

    kind = "choice"

    @property
    def choices(self) -> list[dict]:
        return self.spec.get("choices", [])

    @property
    def other_key(self) -> str:
        return f"{self.key}_other"

    def has_text(self) -> bool:
        return any(choice.get("text") for choice in self.choices)

    def data_keys(self):
        return [self.key, self.other_key] if self.has_text() else [self.key]

    def _check(self, value: str) -> str | None:
        allowed = {choice["value"] for choice in self.choices}
        return None if not value or value in allowed else f"「{self.label}」的選項不正確。"

    def clean(self, raw):
        value = raw.strip()
        return value, self._check(value)

    def read(self, posted, errors):
        result = super().read(posted, errors)
        if self.has_text():
            text = posted.get(f"{self.name}_other").strip()
            if len(text) > TEXT_LIMIT:
                errors[f"{self.name}_other"] = f"「{self.label}」的說明最多 {TEXT_LIMIT} 字。"
            result[self.other_key] = text
        return result

    def selected(self, data) -> list[str]:
        value = data.get(self.key)
        return [value] if value else []

    def missing(self, data):
        if not self.required:
            return []
        selected = self.selected(data)
        if not selected:
            return [self.label]
        wants_text = {c["value"] for c in self.choices if c.get("text")}
        if wants_text & set(selected) and _empty(data.get(self.other_key)):
            return [f"{self.label}（{self._text_label()}）"]
        return []

    def _text_label(self) -> str:
        return next((c["label"].rstrip("：:") for c in self.choices if c.get("text")), "其他")

    def bind(self, data, errors, editable, name=None, value=None):
        bound = super().bind(data, errors, editable, name, value)
        selected = self.selected({self.key: bound["value"]}) if value is not None else self.selected(data)
        options = []
        for index, choice in enumerate(self.choices):
            options.append(
                {
                    "value": choice["value"],
                    "label": choice["label"],
                    "id": f"{bound['id']}-{index}",
                    "checked": choice["value"] in selected,
                    "text": bool(choice.get("text")),
                }
            )
        bound.update(
            options=options,
            other_name=f"{bound['name']}_other",
            other_id=f"{bound['id']}-other",
            other_value=data.get(self.other_key, "") if value is None else "",
            other_error=errors.get(f"{bound['name']}_other", ""),
            widget=self.spec.get("widget", "radio"),
        )
        return bound

    def display(self, value):
        labels = {c["value"]: c["label"] for c in self.choices}
        values = value if isinstance(value, list) else [value] if value else []
        return "、".join(labels.get(v, v) for v in values)


class MultiChoiceField(ChoiceField):
    """Check boxes (□中 □後 □小組旁：___); stored as the list of checked values."""

    kind = "multichoice"

    def read(self, posted, errors):
        values = [v.strip() for v in posted.getlist(self.name) if v.strip()]
        bad = [v for v in values if self._check(v)]
        if bad:
            errors[self.name] = f"「{self.label}」的選項不正確。"
        result = {self.key: values}
        if self.has_text():
            text = posted.get(f"{self.name}_other").strip()
            if len(text) > TEXT_LIMIT:
                errors[f"{self.name}_other"] = f"「{self.label}」的說明最多 {TEXT_LIMIT} 字。"
            result[self.other_key] = text
        return result

    def selected(self, data):
        value = data.get(self.key) or []
        return value if isinstance(value, list) else [value]


class RowsField(Field):
    """Repeating rows (軼事紀錄表, 選擇性逐字紀錄表): a table whose 新增 adds a row. Rows arrive as
    <key>-<n>-<column>; the numbers need not be consecutive (a row removed in the browser leaves a
    gap), their order is kept, and rows left wholly empty are dropped."""

    kind = "rows"
    column_types = ("text", "textarea", "date", "time", "number", "choice")

    def __init__(self, spec, prefix=""):
        super().__init__(spec, prefix)
        self.columns = [make_field(column) for column in spec["columns"]]

    def _indexes(self, posted: Posted) -> list[int]:
        # ASCII digits, at most nine: the page numbers rows 0, 1, 2, …; any other name is no row.
        pattern = re.compile(rf"^{re.escape(self.name)}-([0-9]{{1,9}})-")
        found = {int(m[1]) for m in map(pattern.match, posted.names()) if m}
        return sorted(found)[:ROWS_MAX]

    def read(self, posted, errors):
        rows = []
        for index in self._indexes(posted):
            row, row_errors = {}, {}
            for column in self.columns:
                name = f"{self.name}-{index}-{column.key}"
                value, error = column.clean(posted.get(name))
                row[column.key] = value
                if error:
                    row_errors[name] = error
            if all(_empty(v) for v in row.values()):
                continue
            number = len(rows) + 1
            for name, error in row_errors.items():
                errors[name] = f"第 {number} 列：{error}"
            rows.append(row)
        return {self.key: rows}

    def missing(self, data):
        rows = [r for r in (data.get(self.key) or []) if isinstance(r, dict)]
        if self.required and not rows:
            return [f"{self.label}（至少一列）"]
        found = []
        for number, row in enumerate(rows, start=1):
            for column in self.columns:
                if column.required and _empty(row.get(column.key)):
                    found.append(f"{self.label}第 {number} 列的「{column.label}」")
        return found

    def _bind_row(self, row: dict, index, number, errors, editable) -> dict:
        cells = []
        for column in self.columns:
            name = f"{self.name}-{index}-{column.key}"
            cell = column.bind({}, errors, editable, name=name, value=row.get(column.key, ""))
            cell["aria_label"] = f"{column.label}（第 {number} 列）"
            cells.append(cell)
        return {"index": index, "number": number, "cells": cells}

    def bind(self, data, errors, editable, name=None, value=None):
        bound = super().bind(data, errors, editable, name, value)
        rows = [r for r in (data.get(self.key) or []) if isinstance(r, dict)]
        if editable:
            rows = rows + [{}] * max(0, int(self.spec.get("min_rows", 1)) - len(rows))
        bound.update(
            columns=[{"label": c.label, "required": c.required, "hint": c.hint, "kind": c.kind} for c in self.columns],
            rows=[self._bind_row(row, i, i + 1, errors, editable) for i, row in enumerate(rows)],
            blank_row=self._bind_row({}, "__index__", "__number__", {}, True),
            next_index=len(rows),
            add_label=self.spec.get("add_label", "新增"),
            hide_label=bool(self.spec.get("hide_label")),
            remove_label=self.spec.get("remove_label", "刪除"),
        )
        return bound


class RubricField(Field):
    """Rating rows of a 教師專業發展規準 sheet: per indicator a 事實摘要敘述 and one rating."""

    kind = "rubric"

    @property
    def scale(self) -> list[dict]:
        return self.spec["scale"]

    def items(self) -> list[dict]:
        return [item for group in self.spec["groups"] for item in group["items"]]

    def _names(self, item) -> tuple[str, str]:
        return f"{self.name}-{item['code']}-facts", f"{self.name}-{item['code']}-rating"

    def read(self, posted, errors):
        allowed = {level["value"] for level in self.scale}
        answer = {}
        for item in self.items():
            facts_name, rating_name = self._names(item)
            facts = posted.get(facts_name).rstrip()
            rating = posted.get(rating_name).strip()
            if len(facts) > TEXTAREA_LIMIT:
                errors[facts_name] = f"「{item['code']} 事實摘要敘述」最多 {TEXTAREA_LIMIT} 字。"
            if rating and rating not in allowed:
                errors[rating_name] = f"「{item['code']} 評量」的選項不正確。"
            if facts or rating:
                answer[item["code"]] = {"facts": facts, "rating": rating}
        return {self.key: answer}

    def missing(self, data):
        if not self.required:
            return []
        answer = data.get(self.key) or {}
        not_applicable = {level["value"] for level in self.scale if level.get("not_applicable")}
        found = []
        facts_label = self.spec.get("facts_label", "事實摘要敘述")
        for item in self.items():
            if item.get("optional"):
                continue
            entry = answer.get(item["code"]) or {}
            parts = []
            if _empty(entry.get("rating")):
                parts.append(self.spec.get("rating_label", "評量"))
            if entry.get("rating") not in not_applicable and _empty(entry.get("facts")):
                parts.append(facts_label)
            if parts:
                found.append(f"{item['code']} {'與'.join(parts)}")
        return found

    def bind(self, data, errors, editable, name=None, value=None):
        bound = super().bind(data, errors, editable, name, value)
        answer = data.get(self.key) or {}
        groups = []
        for group in self.spec["groups"]:
            items = []
            for item in group["items"]:
                entry = answer.get(item["code"]) or {}
                facts_name, rating_name = self._names(item)
                rating = entry.get("rating", "")
                items.append(
                    {
                        "code": item["code"],
                        "text": item["text"],
                        "points": item.get("points", []),
                        "optional": bool(item.get("optional")),
                        "facts": {
                            "name": facts_name,
                            "id": self.html_id(facts_name),
                            "value": entry.get("facts", ""),
                            "error": errors.get(facts_name, ""),
                        },
                        "rating_name": rating_name,
                        "rating_id": self.html_id(rating_name),
                        "rating_error": errors.get(rating_name, ""),
                        "levels": [
                            {
                                "value": level["value"],
                                "label": level["label"],
                                "id": f"{self.html_id(rating_name)}-{i}",
                                "checked": rating == level["value"],
                            }
                            for i, level in enumerate(self.scale)
                        ],
                    }
                )
            groups.append({"title": group.get("title", ""), "items": items})
        bound.update(
            groups=groups,
            scale=self.scale,
            facts_label=self.spec.get("facts_label", "事實摘要敘述"),
            facts_hint=self.spec.get("facts_hint", ""),
            indicator_label=self.spec.get("indicator_label", "指標與檢核重點"),
            rating_label=self.spec.get("rating_label", "評量"),
        )
        return bound


def _seat_label(row: int, column: int) -> str:
    return f"第{row}列第{column}行"


class SeatingField(Field):
    """A classroom seating chart (rows × columns, the front on top) for 語言流動 (counts per seat),
    在工作中 (one code per seat per sweep) and 教師移動 (the teacher's path). The answer is
    {"rows", "columns", …}; totals are computed (computed.py), never stored."""

    kind = "seating"

    def __init__(self, spec, prefix=""):
        super().__init__(spec, prefix)
        self.mode = spec["mode"]
        self.rows_field = NumberField(
            {"key": "rows", "label": "座位列數", "min": 1, "max": SEATS_MAX}, prefix=f"{self.name}-"
        )
        self.columns_field = NumberField(
            {"key": "columns", "label": "座位行數", "min": 1, "max": SEATS_MAX}, prefix=f"{self.name}-"
        )
        self.sweeps = RowsField(
            {
                "key": "sweeps",
                "label": "掃描時間",
                "columns": [{"key": "time", "type": "time", "label": "時間"}],
                "min_rows": 1,
            },
            prefix=f"{self.name}-",
        )
        self.path = RowsField(
            {
                "key": "path",
                "label": "移動路線",
                "columns": [
                    {"key": "time", "type": "time", "label": "時間"},
                    {
                        "key": "position",
                        "type": "text",
                        "label": "位置",
                        "maxlength": 20,
                        "datalist": self.html_id(f"{self.name}-places"),
                    },
                    {"key": "note", "type": "text", "label": "備註"},
                ],
                "min_rows": 1,
            },
            prefix=f"{self.name}-",
        )

    @property
    def counts(self) -> list[dict]:
        return self.spec.get("counts", [])

    @property
    def codes(self) -> list[dict]:
        return self.spec.get("codes", [])

    @property
    def areas(self) -> list[str]:
        return self.spec.get("areas", [])

    def size(self, chart: dict) -> tuple[int, int]:
        def within(value, default):
            return value if isinstance(value, int) and 1 <= value <= SEATS_MAX else default

        return (
            within(chart.get("rows"), self.spec.get("default_rows", 5)),
            within(chart.get("columns"), self.spec.get("default_columns", 6)),
        )

    def _seat_name(self, row, column, part="") -> str:
        return f"{self.name}-{row}-{column}" + (f"-{part}" if part else "")

    def read(self, posted, errors):
        chart = {}
        for field in (self.rows_field, self.columns_field):
            chart.update(field.read(posted, errors))
        rows, columns = self.size(chart)
        chart["rows"], chart["columns"] = (
            chart["rows"] if chart["rows"] is not None else rows,
            chart["columns"] if chart["columns"] is not None else columns,
        )
        seats = {}
        valid_codes = {c["code"] for c in self.codes} | {computed.ABSENT}
        for row in range(1, rows + 1):
            for column in range(1, columns + 1):
                position = f"{row}-{column}"
                if self.mode == "verbal_flow":
                    entry = {}
                    for count in self.counts:
                        name = self._seat_name(row, column, count["key"])
                        field = NumberField(
                            {"key": count["key"], "label": f"{_seat_label(row, column)} {count['label']}"}
                        )
                        value, error = field.clean(posted.get(name))
                        if error:
                            errors[name] = error
                        if value not in (None, 0):
                            entry[count["key"]] = value
                    if entry:
                        seats[position] = entry
                elif self.mode == "at_task":
                    name = self._seat_name(row, column)
                    raw = re.sub(r"[\s,，、]", "", posted.get(name)).upper()
                    if raw:
                        wrong = sorted({ch for ch in raw if ch not in valid_codes})
                        if wrong:
                            shown = "、".join(c["code"] for c in self.codes)
                            errors[name] = (
                                f"{_seat_label(row, column)}的代號「{''.join(wrong)}」不在代號表內"
                                f"（請用 {shown}，未觀察用 {computed.ABSENT}）。"
                            )
                        seats[position] = raw
        chart["seats"] = seats
        if self.mode == "at_task":
            chart.update(self.sweeps.read(posted, errors))
        if self.mode == "movement":
            chart.update(self.path.read(posted, errors))
            places = set(self.areas) | {f"{r}-{c}" for r in range(1, rows + 1) for c in range(1, columns + 1)}
            for number, stop in enumerate(chart["path"], start=1):
                position = re.sub(r"\s", "", str(stop.get("position", ""))).replace("－", "-")
                stop["position"] = position
                if position and position not in places:
                    index = self._path_index(posted, number)
                    errors[f"{self.path.name}-{index}-position"] = (
                        f"移動路線第 {number} 列的位置「{position}」不在座位表內（座位寫成 列-行，例如 2-3）。"
                    )
        return {self.key: chart}

    def _path_index(self, posted, number):
        # The HTML index of the number-th non-empty row, so the error sits beside that input.
        count = 0
        for index in self.path._indexes(posted):
            row = [posted.get(f"{self.path.name}-{index}-{c.key}") for c in self.path.columns]
            if any(v.strip() for v in row):
                count += 1
                if count == number:
                    return index
        return number - 1

    def is_empty(self, data):
        chart = data.get(self.key) or {}
        if self.mode == "movement":
            return not any(stop.get("position") for stop in chart.get("path") or [] if isinstance(stop, dict))
        return not chart.get("seats")

    def missing(self, data):
        if self.required and self.is_empty(data):
            return [self.label]
        return []

    def initial(self, context):
        return {}

    def bind(self, data, errors, editable, name=None, value=None):
        bound = super().bind(data, errors, editable, name, value)
        chart = data.get(self.key) or {}
        if not isinstance(chart, dict):
            chart = {}
        rows, columns = self.size(chart)
        sizes = {"rows": chart.get("rows", rows), "columns": chart.get("columns", columns)}
        bound["rows_field"] = self.rows_field.bind(sizes, errors, editable)
        bound["columns_field"] = self.columns_field.bind(sizes, errors, editable)
        bound["mode"] = self.mode
        seats = chart.get("seats") or {}
        result = None
        if self.mode == "verbal_flow":
            result = computed.verbal_flow(chart, [c["key"] for c in self.counts])
        elif self.mode == "at_task":
            result = computed.at_task(chart, self.codes)
        elif self.mode == "movement":
            result = computed.teacher_movement(chart, self.areas)
        grid = []
        for row in range(1, rows + 1):
            line = []
            for column in range(1, columns + 1):
                position = f"{row}-{column}"
                seat = {
                    "position": position,
                    "label": _seat_label(row, column),
                    "id": self.html_id(f"{self.name}-seat-{position}"),
                }
                if self.mode == "verbal_flow":
                    entry = seats.get(position) or {}
                    seat["inputs"] = [
                        {
                            "name": self._seat_name(row, column, c["key"]),
                            "id": self.html_id(self._seat_name(row, column, c["key"])),
                            "label": c["label"],
                            "short": c.get("short", c["label"]),
                            "value": entry.get(c["key"], ""),
                            "error": errors.get(self._seat_name(row, column, c["key"]), ""),
                        }
                        for c in self.counts
                    ]
                    seat["total"] = result["seats"].get(position, {}).get("total", 0)
                elif self.mode == "at_task":
                    seat_name = self._seat_name(row, column)
                    seat.update(
                        name=seat_name,
                        input_id=self.html_id(seat_name),
                        value=seats.get(position, ""),
                        error=errors.get(seat_name, ""),
                        summary=result["seats"].get(position),
                    )
                elif self.mode == "movement":
                    seat["visits"] = result["visits"].get(position, 0)
                    seat["orders"] = result["orders"].get(position, [])
                line.append(seat)
            grid.append(line)
        bound.update(grid=grid, result=result, counts=self.counts, codes=self.codes, areas=self.areas)
        bound["absent"] = computed.ABSENT
        if self.mode == "verbal_flow":
            bound["count_totals"] = [{"label": c["label"], "value": result["totals"][c["key"]]} for c in self.counts]
        if self.mode == "at_task":
            bound["sweeps"] = self.sweeps.bind(chart, errors, editable)
        if self.mode == "movement":
            bound["path"] = self.path.bind(chart, errors, editable)
            bound["area_visits"] = [{"name": a, "visits": result["visits"].get(a, 0)} for a in self.areas]
            bound["places"] = self.areas + [f"{r}-{c}" for r in range(1, rows + 1) for c in range(1, columns + 1)]
            bound["datalist_id"] = self.html_id(f"{self.name}-places")
        return bound


class FlandersField(Field):
    """Flanders interaction analysis: the codes (1–10) recorded every few seconds, in order."""

    kind = "flanders"

    def __init__(self, spec, prefix=""):
        super().__init__(spec, prefix)
        self.start = TimeField({"key": "start", "label": "開始時間"}, prefix=f"{self.name}-")
        self.interval = NumberField(
            {"key": "interval", "label": "記錄間隔（秒）", "min": 1, "max": 60}, prefix=f"{self.name}-"
        )
        self.codes_name = f"{self.name}-codes"

    def read(self, posted, errors):
        answer = {}
        answer.update(self.start.read(posted, errors))
        answer.update(self.interval.read(posted, errors))
        raw = posted.get(self.codes_name)
        tokens = [t for t in re.split(r"[\s,，、;；]+", raw) if t]
        codes, wrong = [], []
        for position, token in enumerate(tokens, start=1):
            if re.fullmatch(r"[0-9]{1,2}", token) and 1 <= int(token) <= 10:
                codes.append(int(token))
            else:
                wrong.append(f"第 {position} 個「{token}」")
        if wrong:
            errors[self.codes_name] = f"「{self.label}」只能填 1 到 10 的代碼：{'、'.join(wrong[:5])}不是。"
            answer["codes"] = raw
        elif len(codes) > FLANDERS_MAX:
            errors[self.codes_name] = f"「{self.label}」最多 {FLANDERS_MAX} 個代碼。"
            answer["codes"] = raw
        else:
            answer["codes"] = codes
        return {self.key: answer}

    def is_empty(self, data):
        return not (data.get(self.key) or {}).get("codes")

    def initial(self, context):
        return {self.key: {"interval": self.spec.get("interval", 3), "codes": []}}

    def bind(self, data, errors, editable, name=None, value=None):
        bound = super().bind(data, errors, editable, name, value)
        answer = data.get(self.key) or {}
        codes = answer.get("codes", [])
        valid = isinstance(codes, list)
        analysis = computed.flanders(codes if valid else [])
        bound.update(
            start=self.start.bind(answer, errors, editable),
            interval=self.interval.bind(answer, errors, editable),
            codes_name=self.codes_name,
            codes_id=self.html_id(self.codes_name),
            codes_value=" ".join(str(c) for c in codes) if valid else str(codes),
            codes_error=errors.get(self.codes_name, ""),
            codes_count=len(codes) if valid else None,
            categories=computed.FLANDERS_CATEGORIES,
            groups=computed.FLANDERS_GROUPS,
            analysis=analysis,
            matrix_rows=computed.flanders_table(analysis),
            ratios=computed.flanders_ratios(analysis),
        )
        return bound


FIELD_TYPES: dict[str, type[Field]] = {
    "text": TextField,
    "textarea": TextareaField,
    "date": DateField,
    "time": TimeField,
    "month": MonthField,
    "number": NumberField,
    "choice": ChoiceField,
    "multichoice": MultiChoiceField,
    "rows": RowsField,
    "rubric": RubricField,
    "seating": SeatingField,
    "flanders": FlandersField,
}


class DefinitionError(ValueError):
    pass


def make_field(spec: dict, prefix: str = "") -> Field:
    try:
        kind = FIELD_TYPES[spec.get("type", "text")]
    except KeyError:
        raise DefinitionError(f"unknown field type {spec.get('type')!r} of {spec.get('key')!r}") from None
    return kind(spec, prefix)


# --- layout ---------------------------------------------------------------------------------


@cache
def load_part(name: str) -> dict:
    path = PARTS / f"{name}.json"
    if not path.resolve().is_relative_to(PARTS.resolve()) or not path.exists():
        raise DefinitionError(f"unknown part {name!r}")
    return json.loads(path.read_text(encoding="utf-8"))


class Cell:
    """One label with its input(s) in a grid row."""

    def __init__(self, spec: dict, labels: dict):
        if "fields" in spec:
            self.fields = [make_field(_relabel(f, labels)) for f in spec["fields"]]
            self.label = spec.get("label", "")
            self.required = bool(spec.get("required")) or any(f.required for f in self.fields)
            self.compound = True
        else:
            field = make_field(_relabel(spec, labels))
            self.fields = [field]
            self.label = field.label
            self.required = field.required
            self.compound = False
        self.hint = spec.get("hint", "")


def _relabel(spec: dict, labels: dict) -> dict:
    return {**spec, "label": labels[spec["key"]]} if spec.get("key") in labels else spec


class Section:
    def __init__(self, spec: dict, labels: dict | None = None, slots: dict | None = None):
        labels = labels or {}
        self.title = spec.get("title", "")
        self.hint = spec.get("hint", "")
        self.note = spec.get("note", "")
        self.note_after = spec.get("note_after", "")
        self.grid: list[list[Cell]] = []
        for row in spec.get("grid", []):
            cells = []
            for cell in row:
                if "slot" in cell:
                    cells.extend(Cell(c, labels) for c in (slots or {}).get(cell["slot"], []))
                else:
                    cells.append(Cell(cell, labels))
            if cells:
                self.grid.append(cells)
        self.fields = [make_field(_relabel(f, labels)) for f in spec.get("fields", [])]

    def all_fields(self) -> list[Field]:
        return [f for row in self.grid for cell in row for f in cell.fields] + self.fields


class OnlineForm:
    """A template's layout and fields, built from its definition."""

    def __init__(self, template: FormTemplate):
        self.template = template
        self.sections: list[Section] = []
        for spec in template.definition.get("sections", []):
            if "include" in spec:
                part = load_part(spec["include"])
                self.sections.append(Section(part, spec.get("labels"), spec.get("slots")))
            else:
                self.sections.append(Section(spec))
        self.fields = [f for section in self.sections for f in section.all_fields()]

    def data_keys(self) -> list[str]:
        return [key for f in self.fields for key in f.data_keys()]

    def validate(self, posted) -> Validation:
        posted = posted if isinstance(posted, Posted) else Posted(posted)
        data: dict = {}
        errors: dict[str, str] = {}
        for field in self.fields:
            data.update(field.read(posted, errors))
        self._cross_checks(data, errors)
        return Validation(data, self.missing(data), errors)

    def _cross_checks(self, data: dict, errors: dict) -> None:
        by_key = {f.key: f for f in self.fields}
        for field in self.fields:
            other = by_key.get(field.spec.get("not_above", ""))
            value = data.get(field.key)
            limit = data.get(other.key) if other else None
            if isinstance(value, int) and isinstance(limit, int) and value > limit and field.name not in errors:
                errors[field.name] = f"「{field.label}」不能大於「{other.label}」。"

    def missing(self, data: dict) -> list[str]:
        return [label for f in self.fields for label in f.missing(data)]

    def initial(self, context: dict) -> dict:
        data: dict = {}
        for field in self.fields:
            data.update(field.initial(context))
        return data

    def bind(self, data: dict, errors: dict | None = None, *, editable: bool) -> list[dict]:
        errors = errors or {}
        data = data if isinstance(data, dict) else {}
        sections = []
        for section in self.sections:
            width = max((len(row) for row in section.grid), default=0)
            grid = []
            for row in section.grid:
                cells = []
                for position, cell in enumerate(row):
                    bound_fields = [f.bind(data, errors, editable) for f in cell.fields]
                    span = 1 + 2 * (width - len(row)) if position == len(row) - 1 else 1
                    cells.append(
                        {
                            "label": cell.label,
                            "required": cell.required,
                            "compound": cell.compound,
                            "hint": cell.hint,
                            "fields": bound_fields,
                            "label_for": bound_fields[0]["id"]
                            if not cell.compound and cell.fields[0].kind in LABELLED_KINDS
                            else "",
                            "label_id": f"{bound_fields[0]['id']}-label",
                            "colspan": span,
                        }
                    )
                grid.append(cells)
            sections.append(
                {
                    "title": section.title,
                    "hint": section.hint,
                    "note": section.note,
                    "note_after": section.note_after,
                    "grid": grid,
                    "fields": [f.bind(data, errors, editable) for f in section.fields],
                }
            )
        return sections

    def error_list(self, errors: dict) -> list[dict]:
        """The errors in page order, each with the id of its input (the summary links to them)."""
        return [{"id": f"f-{name}", "message": message} for name, message in errors.items()]


def form_for(template: FormTemplate) -> OnlineForm:
    return OnlineForm(template)


def validate(template: FormTemplate, posted) -> Validation:
    """(data to store, labels of required fields still empty, {input name: message})."""
    return form_for(template).validate(posted)


def missing_labels(template: FormTemplate, data: dict) -> list[str]:
    return form_for(template).missing(data or {})


def initial_data(template: FormTemplate, *, observer: str = "") -> dict:
    """A new answer: the header's 觀課人員 pre-filled with the teacher (e.g. 19老師)."""
    return form_for(template).initial({"observer": observer})


def bound_sections(template: FormTemplate, data: dict, errors: dict | None = None, *, editable: bool) -> list[dict]:
    return form_for(template).bind(data, errors, editable=editable)


def _plain(value: Any) -> str:
    """A stored value as one line of text, for comparing two answers side by side."""
    if _empty(value):
        return ""
    if isinstance(value, dict):
        return "；".join(f"{key}：{_plain(item)}" for key, item in value.items() if not _empty(item))
    if isinstance(value, list):
        return "\n".join(_plain(item) for item in value if not _empty(item))
    return str(value)


def compare(template: FormTemplate, before: dict, after: dict) -> list[dict]:
    """Field by field, what two answers of one template say: {"label", "before", "after",
    "changed"} in the form's order (what a 複審 reviewer reads beside the 初審 submission)."""
    before, after = before or {}, after or {}
    rows = []
    for field in form_for(template).fields:
        keys = field.data_keys()
        old = [before.get(key) for key in keys]
        new = [after.get(key) for key in keys]
        changed = any(a != b and not (_empty(a) and _empty(b)) for a, b in zip(old, new, strict=True))
        rows.append(
            {
                "label": field.label or field.key,
                "before": "\n".join(text for text in map(_plain, old) if text),
                "after": "\n".join(text for text in map(_plain, new) if text),
                "changed": changed,
            }
        )
    return rows


def definition_problems(template: FormTemplate) -> list[str]:
    """What is wrong with a definition (unknown types, repeated keys, codes of more than one
    letter); the definitions test runs it over every file."""
    problems = []
    try:
        form = form_for(template)
    except (DefinitionError, KeyError) as error:
        return [f"{template.code}: {error}"]
    keys = form.data_keys()
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        problems.append(f"{template.code}: repeated keys {repeated}")
    for field in form.fields:
        if not field.label:
            problems.append(f"{template.code}: field {field.key} has no label")
        if isinstance(field, SeatingField) and field.mode not in ("verbal_flow", "at_task", "movement"):
            problems.append(f"{template.code}: unknown seating mode {field.mode}")
        if isinstance(field, SeatingField):
            for code in field.codes:
                if len(code["code"]) != 1 or code["code"] == computed.ABSENT:
                    problems.append(f"{template.code}: at-task code {code['code']!r} must be one letter")
        if isinstance(field, RowsField):
            for column in field.columns:
                if column.kind not in RowsField.column_types:
                    problems.append(f"{template.code}: column {column.key} of {field.key} is a {column.kind}")
    return problems


__all__ = [
    "Validation",
    "OnlineForm",
    "form_for",
    "validate",
    "missing_labels",
    "initial_data",
    "bound_sections",
    "compare",
    "definition_problems",
]
