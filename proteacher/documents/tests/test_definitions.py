"""The online templates' JSON definitions: every file loads, and every slot finds its template."""

import json

import pytest

from proteacher.documents import catalogue, engine

# The online templates of SPEC §5.4 with their exact titles (as the case page's drop-down shows them).
ONLINE_TITLES = {
    "pre_conference_a": "觀察前會談紀錄表-甲 (觀課人員填寫)",
    "pre_conference_b": "觀察前會談紀錄表-乙 (觀課人員填寫)",
    "observation_rubric_105": "105年版教師專業發展規準觀察紀錄表",
    "observation_rubric_101": "101年版教師專業發展規準觀察紀錄表",
    "anecdotal_record": "軼事紀錄表",
    "verbal_flow": "語言流動量化分析表",
    "at_task": "在工作中量化分析表",
    "teacher_movement": "教師移動量化分析表",
    "flanders": "佛蘭德斯互動分析法量化分析表",
    "selective_verbatim": "選擇性逐字紀錄表",
    "post_conference_a": "觀察後回饋會談紀錄表-甲 (觀課人員填寫)",
    "post_conference_b": "觀察後回饋會談紀錄表-乙 (觀課人員填寫)",
    "post_conference": "觀察後回饋會談紀錄表",
}
FILES = sorted(catalogue.DEFINITIONS.glob("*.json"))


def online_templates():
    return [t for t in catalogue.all_templates() if t.kind == catalogue.ONLINE]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_definition_file_loads(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    assert {"code", "version", "title", "kind"} <= data.keys()
    assert path.name in (f"{data['code']}.json", f"{data['code']}.v{data['version']}.json")


def test_codes_and_versions_are_unique():
    pairs = [(d["code"], d["version"]) for d in (json.loads(p.read_text(encoding="utf-8")) for p in FILES)]
    assert len(pairs) == len(set(pairs))


def test_every_online_slot_template_has_a_definition_with_its_exact_title():
    for code, title in ONLINE_TITLES.items():
        template = catalogue.get_template(code)
        assert (template.kind, template.title) == (catalogue.ONLINE, title)


def test_every_online_template_of_spec_is_declared_and_no_other():
    online = {t.code for t in online_templates()}
    assert online == set(ONLINE_TITLES)


def test_the_schools_recommendation_is_the_schools_form():
    template = catalogue.get_template("school_recommendation")
    assert (template.kind, template.audience, template.title) == (catalogue.ONLINE, catalogue.SCHOOL, "學校推薦表")
    assert engine.definition_problems(template) == [] and template.definition.get("based_on")
    labels = [field.label for field in engine.form_for(template).fields if field.required]
    assert labels == ["被推薦教師", "服務學校", "會議名稱", "會議日期", "推薦結果", "校長姓名", "推薦理由"]


@pytest.mark.parametrize("code", sorted(ONLINE_TITLES))
def test_online_definition_is_well_formed(code):
    template = catalogue.get_template(code)
    assert engine.definition_problems(template) == []
    assert template.definition.get("based_on")


@pytest.mark.parametrize("code", sorted(ONLINE_TITLES))
def test_every_online_form_starts_with_the_shared_header(code):
    first = catalogue.get_template(code).definition["sections"][0]
    assert first["include"] == "header"
    labels = {f.key: f.label for f in engine.form_for(catalogue.get_template(code)).fields}
    header = ["teacher", "grade", "subject", "observer", "unit"]
    assert [labels[key] for key in header] == ["授課教師", "任教年級", "任教領域/科目", "觀課人員", "教學單元"]


@pytest.mark.parametrize("code", sorted(ONLINE_TITLES))
def test_every_online_form_has_its_date_and_place(code):
    fields = {f.key: f for f in engine.form_for(catalogue.get_template(code)).fields}
    assert fields["date"].required and fields["place"].required
    assert fields["date"].kind == "date"


def test_post_conference_a_asks_the_four_questions_exactly():
    labels = [f.label for f in engine.form_for(catalogue.get_template("post_conference_a")).fields[7:]]
    assert labels == [
        "一、觀課人員說明觀察到的教與學具體事實",
        "二、前述觀察資料與觀察焦點的關聯（即觀察資料能否回應觀察焦點的問題）",
        "三、授課教師與觀課人員分享公開授課/教學觀察彼此的收穫或對未來教與學的啟發",
        "四、授課教師/觀課人員下次擬採取之教與學行動或策略（含下次的觀察焦點）",
    ]


def test_rubric_105_covers_the_observable_indicators_with_the_four_ratings():
    rubric = engine.form_for(catalogue.get_template("observation_rubric_105")).fields[-1]
    assert [item["code"] for item in rubric.items()] == ["A-2", "A-3", "A-4", "B-1", "B-2"]
    assert [level["label"] for level in rubric.scale] == ["優良", "滿意", "待成長", "不適用"]
