"""The form engine: reading what the browser posts, what is still missing, and what blocks a save."""

from django.http import QueryDict

from proteacher.documents import engine
from proteacher.documents.catalogue import FormTemplate, get_template

HEADER = {
    "teacher": "王大明",
    "grade": "五年級",
    "subject": "數學",
    "observer": "黃測試老師",
    "unit": "分數的加減",
    "date": "2020-02-25",
    "place": "五年三班教室",
}


def template_of(*sections, code="sample"):
    return FormTemplate(
        code=code, version=1, title="測試表", kind="online", definition={"code": code, "sections": list(sections)}
    )


def posted(**values):
    data = QueryDict(mutable=True)
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            data.appendlist(name, item)
    return data


def test_required_fields_are_marked_in_the_layout():
    grid = engine.bound_sections(get_template("pre_conference_a"), {}, editable=True)[0]["grid"]
    cells = {cell["label"]: cell["required"] for row in grid for cell in row}
    assert cells["授課教師"] and cells["觀課人員"] and cells["觀察前會談日期"] and cells["地點"]
    assert cells["備課社群（選填）"] is False


def test_the_header_is_laid_out_in_the_seeds_rows():
    grid = engine.bound_sections(get_template("pre_conference_a"), {}, editable=True)[0]["grid"]
    assert [[cell["label"] for cell in row] for row in grid] == [
        ["授課教師", "任教年級", "任教領域/科目"],
        ["觀課人員"],
        ["備課社群（選填）", "教學單元"],
        ["觀察前會談日期", "地點"],
    ]


def test_an_empty_form_is_a_draft_with_every_required_label_missing():
    data, missing, errors = engine.validate(get_template("post_conference_a"), {})
    assert errors == {}
    assert missing == ["授課教師", "任教年級", "任教領域/科目", "觀課人員", "教學單元", "回饋會談日期", "地點"]
    assert data["teacher"] == "" and data["facts"] == ""


def test_a_filled_header_leaves_nothing_missing():
    data, missing, errors = engine.validate(get_template("post_conference_a"), HEADER)
    assert (missing, errors) == ([], {})
    assert data["date"] == "2020-02-25"


def test_a_new_answer_has_the_teacher_as_observer():
    assert engine.initial_data(get_template("anecdotal_record"), observer="19老師") == {"observer": "19老師"}


def test_a_date_that_is_not_a_date_is_an_error_and_keeps_the_text():
    data, _, errors = engine.validate(get_template("post_conference_a"), {**HEADER, "date": "2020-02-30"})
    assert errors == {"date": "「回饋會談日期」請輸入正確的日期，例如 2020-02-25。"}
    assert data["date"] == "2020-02-30"


def test_dates_and_times_are_stored_as_the_seed_shows_them():
    template = template_of(
        {"grid": [[{"key": "d", "type": "date", "label": "日期"}, {"key": "t", "type": "time", "label": "時間"}]]}
    )
    data, _, errors = engine.validate(template, {"d": "2020/2/5", "t": "9:05"})
    assert errors == {} and data == {"d": "2020-02-05", "t": "09:05"}


def test_a_time_that_is_not_a_time_is_an_error():
    template = template_of({"grid": [[{"key": "t", "type": "time", "label": "時間"}]]})
    assert engine.validate(template, {"t": "25:00"}).errors == {"t": "「時間」請輸入正確的時間，例如 09:30。"}


def test_a_negative_count_is_an_error_and_keeps_the_text():
    template = template_of({"grid": [[{"key": "n", "type": "number", "label": "人數"}]]})
    data, _, errors = engine.validate(template, {"n": "-3"})
    assert errors == {"n": "「人數」不能小於 0。"} and data["n"] == "-3"


def test_a_count_that_is_not_a_number_is_an_error():
    template = template_of({"grid": [[{"key": "n", "type": "number", "label": "人數"}]]})
    assert engine.validate(template, {"n": "三"}).errors == {"n": "「人數」請輸入整數。"}


def test_this_period_cannot_come_after_the_last_period():
    data, _, errors = engine.validate(get_template("anecdotal_record"), {**HEADER, "periods": "2", "period": "3"})
    assert errors == {"period": "「教學節次（本次為第幾節）」不能大於「教學節次（共幾節）」。"}
    assert (data["periods"], data["period"]) == (2, 3)


def test_check_boxes_keep_their_other_text():
    form = posted(**HEADER, position=["back", "group"], position_other="第三組旁", recording="video")
    data, _, errors = engine.validate(get_template("pre_conference_a"), form)
    assert errors == {}
    assert data["position"] == ["back", "group"] and data["position_other"] == "第三組旁"
    assert data["recording"] == "video"


def test_a_choice_that_is_not_offered_is_an_error():
    form = posted(**HEADER, recording="sometimes")
    assert engine.validate(get_template("pre_conference_a"), form).errors == {
        "recording": "「拍照或錄影 (請打勾)」的選項不正確。"
    }


def test_a_required_choice_with_text_needs_the_text():
    template = template_of(
        {
            "grid": [
                [
                    {
                        "key": "focus",
                        "type": "multichoice",
                        "label": "觀察焦點",
                        "required": True,
                        "choices": [
                            {"value": "q", "label": "教師提問"},
                            {"value": "other", "label": "其他：", "text": True},
                        ],
                    }
                ]
            ]
        }
    )
    assert engine.validate(template, posted(focus=["other"])).missing == ["觀察焦點（其他）"]
    assert engine.validate(template, posted(focus=["other"], focus_other="板書")).missing == []
    assert engine.validate(template, posted()).missing == ["觀察焦點"]


def test_the_other_text_is_shown_beside_its_choice():
    sections = engine.bound_sections(
        get_template("pre_conference_a"), {"position": ["group"], "position_other": "第三組旁"}, editable=True
    )
    field = next(f for s in sections for row in s["grid"] for c in row for f in c["fields"] if f["key"] == "position")
    assert [o["checked"] for o in field["options"]] == [False, False, True]
    assert field["other_value"] == "第三組旁" and field["other_name"] == "position_other"


def test_repeating_rows_keep_their_order_and_drop_empty_rows():
    form = {
        **HEADER,
        "records-0-time": "09:00",
        "records-0-behavior": "提問",
        "records-3-behavior": "",
        "records-7-facts": "學生分組討論",
        "records-5-note": "補充",
    }
    data, missing, errors = engine.validate(get_template("anecdotal_record"), form)
    assert errors == {} and missing == []
    assert data["records"] == [
        {"time": "09:00", "behavior": "提問", "facts": "", "note": ""},
        {"time": "", "behavior": "", "facts": "", "note": "補充"},
        {"time": "", "behavior": "", "facts": "學生分組討論", "note": ""},
    ]


def test_a_required_group_of_rows_needs_one_row():
    assert engine.validate(get_template("anecdotal_record"), HEADER).missing == ["軼事紀錄（至少一列）"]


def test_an_error_in_a_row_names_the_row():
    form = {**HEADER, "records-0-behavior": "提問", "records-4-time": "9點", "records-4-behavior": "走動"}
    _, _, errors = engine.validate(get_template("anecdotal_record"), form)
    assert errors == {"records-4-time": "第 2 列：「時間(課堂時間或現實時間皆可)」請輸入正確的時間，例如 09:30。"}


def test_required_columns_of_a_row_are_missing_per_row():
    template = template_of(
        {
            "fields": [
                {
                    "key": "lines",
                    "type": "rows",
                    "label": "逐字紀錄",
                    "columns": [
                        {"key": "words", "type": "text", "label": "內容", "required": True},
                        {"key": "note", "type": "text", "label": "備註"},
                    ],
                }
            ]
        }
    )
    assert engine.validate(template, {"lines-0-note": "只有備註"}).missing == ["逐字紀錄第 1 列的「內容」"]


def test_rows_are_drawn_with_an_empty_row_to_start_and_a_template_row():
    sections = engine.bound_sections(get_template("anecdotal_record"), {}, editable=True)
    rows = sections[1]["fields"][0]
    assert len(rows["rows"]) == 1 and rows["next_index"] == 1
    assert rows["blank_row"]["cells"][0]["name"] == "records-__index__-time"


def test_rubric_asks_for_a_rating_and_facts_per_indicator():
    form = {
        **HEADER,
        "rubric-A-2-rating": "excellent",
        "rubric-A-2-facts": "以生活例子引起動機",
        "rubric-A-3-rating": "na",
    }
    data, missing, errors = engine.validate(get_template("observation_rubric_105"), form)
    assert errors == {}
    assert data["rubric"]["A-2"] == {"facts": "以生活例子引起動機", "rating": "excellent"}
    assert missing == ["A-4 評量與事實摘要敘述", "B-1 評量與事實摘要敘述", "B-2 評量與事實摘要敘述"]


def test_rubric_rating_must_be_on_the_scale():
    errors = engine.validate(get_template("observation_rubric_105"), {"rubric-A-2-rating": "perfect"}).errors
    assert errors == {"rubric-A-2-rating": "「A-2 評量」的選項不正確。"}


def test_rubric_101_lists_items_1_1_to_7():
    items = engine.form_for(get_template("observation_rubric_101")).fields[-1].items()
    codes = [item["code"] for item in items]
    assert codes == ["1-1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "2", "3", "4", "5", "6", "7"]


def test_flanders_codes_are_read_in_order():
    form = {**HEADER, "flanders-codes": "5 5,4\n8、10", "flanders-interval": "3", "flanders-start": "09:00"}
    data, missing, errors = engine.validate(get_template("flanders"), form)
    assert errors == {} and missing == []
    assert data["flanders"] == {"start": "09:00", "interval": 3, "codes": [5, 5, 4, 8, 10]}


def test_flanders_code_out_of_range_is_an_error_and_keeps_the_text():
    data, _, errors = engine.validate(get_template("flanders"), {"flanders-codes": "5 11 x 4"})
    assert errors == {"flanders-codes": "「佛蘭德斯代碼」只能填 1 到 10 的代碼：第 2 個「11」、第 3 個「x」不是。"}
    assert data["flanders"]["codes"] == "5 11 x 4"


def test_verbal_flow_keeps_counts_per_seat_inside_the_chart():
    form = {"chart-rows": "2", "chart-columns": "2", "chart-1-2-ts": "3", "chart-2-1-ss": "0", "chart-3-3-ts": "5"}
    data, _, errors = engine.validate(get_template("verbal_flow"), form)
    assert errors == {}
    assert data["chart"] == {"rows": 2, "columns": 2, "seats": {"1-2": {"ts": 3}}}


def test_verbal_flow_negative_count_is_an_error():
    errors = engine.validate(get_template("verbal_flow"), {"chart-1-1-st": "-1"}).errors
    assert errors == {"chart-1-1-st": "「第1列第1行 學生→教師」不能小於 0。"}


def test_at_task_codes_are_read_per_seat_and_checked():
    form = {
        "chart-rows": "1",
        "chart-columns": "2",
        "chart-1-1": "a a-b",
        "chart-1-2": "AZ",
        "chart-sweeps-0-time": "09:00",
    }
    data, _, errors = engine.validate(get_template("at_task"), form)
    assert data["chart"]["seats"] == {"1-1": "AA-B", "1-2": "AZ"}
    assert data["chart"]["sweeps"] == [{"time": "09:00"}]
    assert errors == {"chart-1-2": "第1列第2行的代號「Z」不在代號表內（請用 A、B、C、D、E、F，未觀察用 -）。"}


def test_teacher_movement_positions_are_seats_or_areas():
    form = {
        "chart-rows": "2",
        "chart-columns": "2",
        "chart-path-0-time": "09:00",
        "chart-path-0-position": "講臺",
        "chart-path-1-position": "2 - 2",
        "chart-path-2-position": "3-1",
    }
    data, _, errors = engine.validate(get_template("teacher_movement"), form)
    assert [stop["position"] for stop in data["chart"]["path"]] == ["講臺", "2-2", "3-1"]
    assert errors == {"chart-path-2-position": "移動路線第 3 列的位置「3-1」不在座位表內（座位寫成 列-行，例如 2-3）。"}


def test_seating_size_out_of_range_is_an_error():
    errors = engine.validate(get_template("verbal_flow"), {"chart-rows": "40"}).errors
    assert errors == {"chart-rows": "「座位列數」不能大於 12。"}


def test_text_longer_than_allowed_is_an_error():
    errors = engine.validate(get_template("post_conference_a"), {"teacher": "王" * 201}).errors
    assert errors == {"teacher": "「授課教師」最多 200 字。"}


def test_missing_labels_of_a_saved_answer():
    assert engine.missing_labels(get_template("post_conference_a"), HEADER) == []
    assert engine.missing_labels(get_template("post_conference_a"), {})[:1] == ["授課教師"]
