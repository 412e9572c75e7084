"""教師驗證 step 2 資料轉移: importing (or not) what the old system recorded."""

import datetime
import html
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts import verification
from proteacher.certification import transfer
from proteacher.certification.models import Certificate, CertificationType
from proteacher.registry.models import OldCertificate

TRANSFER = reverse("certification:transfer")
TAIPEI = zoneinfo.ZoneInfo("Asia/Taipei")


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def chen(client, new_teacher):
    """A first-login teacher who has just proven their email (step 1 done)."""
    profile = new_teacher.profile
    profile.email_verified_at = timezone.now()
    profile.save(update_fields=["email_verified_at"])
    client.force_login(new_teacher)
    return new_teacher


@pytest.fixture
def old_rows(chen):
    """The two rows of the manual's screen: one with a date, one without."""
    return [
        OldCertificate.objects.create(
            inservice_account="t-chen",
            academic_year=95,
            kind="初階認證",
            number="A104000811",
            obtained_on=datetime.date(2006, 10, 23),
        ),
        OldCertificate.objects.create(inservice_account="t-chen", academic_year=96, kind="進階認證", number="96"),
    ]


def test_old_certificates_are_listed_as_in_the_manual(client, old_rows):
    text = page(client.get(TRANSFER))

    assert "認證證號" in text
    headers = ["學年度", "證號類別", "證號", "證號取得時間"]
    assert [text.index(f'<th scope="col">{h}</th>') for h in headers] == sorted(
        text.index(f'<th scope="col">{h}</th>') for h in headers
    )
    assert "<td>95</td><td>初階認證</td><td>A104000811</td><td>2006-10-23</td>" in text
    assert "<td>96</td><td>進階認證</td><td>96</td><td></td>" in text
    assert "資料全部錯誤 不匯入" in text and "匯入 (資料正確或部分正確)" in text
    assert "證號若顯示年度並非錯誤，請選擇匯入。" in text
    assert "只要資料有部分正確，請先選擇匯入，再與系統管理者聯絡補正。" in text
    assert "✓ 填寫資料" in text and "2 資料轉移" in text


def test_another_teachers_old_rows_are_not_offered(client, chen, db):
    # A number no random token of the page (CSRF, nonces: letters and digits) can contain.
    OldCertificate.objects.create(inservice_account="t-someone-else", academic_year=100, kind="初階認證", number="X-1")

    text = page(client.get(TRANSFER))

    assert "X-1" not in text
    assert "很抱歉目前舊系統當中沒有您的資料" in text


def test_import_copies_the_rows_into_certificates_and_completes_verification(client, chen, old_rows):
    response = client.post(TRANSFER, {"decision": "imported"}, follow=True)

    first, second = Certificate.objects.filter(teacher=chen).order_by("academic_year")
    assert (first.certification_type.code, first.academic_year, first.number) == ("basic", 95, "A104000811")
    assert first.issued_at == datetime.datetime(2006, 10, 23, 0, 0, tzinfo=TAIPEI)
    assert first.source == Certificate.Source.OLD_SYSTEM
    assert (second.certification_type.code, second.number, second.issued_at) == ("advanced", "96", None)
    chen.profile.refresh_from_db()
    assert chen.profile.is_verified and chen.profile.old_data_decision == "imported"
    assert response.redirect_chain[-1][0] == reverse("certification:held")
    assert "教師驗證完成，已匯入 2 筆認證證號。" in page(response)


def test_double_click_on_import_creates_no_duplicates(client, chen, old_rows):
    first = client.post(TRANSFER, {"decision": "imported"})
    second = client.post(TRANSFER, {"decision": "imported"})

    assert Certificate.objects.filter(teacher=chen).count() == 2
    assert first.url == second.url == reverse("certification:held")


def test_import_service_run_twice_changes_nothing_the_second_time(chen, old_rows):
    transfer.complete_transfer(chen, verification.Decision.IMPORT)
    again = transfer.complete_transfer(chen, verification.Decision.IMPORT)

    assert again.already_done and again.imported == 0
    assert Certificate.objects.filter(teacher=chen).count() == 2


def test_import_keeps_a_certificate_already_there(chen, old_rows):
    # The working group back-filled (補登) the same certificate from the old system before the teacher came.
    Certificate.objects.create(
        teacher=chen,
        certification_type=CertificationType.objects.get(code="basic"),
        academic_year=95,
        number="A104000811",
        source="old_system",
    )

    result = transfer.complete_transfer(chen, verification.Decision.IMPORT)

    assert (result.imported, result.matched) == (1, 2)
    assert Certificate.objects.filter(teacher=chen).count() == 2


def test_a_row_of_unknown_kind_is_not_imported_and_the_teacher_is_told(client, chen, old_rows):
    OldCertificate.objects.create(inservice_account="t-chen", academic_year=97, kind="舊制研習", number="Z9")

    text = page(client.post(TRANSFER, {"decision": "imported"}, follow=True))

    assert Certificate.objects.filter(teacher=chen).count() == 2
    assert "下列證號類別無法辨識" in text and "97 舊制研習 Z9" in text


def test_decline_records_the_decision_and_imports_nothing(client, chen, old_rows):
    response = client.post(TRANSFER, {"decision": "declined"})

    chen.profile.refresh_from_db()
    assert not Certificate.objects.filter(teacher=chen).exists()
    assert chen.profile.old_data_decision == "declined" and chen.profile.is_verified
    assert response.url == reverse("certification:index")


def test_without_old_data_the_apology_and_confirm_complete_verification(client, chen):
    text = page(client.get(TRANSFER))

    response = client.post(TRANSFER, {"decision": "none"})

    assert (
        "很抱歉目前舊系統當中沒有您的資料，如果您已經有完成認證之資格, "
        "請聯繫教師專業發展支持作業平臺工作小組，為您補登資料，謝謝。"
    ) in text
    assert ">確定</button>" in text
    assert "✓ 填寫資料" in text and "✓ 資料轉移" in text
    chen.profile.refresh_from_db()
    assert chen.profile.old_data_decision == "none" and chen.profile.is_verified
    assert response.url == reverse("certification:index")


def test_confirm_is_refused_when_old_rows_appeared_since_the_page_was_shown(client, chen, old_rows):
    response = client.post(TRANSFER, {"decision": "none"}, follow=True)

    chen.profile.refresh_from_db()
    assert not chen.profile.is_verified
    assert "請確認舊系統的認證證號後，選擇匯入或不匯入。" in page(response)


def test_completed_teacher_reaches_the_certification_area(client, chen):
    client.post(TRANSFER, {"decision": "none"})

    assert client.get(reverse("certification:index")).status_code == 200
    assert client.get(TRANSFER).url == reverse("accounts:profile")


def test_the_pages_old_addresses_still_lead_to_them(client, teacher):
    client.force_login(teacher)

    assert client.get("/accounts/profile/certificates/").url == reverse("certification:held")
    assert client.get("/accounts/verify/transfer/").url == reverse("certification:transfer")


def test_an_old_mentor_certificate_with_its_issue_day_is_dated_by_the_types_validity(chen):
    from proteacher.testing import factories

    factories.certification_types()
    mentor = CertificationType.objects.get(code="mentor")
    assert mentor.validity_years == 10
    OldCertificate.objects.create(
        inservice_account="t-chen",
        academic_year=106,
        kind=mentor.short_name,
        number="C106000123",
        obtained_on=datetime.date(2017, 12, 5),
    )
    OldCertificate.objects.create(inservice_account="t-chen", academic_year=107, kind=mentor.short_name, number="C107")
    OldCertificate.objects.create(
        inservice_account="t-chen",
        academic_year=95,
        kind="初階認證",
        number="A1",
        obtained_on=datetime.date(2006, 1, 2),
    )

    transfer.complete_transfer(chen, verification.Decision.IMPORT)

    found = {c.number: c.expires_on for c in Certificate.objects.filter(teacher=chen)}
    # Through the day before its tenth anniversary; no day, no end; a type without a validity, none.
    assert found == {"C106000123": datetime.date(2027, 12, 4), "C107": None, "A1": None}
