from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from proteacher.portal.help_pages import ROLES, SECTIONS

HELP_DIR = Path(settings.BASE_DIR) / "static" / "help"
TESTS = Path(settings.BASE_DIR) / "proteacher"


def test_help_walks_the_teachers_steps_in_the_seeds_words(client, db):
    page = client.get(reverse("portal:help")).content.decode()
    for words in [
        "全國教師在職進修資訊網 帳號漫遊登入",
        "確定登入",
        "資料全部錯誤",
        "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證",
        "「新增」鍵由反白轉為綠色",
        "送出審查文件",
        "送出複審資料",
        "申復重新送審",
        "前往 Microsoft Office 轉存 PDF 教學",
    ]:
        assert words in page


def test_every_role_has_its_sections_under_its_heading(client, db):
    page = client.get(reverse("portal:help")).content.decode()
    for role, label in ROLES:
        assert [section for section in SECTIONS if section["role"] == role], role
        assert f'<h2 class="h5 mt-4" id="role-{role}">{label}</h2>' in page
    for title in ["縣市：形式審查", "縣市：分發委員", "縣市：判定", "縣市：申復受理", "委員：審查案件與審查標準表"]:
        assert title in page
    for title in ["管理者：認證設定", "管理者：核定與發證", "管理者：帳號管理", "管理者：資料匯入"]:
        assert title in page


def test_the_sections_and_the_screenshot_files_match_one_to_one():
    shots = [shot["file"] for section in SECTIONS for shot in section["shots"]]
    assert len(shots) == len(set(shots))
    assert [shot for shot in shots if finders.find(shot) is None] == []
    on_disk = sorted(f"help/{path.name}" for path in HELP_DIR.glob("*.png"))
    assert on_disk == sorted(shots), "a file in static/help no section shows, or a section's file missing"


def test_every_screenshot_is_taken_by_a_browser_test():
    """make help-screenshots copies each file from a run of the browser tests: each name must be
    one a browser test saves."""
    sources = "".join(path.read_text(encoding="utf-8") for path in TESTS.glob("*/tests/test_*browser*.py"))
    names = [Path(shot["file"]).stem for section in SECTIONS for shot in section["shots"]]
    assert [name for name in names if f'"{name}"' not in sources] == []


def test_searching_the_help_shows_only_the_sections_that_hold_the_words(client, db):
    page = client.get(reverse("portal:help"), {"q": "申復"}).content.decode()
    assert "八、申復" in page and "縣市：申復受理" in page
    assert "一、登入" not in page and "管理者：資料匯入" not in page
    assert "個符合「申復」的說明" in page

    page = client.get(reverse("portal:help"), {"q": "分發 委員"}).content.decode()
    assert "縣市：分發委員" in page and "四、上傳或填寫表單" not in page

    page = client.get(reverse("portal:help"), {"q": "不存在的字\x07"}).content.decode()
    assert "找不到符合「不存在的字」的說明" in page
