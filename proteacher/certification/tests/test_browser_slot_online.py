"""Each online template filled in Chromium: open it by its URL, fill the required fields, add a row
where there are rows, 儲存, reopen, and find everything still there."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.certification import answers, workflow
from proteacher.certification.models import FormSlot, SlotAnswer
from proteacher.documents import engine
from proteacher.documents.catalogue import get_template
from proteacher.testing import factories
from proteacher.testing.browser import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = {
    "teacher": "王大明",
    "grade": "五年級",
    "subject": "數學",
    "observer": "黃測試老師",
    "unit": "分數的加減",
    "date": "2020-02-25",
    "place": "五年三班教室",
}
SLOT_OF = {
    "pre_conference_a": "pre_conference",
    "pre_conference_b": "pre_conference",
    "post_conference_a": "post_conference",
    "post_conference_b": "post_conference",
    "post_conference": "post_conference",
}


@pytest.fixture
def teacher_page(page):
    factories.certification_types()
    user = factories.teacher(name="黃測試", account="t-browser-forms")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": page.base_url,
            }
        ]
    )
    page.teacher = user
    return page


def open_form(page, code, year=113):
    case = factories.case(page.teacher, "basic", academic_year=year)
    slot = SLOT_OF.get(code, "observation")
    url = page.base_url + reverse("certification:slot_edit", args=[case.pk, slot]) + f"?template={code}"
    page.goto(url)
    return case, slot, url


def fill_header(page, date_label):
    expect(page.get_by_label("觀課人員", exact=True)).to_have_value("黃測試老師")
    page.get_by_label("授課教師", exact=True).fill("王大明")
    page.get_by_label("任教年級", exact=True).fill("五年級")
    page.get_by_label("任教領域/科目", exact=True).fill("數學")
    page.get_by_label("教學單元", exact=True).fill("分數的加減")
    page.get_by_label(date_label, exact=True).fill("2020-02-25")
    page.locator("input[name=place]").fill("五年三班教室")


def save(page):
    page.get_by_role("button", name="儲存").first.click()
    expect(page.get_by_role("status")).to_contain_text("已儲存。")


def reopen_and_check_header(page, url):
    page.goto(url)
    expect(page.get_by_label("授課教師", exact=True)).to_have_value("王大明")
    expect(page.get_by_label("教學單元", exact=True)).to_have_value("分數的加減")
    expect(page.locator("input[name=date]")).to_have_value("2020-02-25")


def assert_complete(case, slot, code):
    answer = SlotAnswer.objects.get(case=case, slot_code=slot)
    assert answer.template_code == code and answer.is_complete, answer.data
    return answer


def test_pre_conference_a(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "pre_conference_a")
    expect(page.get_by_role("heading", name="觀察前會談紀錄表-甲 (觀課人員填寫)")).to_be_visible()
    for label in [
        "備課社群（選填）",
        "1.課程脈絡",
        "2.觀察焦點及觀察工具",
        "觀課人員位在教室 (請打勾)",
        "拍照或錄影 (請打勾)",
    ]:
        expect(page.get_by_text(label, exact=True).first).to_be_visible()
    expect(page.get_by_text("(二) 預定公開授課教學觀察日期與地點：")).to_be_visible()
    expect(page.get_by_text("(建議於公開授課教學觀察後三天內完成會談為佳)")).to_be_visible()
    fill_header(page, "觀察前會談日期")
    page.get_by_label("1.課程脈絡").fill("學習目標：能做同分母分數的加減。")
    page.get_by_label("後", exact=True).check()
    page.get_by_label("小組旁：", exact=True).check()
    page.get_by_label("觀課人員位在教室 (請打勾) 小組旁：").fill("第三組")
    page.get_by_label("只錄影").check()
    page.locator("input[name=observation_date]").fill("2020-03-02")
    page.locator("input[name=observation_time]").fill("10:10")
    screenshot(page, "online-pre-conference-a")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("1.課程脈絡")).to_have_value("學習目標：能做同分母分數的加減。")
    expect(page.get_by_label("小組旁：", exact=True)).to_be_checked()
    expect(page.get_by_label("觀課人員位在教室 (請打勾) 小組旁：")).to_have_value("第三組")
    expect(page.get_by_label("只錄影")).to_be_checked()
    expect(page.locator("input[name=observation_time]")).to_have_value("10:10")
    answer = assert_complete(case, slot, "pre_conference_a")
    assert answer.data["position"] == ["back", "group"] and answer.data["recording"] == "video"
    page.goto(page.base_url + reverse("certification:slot_print", args=[case.pk, slot]))
    expect(page.locator("main")).to_contain_text("☑ 小組旁：第三組")
    expect(page.locator("main")).to_contain_text("◉ 只錄影")
    screenshot(page, "online-pre-conference-a-print")


def test_pre_conference_b(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "pre_conference_b", 112)
    fill_header(page, "觀察前會談日期")
    page.get_by_label("(一) 學習目標").fill("能比較分數大小")
    page.get_by_label("軼事紀錄表").check()
    page.get_by_label("其他：", exact=True).check()
    page.get_by_label("觀察工具 (請打勾) 其他：").fill("學習單分析")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("(一) 學習目標")).to_have_value("能比較分數大小")
    expect(page.get_by_label("觀察工具 (請打勾) 其他：")).to_have_value("學習單分析")
    assert assert_complete(case, slot, "pre_conference_b").data["tools"] == ["anecdotal", "other"]


def rate_every_item(page, codes, rating="滿意"):
    for code in codes:
        page.get_by_label(f"{code} 事實摘要敘述", exact=True).fill(f"{code} 的具體事實")
        page.get_by_label(f"{code} 評量：{rating}", exact=True).check()


def test_observation_rubric_105(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "observation_rubric_105", 111)
    expect(page.get_by_text("A 課程設計與教學")).to_be_visible()
    expect(page.get_by_text("A-2-1 有效連結學生的新舊知能或生活經驗，引發與維持學生學習動機。")).to_be_visible()
    fill_header(page, "公開授課/教學觀察日期")
    rate_every_item(page, ["A-2", "A-3", "A-4", "B-1", "B-2"])
    page.get_by_label("A-4 評量：不適用").check()
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("A-2 事實摘要敘述")).to_have_value("A-2 的具體事實")
    expect(page.get_by_label("A-4 評量：不適用")).to_be_checked()
    screenshot(page, "online-observation-rubric-105")
    assert assert_complete(case, slot, "observation_rubric_105").data["rubric"]["B-2"]["rating"] == "satisfactory"


def test_observation_rubric_101(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "observation_rubric_101", 110)
    fill_header(page, "公開授課/教學觀察日期")
    rate_every_item(page, ["1-1", "1-2", "1-3", "1-4", "1-5", "1-6", "1-7", "2", "3", "4", "5", "6"], "優良")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("1-7 評量：優良")).to_be_checked()
    assert_complete(case, slot, "observation_rubric_101")


def test_anecdotal_record_adds_and_removes_rows(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "anecdotal_record", 109)
    expect(page.get_by_text("備註：本紀錄表由觀課人員依據客觀具體事實填寫。")).to_be_visible()
    for header in ["時間(課堂時間或現實時間皆可)", "行為", "事實摘要敘述", "備註"]:
        expect(page.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    fill_header(page, "公開授課/教學觀察日期")
    page.get_by_label("教學節次（共幾節）").fill("2")
    page.get_by_label("教學節次（本次為第幾節）").fill("1")
    page.get_by_label("時間(課堂時間或現實時間皆可)（第 1 列）").fill("09:05")
    page.get_by_label("行為（第 1 列）").fill("教師提問")
    page.get_by_label("事實摘要敘述（第 1 列）").fill("三位學生舉手回答")
    page.get_by_role("button", name="新增").click()
    page.get_by_label("行為（第 2 列）").fill("暫時的列")
    page.get_by_role("button", name="新增").click()
    page.get_by_label("時間(課堂時間或現實時間皆可)（第 3 列）").fill("09:12")
    page.get_by_label("行為（第 3 列）").fill("分組討論")
    page.get_by_label("事實摘要敘述（第 3 列）").fill("各組輪流發表")
    page.get_by_role("button", name="刪除（第 2 列）").click()
    expect(page.get_by_label("行為（第 2 列）")).to_have_value("分組討論")
    screenshot(page, "online-anecdotal-record")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("行為（第 1 列）")).to_have_value("教師提問")
    expect(page.get_by_label("事實摘要敘述（第 2 列）")).to_have_value("各組輪流發表")
    expect(page.get_by_label("教學節次（共幾節）")).to_have_value("2")
    records = assert_complete(case, slot, "anecdotal_record").data["records"]
    assert [r["behavior"] for r in records] == ["教師提問", "分組討論"]


def test_verbal_flow_shows_seat_and_class_totals(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "verbal_flow", 108)
    fill_header(page, "公開授課/教學觀察日期")
    page.get_by_label("座位列數").fill("3")
    page.get_by_label("座位行數").fill("4")
    page.get_by_role("button", name="套用座位表").click()
    expect(page.locator("td.seat")).to_have_count(12)
    expect(page.get_by_label("授課教師", exact=True)).to_have_value("王大明")
    page.get_by_label("第1列第1行 教師→學生").fill("2")
    page.get_by_label("第1列第1行 學生→教師").fill("1")
    page.get_by_label("第3列第4行 學生→學生").fill("3")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("第3列第4行 學生→學生")).to_have_value("3")
    # 教師→學生 2, 學生→教師 1, 學生→學生 3, 合計 6; two of the twelve seats spoke.
    totals = page.get_by_role("table", name="全班合計")
    expect(totals.locator("tbody tr")).to_have_text(re.compile(r"2\s*1\s*3\s*6\s*2 / 12 位"))
    expect(page.locator("#f-chart-seat-3-4")).to_contain_text("計 3")
    screenshot(page, "online-verbal-flow")
    assert assert_complete(case, slot, "verbal_flow").data["chart"]["seats"] == {
        "1-1": {"ts": 2, "st": 1},
        "3-4": {"ss": 3},
    }


def test_at_task_shows_the_share_per_sweep(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "at_task", 107)
    fill_header(page, "公開授課/教學觀察日期")
    page.get_by_label("時間（第 1 列）").fill("09:00")
    page.get_by_role("button", name="新增").click()
    page.get_by_label("時間（第 2 列）").fill("09:05")
    page.get_by_label("第1列第1行 代號").fill("AB")
    page.get_by_label("第1列第2行 代號").fill("AA")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("第1列第1行 代號")).to_have_value("AB")
    expect(page.get_by_label("時間（第 2 列）")).to_have_value("09:05")
    expect(page.get_by_text("全班在工作中 3/4，75.0%")).to_be_visible()
    screenshot(page, "online-at-task")
    assert_complete(case, slot, "at_task")


def test_teacher_movement_records_the_path_from_the_chart(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "teacher_movement", 106)
    fill_header(page, "公開授課/教學觀察日期")
    page.get_by_role("button", name="講臺", exact=True).click()
    page.get_by_role("button", name="第2列第3行：加入移動路線").click()
    page.get_by_role("button", name="第1列第1行：加入移動路線").click()
    expect(page.get_by_label("位置（第 2 列）")).to_have_value("2-3")
    page.get_by_label("時間（第 1 列）").fill("09:00")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("位置（第 3 列）")).to_have_value("1-1")
    expect(page.get_by_role("table", name="移動統計")).to_contain_text("2 / 30")
    screenshot(page, "online-teacher-movement")
    path = assert_complete(case, slot, "teacher_movement").data["chart"]["path"]
    assert [stop["position"] for stop in path] == ["講臺", "2-3", "1-1"]


def test_flanders_computes_the_matrix_and_ratios(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "flanders", 105)
    fill_header(page, "公開授課/教學觀察日期")
    page.get_by_label("開始時間").fill("09:00")
    page.get_by_label("佛蘭德斯代碼", exact=True).fill("5 5 4")
    for code in ["8", "2", "10", "9", "3"]:
        page.locator(f"button[data-flanders-code='{code}']").click()
    expect(page.get_by_label("佛蘭德斯代碼", exact=True)).to_have_value("5 5 4 8 2 10 9 3")
    expect(page.get_by_text("已記錄 8 個代碼")).to_be_visible()
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("佛蘭德斯代碼", exact=True)).to_have_value("5 5 4 8 2 10 9 3")
    expect(page.locator("[data-ratio=TT]")).to_have_text("62.5%")
    expect(page.locator("[data-ratio=id]")).to_have_text("—")
    expect(page.get_by_text("N = 8 個代碼")).to_be_visible()
    screenshot(page, "online-flanders")
    assert assert_complete(case, slot, "flanders").data["flanders"]["codes"] == [5, 5, 4, 8, 2, 10, 9, 3]


def test_selective_verbatim(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "selective_verbatim", 104)
    fill_header(page, "公開授課/教學觀察日期")
    page.get_by_label("教師提問").check()
    page.get_by_label("時間（第 1 列）").fill("09:03")
    page.get_by_label("說話者（第 1 列）").select_option(label="教師")
    page.get_by_label("逐字紀錄內容（第 1 列）").fill("「誰能說說看 1/4 和 2/4 哪個大？」")
    page.get_by_role("button", name="新增").click()
    page.get_by_label("說話者（第 2 列）").select_option(label="學生")
    page.get_by_label("逐字紀錄內容（第 2 列）").fill("「2/4 比較大。」")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("說話者（第 2 列）")).to_have_value("student")
    expect(page.get_by_label("逐字紀錄內容（第 2 列）")).to_have_value("「2/4 比較大。」")
    assert len(assert_complete(case, slot, "selective_verbatim").data["lines"]) == 2


def test_post_conference_a(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "post_conference_a", 103)
    fill_header(page, "回饋會談日期")
    page.get_by_label("一、觀課人員說明觀察到的教與學具體事實").fill("學生能用圖示說明分數。")
    page.get_by_label("四、授課教師/觀課人員下次擬採取之教與學行動或策略（含下次的觀察焦點）").fill(
        "下次觀察小組討論。"
    )
    screenshot(page, "online-post-conference-a")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("一、觀課人員說明觀察到的教與學具體事實")).to_have_value("學生能用圖示說明分數。")
    assert_complete(case, slot, "post_conference_a")


def test_post_conference_b(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "post_conference_b", 102)
    fill_header(page, "回饋會談日期")
    page.get_by_label("一、教學者教學優點與特色").fill("提問層次分明。")
    page.get_by_label("成長指標（檢核重點）（第 1 列）").fill("A-3-1")
    page.get_by_role("button", name="新增").click()
    page.get_by_label("成長指標（檢核重點）（第 2 列）").fill("B-2-2")
    page.get_by_label("預計完成日期（第 2 列）").fill("2020-06-30")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("預計完成日期（第 2 列）")).to_have_value("2020-06-30")
    assert len(assert_complete(case, slot, "post_conference_b").data["plan"]) == 2


def test_post_conference(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "post_conference", 101)
    fill_header(page, "回饋會談日期")
    page.get_by_label("三、觀課人員的回饋與建議").fill("可多讓學生說明想法。")
    save(page)
    reopen_and_check_header(page, url)
    expect(page.get_by_label("三、觀課人員的回饋與建議")).to_have_value("可多讓學生說明想法。")
    assert_complete(case, slot, "post_conference")


def test_a_malformed_date_keeps_everything_typed(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "anecdotal_record", 100)
    page.get_by_label("授課教師", exact=True).fill("王大明")
    page.get_by_label("行為（第 1 列）").fill("教師提問")
    page.get_by_label("教學節次（共幾節）").fill("-2")
    page.get_by_role("button", name="儲存").last.click()
    expect(page.get_by_role("alert")).to_contain_text("「教學節次（共幾節）」不能小於 1。")
    expect(page.get_by_label("授課教師", exact=True)).to_have_value("王大明")
    expect(page.get_by_label("行為（第 1 列）")).to_have_value("教師提問")
    assert not SlotAnswer.objects.filter(case=case).exists()


def test_print_view_of_the_flanders_form(teacher_page):
    page = teacher_page
    case, slot, url = open_form(page, "flanders", 99)
    fill_header(page, "公開授課/教學觀察日期")
    page.get_by_label("佛蘭德斯代碼", exact=True).fill("5 5 4 8 2 10 9 3")
    save(page)
    page.goto(page.base_url + reverse("certification:slot_print", args=[case.pk, slot]))
    expect(page.get_by_role("heading", name="佛蘭德斯互動分析法量化分析表")).to_be_visible()
    expect(page.locator("[data-ratio=SSR]")).to_have_text("11.1%")
    expect(page.get_by_role("navigation")).to_have_count(0)
    screenshot(page, "online-flanders-print")


def test_after_sending_the_forms_are_read_only(teacher_page):
    page = teacher_page
    case = factories.case(page.teacher, "basic", academic_year=98)
    header = {**HEADER, "records-0-behavior": "教師提問", "records-0-facts": "三位學生舉手回答"}
    for slot_code, code in [
        ("pre_conference", "pre_conference_a"),
        ("observation", "anecdotal_record"),
        ("post_conference", "post_conference_a"),
    ]:
        template = get_template(code)
        data, missing, _ = engine.validate(template, header)
        slot = FormSlot.objects.get(certification_type=case.certification_type, code=slot_code)
        answers.save_answer(case, slot, template, data=data, is_complete=not missing, expected_revision=None)
    workflow.transition(case, "submit", actor=page.teacher)
    page.goto(page.base_url + reverse("certification:slot_edit", args=[case.pk, "observation"]))
    expect(page.get_by_text("此申請已送出審查，表單僅供檢視，無法修改。")).to_be_visible()
    expect(page.get_by_role("button", name="儲存")).to_have_count(0)
    expect(page.locator("form textarea, form input[type=text]")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("三位學生舉手回答")
    screenshot(page, "online-anecdotal-record-read-only")
