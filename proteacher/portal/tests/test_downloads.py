"""檔案下載: every blank form in Word and ODF, by certification type, and the manuals."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def section(page: str, section_id: str) -> str:
    start = page.index(f'id="{section_id}"')
    return page[start : page.index("</section>", start)]


def blank_links(html: str) -> set[str]:
    return set(re.findall(r'href="(/documents/blank/[^"]+)"', html))


def links_for(code: str) -> set[str]:
    return {reverse("documents:blank", args=[code, fmt]) for fmt in ("docx", "odt")}


def test_page_is_public(client):
    response = client.get(reverse("portal:downloads"))
    assert response.status_code == 200
    assert '<h1 class="h4">檔案下載</h1>' in response.content.decode()


def test_advanced_lists_its_upload_forms_in_both_formats(client):
    advanced = section(client.get(reverse("portal:downloads")).content.decode(), "blanks-advanced")
    assert "進階專業回饋人才認證" in advanced
    for code in ("implementation_proof", "community_proof", "other_pre_observation", "advanced_checklist"):
        assert links_for(code) <= blank_links(advanced)
    assert "Word .docx" in advanced and "ODF .odt" in advanced


def test_forms_are_listed_in_slot_order_with_their_slots(client):
    advanced = section(client.get(reverse("portal:downloads")).content.decode(), "blanks-advanced")
    titles = ["公開授課實施證明", "教師專業學習社群參與證明", "其他或觀察前紀錄表", "進階專業回饋人才認證檢核表"]
    positions = [advanced.index(title) for title in titles]
    assert positions == sorted(positions)
    assert "表單項目：實施證明" in advanced and "表單項目：認證檢核表" in advanced


def test_basic_lists_only_the_pre_observation_upload(client):
    basic = section(client.get(reverse("portal:downloads")).content.decode(), "blanks-basic")
    assert blank_links(basic) == links_for("other_pre_observation")


def test_mentor_lists_the_mentoring_forms_once_each(client):
    mentor = section(client.get(reverse("portal:downloads")).content.decode(), "blanks-mentor")
    for code in ("mentoring_plan", "mentoring_log", "mentoring_case", "mentor_checklist"):
        assert links_for(code) <= blank_links(mentor)
    assert mentor.count(">平時輔導紀錄表<") == 1
    assert "表單項目：平時輔導紀錄表（一）、平時輔導紀錄表（二）" in mentor


def test_the_paper_recommendations_are_other_forms_now_that_the_school_fills_it_online(client):
    page = client.get(reverse("portal:downloads")).content.decode()
    # The 推薦表 slots are the school's online form: their old paper blanks no slot offers stay here.
    others = section(page, "blanks-others")
    for code in ("mentor_recommendation", "renewal_recommendation"):
        assert links_for(code) <= blank_links(others)
        assert not links_for(code) & blank_links(section(page, "blanks-mentor"))


def test_every_listed_blank_downloads(client):
    page = client.get(reverse("portal:downloads")).content.decode()
    links = blank_links(page)
    assert len(links) == 26  # thirteen forms (four of them 換證's), two formats
    for link in links:
        assert client.get(link).status_code == 200


def test_manuals_link_the_help_pages_and_the_office_guide(client):
    manuals = section(client.get(reverse("portal:downloads")).content.decode(), "manuals")
    assert f'<a href="{reverse("portal:help")}">線上閱讀</a>' in manuals
    assert "操作教學（教師端）" in manuals
    assert re.search(r'href="https://support\.microsoft\.com/[^"]+" target="_blank"', manuals)
    assert "前往 Microsoft Office 轉存 PDF 教學" in manuals


def test_queries_do_not_grow_with_types_or_slots(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        client.get(reverse("portal:downloads"))
