"""個人資訊: 基本資訊, 認證證號 and 研習時數 of the signed-in teacher."""

import datetime
import html
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.accounts.tests.test_verification_codes import code_in, wrong
from proteacher.certification.models import Certificate, CertificationType
from proteacher.registry.models import TrainingCategory, TrainingRecord

PROFILE = reverse("accounts:profile")
PROFILE_EMAIL = reverse("accounts:profile_email")
CERTIFICATES = reverse("certification:held")
TRAINING = reverse("accounts:profile_training")
TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")

DETAILS = {
    "phone": "02-23456789#12",
    "email": "t-huang@school.example.tw",
    "levels": ["國中"],
    "domains": ["科技"],
    "formal_since": "2012-02",
    "teaching_years": "14",
}


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def huang(client, teacher):
    client.force_login(teacher)
    return teacher


def training(account: str, course: str, hours: str, day: datetime.date, year: int) -> TrainingRecord:
    return TrainingRecord.objects.create(
        inservice_account=account,
        course=course,
        category=TrainingCategory.ADVANCED,
        hours=Decimal(hours),
        completed_on=day,
        academic_year=year,
    )


@pytest.mark.parametrize("url", [PROFILE, CERTIFICATES, TRAINING])
def test_unverified_teacher_is_sent_to_verification_first(client, new_teacher, url):
    client.force_login(new_teacher)

    assert client.get(url).url == reverse("accounts:verify")


@pytest.mark.parametrize("url", [PROFILE, CERTIFICATES, TRAINING])
def test_staff_have_no_teacher_profile(client, taipei_officer, url):
    client.force_login(taipei_officer)

    assert client.get(url).status_code == 403


@pytest.mark.parametrize(("url", "tab"), [(PROFILE, "基本資訊"), (CERTIFICATES, "認證證號"), (TRAINING, "研習時數")])
def test_tabs_link_all_three_pages_and_mark_the_current_one(client, huang, url, tab):
    text = page(client.get(url))

    assert text.index(">基本資訊</a>") < text.index(">認證證號</a>") < text.index(">研習時數</a>")
    assert re.search(rf'class="nav-link active" aria-current="page" href="{url}">{tab}</a>', text)
    others = {PROFILE, CERTIFICATES, TRAINING} - {url}
    assert all(f'<a class="nav-link" href="{other}">' in text for other in others)


def test_basic_shows_the_data_from_sso_read_only(client, huang):
    text = page(client.get(PROFILE))

    for label, value in [("姓名", "黃測試"), ("學校所屬縣市", "臺北市"), ("職稱代碼", "8（專任教師）")]:
        assert f'<dt class="col-sm-3">{label}</dt><dd class="col-sm-9">{value}</dd>' in text
    assert "服務學校" in text and huang.profile.school.name in text
    assert 'name="name"' not in text and 'name="school"' not in text


def test_basic_form_starts_with_what_the_teacher_said(client, huang):
    text = page(client.get(PROFILE))

    assert 'value="02-12345678"' in text
    assert 'value="t-huang@school.example.tw"' in text
    assert 'value="2015-08"' in text
    assert re.search(r'<input[^>]*value="國小"[^>]*checked', text)
    assert ">儲存</button>" in text


def test_saving_details_changes_them_at_once(client, huang, mailoutbox):
    response = client.post(PROFILE, DETAILS, follow=True)

    profile = huang.profile
    profile.refresh_from_db()
    assert profile.phone == "02-23456789#12"
    assert profile.levels == ["國中"] and profile.domains == ["科技"]
    assert profile.formal_since == datetime.date(2012, 2, 1)
    assert profile.teaching_years == 14
    assert "基本資訊已儲存。" in page(response)
    assert not mailoutbox


def test_invalid_details_keep_what_was_typed(client, huang):
    text = page(client.post(PROFILE, {**DETAILS, "teaching_years": "-1", "phone": "02-2345"}))

    huang.profile.refresh_from_db()
    assert "實際教學年資須介於 0 到 50 年之間。" in text
    assert 'value="-1"' in text and 'value="02-2345"' in text
    assert huang.profile.teaching_years == 10


def test_a_new_email_is_not_used_until_its_code_is_entered(client, huang, mailoutbox):
    response = client.post(PROFILE, {**DETAILS, "email": "huang.new@school.example.tw"})

    huang.refresh_from_db()
    assert response.url == PROFILE_EMAIL
    assert huang.email == "t-huang@school.example.tw"
    assert huang.profile.pending_email == "huang.new@school.example.tw"
    assert huang.profile.phone == "02-23456789#12"
    assert mailoutbox[0].to == ["huang.new@school.example.tw"]


def test_the_code_confirms_the_new_email(client, huang, mailoutbox):
    client.post(PROFILE, {**DETAILS, "email": "huang.new@school.example.tw"})
    code_page = page(client.get(PROFILE_EMAIL))

    response = client.post(PROFILE_EMAIL, {"action": "verify", "code": code_in(mailoutbox[0])}, follow=True)

    huang.refresh_from_db()
    assert "請將您收到的驗證碼填入" in code_page and "1.系統會傳送一組驗證碼到您電子郵件信箱" in code_page
    assert huang.email == "huang.new@school.example.tw"
    assert "Email已變更為 huang.new@school.example.tw。" in page(response)


def test_the_code_entered_a_second_time_says_it_was_used(client, huang, mailoutbox):
    client.post(PROFILE, {**DETAILS, "email": "huang.new@school.example.tw"})
    form = {"action": "verify", "code": code_in(mailoutbox[0])}
    client.post(PROFILE_EMAIL, form)

    response = client.post(PROFILE_EMAIL, form, follow=True)

    assert response.redirect_chain[-1][0] == PROFILE
    assert "此驗證碼已使用過，您的Email已完成驗證。" in page(response)


def test_a_wrong_code_leaves_the_email_unchanged(client, huang, mailoutbox):
    client.post(PROFILE, {**DETAILS, "email": "huang.new@school.example.tw"})
    text = page(client.post(PROFILE_EMAIL, {"action": "verify", "code": wrong(code_in(mailoutbox[0]))}))

    huang.refresh_from_db()
    assert "驗證碼錯誤，請再試一次（還可嘗試 4 次）。" in text
    assert huang.email == "t-huang@school.example.tw"


def test_an_email_change_can_be_cancelled(client, huang, mailoutbox):
    client.post(PROFILE, {**DETAILS, "email": "huang.new@school.example.tw"})

    client.post(PROFILE_EMAIL, {"action": "cancel"})

    huang.refresh_from_db()
    assert huang.profile.pending_email == ""
    assert client.get(PROFILE_EMAIL).url == PROFILE
    after = client.post(PROFILE_EMAIL, {"action": "verify", "code": code_in(mailoutbox[0])}, follow=True)
    assert after.redirect_chain[-1][0] == PROFILE
    assert "此驗證碼已使用過" not in page(after)  # never used: the change was cancelled
    huang.refresh_from_db()
    assert huang.email == "t-huang@school.example.tw"


def test_resend_on_the_profile_code_page_waits_a_minute(client, huang, mailoutbox):
    client.post(PROFILE, {**DETAILS, "email": "huang.new@school.example.tw"})

    text = page(client.post(PROFILE_EMAIL, {"action": "resend"}, follow=True))

    assert "秒後再重新寄送驗證碼。" in text
    assert len(mailoutbox) == 1


def test_certificates_are_listed_as_in_the_manual(client, huang):
    Certificate.objects.create(
        teacher=huang,
        certification_type=CertificationType.objects.get(code="advanced"),
        academic_year=108,
        number="臺北證號第B108000013號",
        issued_at=datetime.datetime(2020, 2, 6, 0, 0, tzinfo=TAIPEI),
        source=Certificate.Source.ISSUED,
    )
    Certificate.objects.create(
        teacher=huang,
        certification_type=CertificationType.objects.get(code="basic"),
        academic_year=96,
        number="96",
        source="old_system",
    )

    text = page(client.get(CERTIFICATES))

    headers = [text.index(f'<th scope="col">{h}</th>') for h in ["類別", "學年度", "證號", "發證時間"]]
    assert headers == sorted(headers)
    cells = "".join(f'<td data-label="{h}">{{}}</td>' for h in ["類別", "學年度", "證號", "發證時間"])
    assert cells.format("進階認證", "108", "臺北證號第B108000013號", "2020-02-06") in text
    assert cells.format("初階認證", "96", "96", "") in text


def test_training_lists_courses_with_hours_per_academic_year(client, huang):
    training("t-huang", "進階專業回饋人才培訓第一階段", "12", datetime.date(2019, 9, 1), 108)
    training("t-huang", "2-4 專業回饋實務探討", "6", datetime.date(2020, 3, 1), 108)
    training("t-huang", "初階研習", "1.5", datetime.date(2018, 10, 1), 107)

    text = page(client.get(TRAINING))

    records_table = text[text.index("研習紀錄") :]
    headers = [records_table.index(f">{h}</th>") for h in ["課程名稱", "類別", "時數", "研習日期", "學年度"]]
    assert headers == sorted(headers)
    assert "2-4 專業回饋實務探討" in text and "2020-03-01" in text and "進階培訓" in text
    assert '<tr><td>108</td><td class="text-end">18</td></tr>' in text
    assert '<tr><td>107</td><td class="text-end">1.5</td></tr>' in text
    assert '<th scope="row">總計</th><td class="text-end">19.5</td>' in text


def test_training_page_queries_do_not_grow_with_the_records(client, huang):
    training("t-huang", "研習 0", "3", datetime.date(2021, 1, 31), 109)
    client.get(TRAINING)  # the session's idle time started (accounts.idle): not counted below
    with CaptureQueriesContext(connection) as one_record:
        client.get(TRAINING)
    for day in range(1, 29):
        training("t-huang", f"研習 {day}", "3", datetime.date(2021, 2, day), 109)

    with CaptureQueriesContext(connection) as many_records:
        client.get(TRAINING)

    assert len(many_records) == len(one_record)


def test_certificates_page_queries_do_not_grow_with_the_certificates(client, huang):
    Certificate.objects.create(
        teacher=huang,
        certification_type=CertificationType.objects.get(code="basic"),
        academic_year=100,
        source="issued",
    )
    client.get(CERTIFICATES)  # the session's idle time started (accounts.idle): not counted below
    with CaptureQueriesContext(connection) as one_certificate:
        client.get(CERTIFICATES)
    for year in range(101, 111):
        Certificate.objects.create(
            teacher=huang,
            certification_type=CertificationType.objects.get(code="advanced"),
            academic_year=year,
            source="issued",
        )

    with CaptureQueriesContext(connection) as many_certificates:
        client.get(CERTIFICATES)

    assert len(many_certificates) == len(one_certificate)


def test_a_teacher_sees_only_their_own_training_and_certificates(client, huang, taichung_teacher):
    training("t-lin", "林老師的研習", "3", datetime.date(2021, 1, 5), 109)
    Certificate.objects.create(
        teacher=taichung_teacher,
        certification_type=CertificationType.objects.get(code="basic"),
        academic_year=109,
        number="中證號第A1號",
        source="issued",
    )
    training("t-huang", "黃老師的研習", "2", datetime.date(2021, 1, 6), 109)

    training_page = page(client.get(TRAINING, {"teacher": taichung_teacher.pk, "account": "t-lin"}))
    certificate_page = page(client.get(CERTIFICATES, {"teacher": taichung_teacher.pk}))

    assert "林老師的研習" not in training_page and "黃老師的研習" in training_page
    assert "中證號第A1號" not in certificate_page


def test_empty_tabs_say_there_is_nothing_yet(client, huang):
    assert "目前沒有認證證號資料。" in page(client.get(CERTIFICATES))
    assert "目前沒有研習時數資料。" in page(client.get(TRAINING))
