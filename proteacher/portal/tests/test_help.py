from django.contrib.staticfiles import finders
from django.urls import reverse

from proteacher.portal.help_pages import SECTIONS


def test_help_walks_the_teachers_steps_in_the_seeds_words(client, db):
    page = client.get(reverse("portal:help")).content.decode()
    for words in [
        "全國教師在職進修資訊網 帳號漫遊登入",
        "確定登入",
        "資料全部錯誤",
        "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證",
        "「新增」鍵由反白轉為綠色",
        "送出審查文件",
        "前往 Microsoft Office 轉存 PDF 教學",
    ]:
        assert words in page


def test_every_screenshot_the_help_shows_exists():
    shots = [shot["file"] for section in SECTIONS for shot in section["shots"]]
    assert shots
    assert [shot for shot in shots if finders.find(shot) is None] == []
