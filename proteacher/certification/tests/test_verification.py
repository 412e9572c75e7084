"""證書查驗: the public page answers 有效 / 已撤銷 / 已過期 / 查無此證書 for a QR code's link or a 證號 with
the holder's name; it shows a masked name and the school and nothing else of the holder; strange
input gets a clear page; every lookup is counted and each client address is limited."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from proteacher.certification import verification
from proteacher.certification.models import VerificationLookup
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

Outcome = VerificationLookup.Outcome


@pytest.fixture
def certificate(teacher):
    return factories.issued_certificate(teacher)


def page(client, certificate):
    return client.get(reverse("verify:code", args=[certificate.verify_code]))


@pytest.mark.parametrize(
    ("name", "masked"),
    [("黃小試", "黃○試"), ("黃試", "黃○"), ("歐陽小試", "歐○○試"), ("黃", "○"), (" 黃小試 ", "黃○試")],
)
def test_the_name_keeps_its_first_and_last_characters(name, masked):
    assert verification.mask_name(name) == masked


def test_a_valid_certificate_reads_valid_with_its_public_facts(client, certificate):
    response = page(client, certificate)

    html = response.content.decode()
    assert response.status_code == 200
    assert "查驗結果：" in html and "有效" in html
    assert certificate.certification_type.name in html
    assert "臺北證號第B115000001號" in html
    assert "中華民國115年12月5日" in html
    assert "黃○試" in html
    school = certificate.teacher.profile.school.name
    assert school and f'<dd class="col-sm-9">{school}</dd>' in html


def test_the_page_shows_nothing_else_of_the_holder(client, certificate):
    teacher = certificate.teacher
    html = page(client, certificate).content.decode()
    posted = client.post(reverse("verify:form"), {"number": certificate.number, "name": teacher.name})

    for shown in (html, posted.content.decode()):
        assert teacher.name not in shown
        assert teacher.email and teacher.email not in shown
        assert teacher.username not in shown
        assert teacher.inservice_account not in shown
    assert "黃○試" in posted.content.decode()


def test_a_certificate_revoked_reads_revoked_with_the_date_and_category(client, certificate, admin_user):
    certificate.revoked_at = datetime.datetime(2027, 1, 8, 3, 0, tzinfo=datetime.UTC)
    certificate.revoked_by = admin_user
    certificate.revocation_category = "duplicate"
    certificate.revocation_reason = "重複核發：同一人核發兩張。"
    certificate.save()

    html = page(client, certificate).content.decode()

    assert "已撤銷" in html
    assert "中華民國116年1月8日" in html
    assert "重複核發" in html
    # The 原因訊息 itself is for the teacher, not the public.
    assert "同一人核發兩張" not in html


def test_a_certificate_past_its_end_date_reads_expired(client, teacher, time_machine):
    certificate = factories.issued_certificate(teacher, expires_on=datetime.date(2036, 12, 4))
    time_machine.move_to("2036-12-04 23:00:00+08:00")
    assert "有效" in page(client, certificate).content.decode()

    time_machine.move_to("2036-12-05 00:01:00+08:00")
    html = page(client, certificate).content.decode()

    assert "已過期" in html and "中華民國125年12月4日" in html


def test_an_old_system_certificate_verifies_marked_as_imported(client, teacher):
    old = factories.certificate(teacher)

    html = page(client, old).content.decode()

    assert "有效" in html
    assert "A104000811" in html
    assert "舊系統匯入紀錄" in html


@pytest.mark.parametrize(
    "code",
    [
        "A" * 22,  # well formed, unknown
        "x",  # too short
        "A" * 500,  # long
        "黃測試黃測試黃測試黃測試黃測試黃測試",  # not ASCII
        "abc%00def%01ghi%7f-jklmnopq",  # control characters
        "'; DROP TABLE x; --aaaaaaaaa",
    ],
)
def test_unknown_and_strange_codes_get_a_clear_page(client, certificate, code):
    response = client.get(f"/verify/{code}/")

    html = response.content.decode()
    assert response.status_code in (400, 404)
    assert "查無此證書" in html or verification.BAD_CODE in html
    assert "以證號查驗" in html


def test_the_form_finds_a_certificate_by_number_and_exact_name(client, certificate):
    response = client.post(reverse("verify:form"), {"number": f" {certificate.number} ", "name": "黃測試"})

    assert response.status_code == 200
    assert "有效" in response.content.decode()


@pytest.mark.parametrize(
    ("number", "name"),
    [("臺北證號第B115000001號", "黃測"), ("臺北證號第B115000001號", "黃測試試"), ("臺北證號第B115000002號", "黃測試")],
)
def test_a_wrong_name_reads_the_same_as_an_unknown_number(client, certificate, number, name):
    response = client.post(reverse("verify:form"), {"number": number, "name": name})
    unknown = client.post(reverse("verify:form"), {"number": "臺北證號第Z999999999號", "name": "無此人"})

    assert response.status_code == unknown.status_code == 404
    html = response.content.decode()
    assert '查驗結果：<span class="verify-outcome verify-unknown">查無此證書</span>' in html
    assert "黃○試" not in html and "有效" not in html


@pytest.mark.parametrize(
    ("number", "name", "message"),
    [
        ("", "", "請輸入證號。"),
        ("A" * 41, "黃測試", "證號最多 40 個字"),
        ("A104000811", "黃" * 51, "姓名最多 50 個字"),
        ("A104\x00000811", "黃測試", "控制字元"),
        ("A104000811", "黃\x07測試", "控制字元"),
    ],
)
def test_a_form_that_cannot_be_read_says_why(client, number, name, message):
    response = client.post(reverse("verify:form"), {"number": number, "name": name})

    assert response.status_code == 400
    assert message in response.content.decode()


def test_every_lookup_is_counted_without_the_address(client, certificate):
    page(client, certificate)
    client.get("/verify/" + "B" * 22 + "/")
    client.get("/verify/x/")
    client.post(reverse("verify:form"), {"number": certificate.number, "name": "黃測試"})

    lookups = list(VerificationLookup.objects.order_by("id"))
    assert [(lookup.outcome, lookup.certificate_id, lookup.by_number) for lookup in lookups] == [
        (Outcome.VALID, certificate.pk, False),
        (Outcome.UNKNOWN, None, False),
        (Outcome.INVALID, None, False),
        (Outcome.VALID, certificate.pk, True),
    ]
    assert all("127.0.0.1" not in lookup.client_key for lookup in lookups)


def test_one_address_is_limited_and_others_are_not(client, certificate, settings):
    settings.VERIFY_MAX_LOOKUPS = 3
    for _ in range(3):
        assert page(client, certificate).status_code == 200

    refused = page(client, certificate)
    elsewhere = client.get(reverse("verify:code", args=[certificate.verify_code]), REMOTE_ADDR="203.0.113.9")

    assert refused.status_code == 429
    assert "查詢次數過多，請於 10 分鐘後再試。" in refused.content.decode()
    assert "有效" not in refused.content.decode()
    assert elsewhere.status_code == 200
    # The refusal is counted for 統計, not towards the limit.
    assert VerificationLookup.objects.filter(outcome=Outcome.LIMITED).count() == 1


def test_the_limit_passes_with_its_window(client, certificate, settings, time_machine):
    settings.VERIFY_MAX_LOOKUPS = 2
    time_machine.move_to("2026-12-05 10:00:00+08:00")
    page(client, certificate)
    page(client, certificate)
    assert page(client, certificate).status_code == 429

    time_machine.move_to("2026-12-05 10:10:01+08:00")

    assert page(client, certificate).status_code == 200
    # The hashes of the window gone by are blanked.
    before = timezone.now() - datetime.timedelta(minutes=10)
    assert not VerificationLookup.objects.filter(at__lt=before).exclude(client_key="").exists()


def test_the_form_page_opens_for_everyone(client):
    response = client.get(reverse("verify:form"))

    assert response.status_code == 200
    assert "以證號查驗" in response.content.decode()


def test_every_page_links_to_the_verification_form(client):
    home = client.get(reverse("portal:home")).content.decode()

    assert f'<a href="{reverse("verify:form")}">證書查驗</a>' in home
