"""The blank upload forms as .docx and .odt: contents of SPEC §5.3 in the seed's table layout."""

import io
import re

import docx
import pytest
from django.urls import reverse
from docx.oxml.ns import qn
from docx.shared import Cm
from odf import opendocument, teletype
from odf import style as odf_style
from odf import table as odf_table
from odf import text as odf_text
from odf.namespaces import TABLENS

from proteacher.documents import blanks
from proteacher.documents.catalogue import all_templates, get_template

UPLOAD_CODES = [
    "implementation_proof",
    "community_proof",
    "advanced_checklist",
    "other_pre_observation",
    "mentoring_plan",
    "mentoring_log",
    "mentoring_case",
    "mentor_checklist",
    "mentor_recommendation",
    "renewal_recommendation",
    "renewal_mentoring_proof",
    "renewal_refresher_proof",
    "renewal_practice_items",
]
HEADING = "○○○學年度教師專業發展實踐方案"


def word(code: str) -> docx.document.Document:
    return docx.Document(io.BytesIO(blanks.render(get_template(code), "docx")))


def odf(code: str):
    return opendocument.load(io.BytesIO(blanks.render(get_template(code), "odt")))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def word_text(document) -> str:
    """All text of a Word file: body paragraphs and every (nested) table cell."""
    parts = [p.text for p in document.paragraphs]

    def walk(tables):
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.append(cell.text)
                    walk(cell.tables)

    walk(document.tables)
    return "\n".join(parts)


def odf_rows(table) -> list:
    return [row for row in table.childNodes if row.qname == (TABLENS, "table-row")]


def odf_cells(row) -> list:
    return [cell for cell in row.childNodes if cell.qname[0] == TABLENS]


def top_tables(document) -> list:
    return [t for t in document.text.childNodes if t.qname == (TABLENS, "table")]


# --- every upload template ---


@pytest.mark.parametrize("code", UPLOAD_CODES)
def test_each_upload_template_is_declared_with_its_labels(code):
    template = get_template(code)
    assert template.is_upload
    assert template.definition["based_on"]
    assert template.definition["upload_label"].startswith("上傳")
    assert template.definition["download_label"] in (f"{template.title} 表格下載", f"{template.title} 原始文件下載")
    assert template.definition["file_rules"] == {"max_bytes": 2_097_152, "max_files": 1}


@pytest.mark.parametrize("code", UPLOAD_CODES)
@pytest.mark.parametrize("fmt", ["docx", "odt"])
def test_each_blank_opens_with_heading_and_title(code, fmt):
    template = get_template(code)
    title = template.definition["blank"]["title"]
    if fmt == "docx":
        paragraphs = [p.text for p in word(code).paragraphs]
    else:
        paragraphs = [teletype.extractText(p) for p in odf(code).text.childNodes if p.qname[1] == "p"]
    assert paragraphs[:2] == [HEADING, title]


def test_upload_templates_in_the_catalogue_all_have_blanks():
    uploads = {t.code for t in all_templates() if t.is_upload}
    assert uploads == set(UPLOAD_CODES)
    assert all(blanks.has_blank(get_template(code)) for code in uploads)


def test_a_cell_that_does_not_fit_its_row_is_a_declaration_error():
    with pytest.raises(ValueError, match="does not fit"):
        blanks.place_cells({"columns": [1, 1], "rows": [{"cells": [{"text": "a", "colspan": 3}]}]})


# --- page and font ---


def test_word_file_is_a4_with_a_chinese_font():
    document = word("implementation_proof")
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "標楷體"


def test_word_file_names_dfkai_sb_as_the_fonts_alternate():
    document = word("implementation_proof")
    font_table = next(p for p in document.part.package.iter_parts() if p.partname.endswith("fontTable.xml"))
    assert '<w:font w:name="標楷體"><w:altName w:val="DFKai-SB"/>' in font_table.blob.decode()


def test_odf_file_is_a4_with_a_chinese_font():
    document = odf("implementation_proof")
    [layout] = document.automaticstyles.getElementsByType(odf_style.PageLayout)
    [properties] = layout.getElementsByType(odf_style.PageLayoutProperties)
    assert properties.getAttribute("pagewidth") == "21.0cm"
    assert properties.getAttribute("pageheight") == "29.7cm"
    [standard] = [s for s in document.styles.getElementsByType(odf_style.Style) if s.getAttribute("name") == "Standard"]
    [text_properties] = standard.getElementsByType(odf_style.TextProperties)
    assert text_properties.getAttribute("fontnameasian") == "標楷體"


# --- 公開授課實施證明 ---


def test_implementation_proof_word_table_follows_the_seed():
    [table] = word("implementation_proof").tables
    assert len(table.rows) == 9 and len(table.columns) == 5
    assert table.cell(0, 0).text == "學校名稱"
    assert table.cell(0, 2).text == "__________縣(市)____________________學校"
    assert [table.cell(1, c).text for c in (0, 2, 3, 4)] == ["授課教師", "", "任教年級", ""]
    assert [table.cell(2, c).text for c in (0, 3)] == ["任教領域/科目", "教學單元"]
    assert table.cell(3, 0).text == "回饋人員"
    assert table.cell(7, 0).text == "備註：若公開授課不只一次，請依實際需求增列表格。"
    assert [table.cell(8, c).text for c in (0, 3)] == ["授課教師", "學校主管審核"]


def test_implementation_proof_word_merges_the_lesson_label_over_three_rows():
    [table] = word("implementation_proof").tables
    lesson = table.cell(4, 0)
    assert lesson._tc is table.cell(5, 0)._tc is table.cell(6, 0)._tc
    assert squeeze(lesson.text) == "第次公開授課"
    assert table.cell(4, 1)._tc is table.cell(4, 4)._tc  # the meeting line spans the other columns


def test_implementation_proof_word_lists_the_three_meetings_with_date_time_place():
    [table] = word("implementation_proof").tables
    meetings = [table.cell(r, 1).text for r in (4, 5, 6)]
    assert [m.split("\n")[0] for m in meetings] == [
        "一、觀察前會談(備課)",
        "二、入班教學觀察(觀課)",
        "三、觀察後回饋會談(議課)",
    ]
    for meeting in meetings:
        assert "日期：民國____年____月____日" in meeting and "時間：" in meeting and "地點：" in meeting


def test_implementation_proof_word_columns_have_their_widths():
    [table] = word("implementation_proof").tables
    widths = [round(column.width.cm, 1) for column in table.columns]
    assert widths == [1.3, 1.9, 5.0, 3.2, 5.6]
    assert table.rows[8].height >= Cm(2.4)  # room to sign and stamp


def test_implementation_proof_odf_spans_rows_and_columns_like_the_seed():
    [table] = top_tables(odf("implementation_proof"))
    rows = odf_rows(table)
    assert len(rows) == 9
    lesson = odf_cells(rows[4])[0]
    assert lesson.getAttribute("numberrowsspanned") == "3"
    assert squeeze(teletype.extractText(lesson)) == "第次公開授課"
    for covered_row in rows[5:7]:
        assert odf_cells(covered_row)[0].qname == (TABLENS, "covered-table-cell")
    school = odf_cells(rows[0])
    assert teletype.extractText(school[0]) == "學校名稱" and school[0].getAttribute("numbercolumnsspanned") == "2"
    assert all(len(odf_cells(row)) == 5 for row in rows)  # every grid position present


def test_implementation_proof_odf_has_the_same_texts_as_word():
    document = odf("implementation_proof")
    odf_texts = {teletype.extractText(p) for p in document.getElementsByType(odf_text.P)}
    word_texts = set(word_text(word("implementation_proof")).split("\n"))
    assert {t for t in word_texts if t} <= odf_texts


# --- 教師專業學習社群參與證明 ---


def test_community_proof_word_has_the_seed_rows_and_signatures():
    first, signatures = word("community_proof").tables
    assert [first.cell(0, c).text for c in range(4)] == ["學校", "______縣市__________學校", "教師姓名", ""]
    assert first.cell(1, 0).text == "參與社群名稱"
    assert first.cell(2, 0).text == "參與社群\n起迄時間"
    assert "（至少一學期參與同一社群三次活動）" in first.cell(2, 1).text
    convener = first.cell(3, 1).text
    assert convener.startswith("□是：擔任召集人之起迄時間（社群活動時間長度須滿三個月）：")
    assert "□否：召集人姓名：" in convener
    assert [signatures.cell(0, c).text for c in range(3)] == ["教師", "社群召集人", "學校主管審核"]


# --- 進階專業回饋人才認證檢核表 ---


def test_advanced_checklist_word_has_five_items_each_with_a_check_box():
    checklist = word("advanced_checklist").tables[0]
    items = [checklist.cell(r, 1).text for r in range(3, 8)]
    assert [i[:2] for i in items] == ["1.", "2.", "3.", "4.", "5."]
    assert "第一階段研習課程共12小時" in items[0]
    assert "「2-4 專業回饋實務探討」6小時" in items[1]
    assert "※需早於觀察同儕公開授課時間" in items[2]
    assert "時間至少達1學期" in items[4]
    assert [(checklist.cell(r, 4).text, checklist.cell(r, 5).text) for r in range(3, 8)] == [("□", "已完成")] * 5
    assert checklist.cell(3, 0)._tc is checklist.cell(7, 0)._tc
    assert squeeze(checklist.cell(3, 0).text) == "認證資格與資料檢核"


def test_advanced_checklist_word_nests_the_three_step_table_in_item_four():
    checklist = word("advanced_checklist").tables[0]
    [steps] = checklist.cell(6, 1).tables
    assert [[steps.cell(r, c).text for c in range(3)] for r in range(4)] == [
        ["教學觀察三部曲", "實施日期", "表件"],
        ["觀察前會議紀錄表", "____年____月____日", "1份"],
        ["觀察紀錄表及觀察工具", "____年____月____日", "1份"],
        ["觀察後回饋會議紀錄表", "____年____月____日", "1份"],
    ]


def test_advanced_checklist_word_ends_with_signatures_and_the_note():
    document = word("advanced_checklist")
    text = word_text(document)
    assert "同儕教師簽章：" in text
    signatures = document.tables[1]
    assert [signatures.cell(0, c).text for c in range(5)] == ["教師簽章", "", "學校簽章", "承辦人員", "校長"]
    assert document.paragraphs[-1].text == "備註：以上認證資料均須完成，始能送出認證資料。"


def test_advanced_checklist_odf_nests_the_three_step_table():
    checklist = top_tables(odf("advanced_checklist"))[0]
    # getElementsByType includes the element itself.
    [steps] = [t for t in checklist.getElementsByType(odf_table.Table) if t is not checklist]
    assert [teletype.extractText(c) for c in odf_cells(odf_rows(steps)[0])] == ["教學觀察三部曲", "實施日期", "表件"]
    stacked = odf_cells(odf_rows(checklist)[3])[0]
    assert stacked.getAttribute("numberrowsspanned") == "5"


# --- mentor forms and the other pre-observation record ---


@pytest.mark.parametrize(
    "code, phrases",
    [
        ("other_pre_observation", ["1.課程脈絡", "2.觀察焦點及觀察工具", "□中", "□完全觀課人員", "□只拍照"]),
        ("mentoring_plan", ["教學輔導教師", "夥伴教師", "輔導期程", "輔導目標", "預期成效", "學校主管審核"]),
        ("mentoring_log", ["輔導日期", "輔導方式", "□專業對話", "輔導內容紀錄", "夥伴教師\n回饋與省思"]),
        ("mentoring_case", ["一、案例背景", "二、輔導歷程", "三、輔導成效", "四、省思與建議"]),
        ("mentor_checklist", ["課程共24小時", "實務探討課程6小時", "第二次", "教學輔導教師認證推薦表", "已完成"]),
        ("mentor_recommendation", ["被推薦教師", "推薦理由", "校內推薦程序", "校長", "學校核章"]),
    ],
)
def test_other_blanks_carry_their_contents(code, phrases):
    text = word_text(word(code))
    for phrase in phrases:
        assert phrase in text


# --- the download route ---


def test_anyone_downloads_a_word_blank(client, db):
    response = client.get(reverse("documents:blank", args=["implementation_proof", "docx"]))
    assert response.status_code == 200
    assert response["Content-Type"] == blanks.CONTENT_TYPES["docx"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%85%AC%E9%96%8B%E6%8E%88%E8%AA%B2" in response["Content-Disposition"]
    assert docx.Document(io.BytesIO(response.content)).paragraphs[1].text == "公開授課實施證明"


def test_anyone_downloads_an_odf_blank(client, db):
    response = client.get(reverse("documents:blank", args=["community_proof", "odt"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.text"
    document = opendocument.load(io.BytesIO(response.content))
    assert "教師專業學習社群參與證明" in teletype.extractText(document.text)


@pytest.mark.parametrize("code, fmt", [("implementation_proof", "pdf"), ("no_such_form", "docx")])
def test_unknown_form_or_format_is_404(client, db, code, fmt):
    assert client.get(reverse("documents:blank", args=[code, fmt])).status_code == 404


def test_an_online_form_has_no_blank(client, db):
    online = [t for t in all_templates() if not t.is_upload]
    if not online:
        pytest.skip("no online template declared")
    assert client.get(reverse("documents:blank", args=[online[0].code, "docx"])).status_code == 404
