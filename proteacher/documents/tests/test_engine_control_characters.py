"""What the form engine keeps of text with control characters in it: the text without them, in
every kind of field, and line breaks as "\\n"; odd input names are no rows."""

from proteacher.documents import engine
from proteacher.documents.catalogue import all_templates, get_template
from proteacher.documents.tests.test_engine import HEADER, posted


def strings_of(value):
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings_of(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_of(item)
    elif isinstance(value, str):
        yield value


def test_text_and_textarea_drop_them_and_keep_the_words():
    form = {**HEADER, "teacher": "王\x00大明", "facts": "第一段\x0b從 Word 貼上\r\n第二段\x7f"}
    data, missing, errors = engine.validate(get_template("post_conference_a"), form)
    assert errors == {} and missing == []
    assert data["teacher"] == "王大明" and data["facts"] == "第一段從 Word 貼上\n第二段"


def test_a_date_a_choice_and_the_other_text_are_read_without_them():
    form = posted(**{**HEADER, "date": "2020-02-\x0025"}, position=["back\x00", "group"], position_other="第三組\x01旁")
    data, _, errors = engine.validate(get_template("pre_conference_a"), form)
    assert errors == {}
    assert data["date"] == "2020-02-25"
    assert data["position"] == ["back", "group"] and data["position_other"] == "第三組旁"


def test_rows_rubric_and_seating_keep_no_control_character():
    rows = {"records-0-time": "09:\x0005", "records-0-facts": "學生\x1b舉手\r回答"}
    data, _, errors = engine.validate(get_template("anecdotal_record"), {**HEADER, **rows})
    assert errors == {}
    assert data["records"] == [{"time": "09:05", "behavior": "", "facts": "學生舉手\n回答", "note": ""}]

    rubric = {"rubric-A-2-rating": "excel\x00lent", "rubric-A-2-facts": "以生活\x00例子"}
    data, _, errors = engine.validate(get_template("observation_rubric_105"), rubric)
    assert errors == {} and data["rubric"]["A-2"] == {"facts": "以生活例子", "rating": "excellent"}

    seats = {"chart-rows": "1\x00", "chart-columns": "2", "chart-1-1": "A\x00B", "chart-sweeps-0-time": "9:00\x7f"}
    data, _, errors = engine.validate(get_template("at_task"), seats)
    assert errors == {} and data["chart"]["seats"] == {"1-1": "AB"} and data["chart"]["rows"] == 1

    flanders = {"flanders-codes": "5\x00 4\x0c 10", "flanders-start": "09:00"}
    data, _, errors = engine.validate(get_template("flanders"), flanders)
    assert errors == {} and data["flanders"]["codes"] == [5, 4, 10]


def test_nothing_any_template_keeps_holds_a_control_character():
    dirty = "甲\x00乙\x01\x1f\x7f丙\r\n丁"
    for template in all_templates(audience=None):
        if template.is_upload:
            continue
        form = engine.form_for(template)
        names = [field.name for field in form.fields] + [f"{field.name}_other" for field in form.fields]
        data = engine.validate(template, dict.fromkeys(names, dirty)).data
        for text in strings_of(data):
            assert not any(ord(char) < 0x20 and char not in "\t\n" or char == "\x7f" for char in text), (
                template.code,
                text,
            )


def test_a_flanders_code_in_other_digits_is_an_error_not_a_crash():
    for token in ("²", "١", "9" * 5000):
        _, _, errors = engine.validate(get_template("flanders"), {"flanders-codes": f"5 {token}"})
        assert "flanders-codes" in errors, token


def test_odd_row_names_are_no_rows():
    form = {
        **HEADER,
        "records-١-facts": "阿拉伯數字的列",
        f"records-{'9' * 5000}-facts": "太長的列號",
        "records-1\x00-facts": "帶控制字元的列號",
        "records--1-facts": "負的列號",
        "records-2-facts": "第二列",
    }
    data, _, errors = engine.validate(get_template("anecdotal_record"), form)
    assert errors == {}
    assert [row["facts"] for row in data["records"]] == ["第二列"]
