"""教師驗證 step 1 (填寫資料) and 驗證Email, as the teacher goes through them."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from proteacher.accounts.models import EmailCode
from proteacher.accounts.tests.test_verification_codes import code_in, rewind, wrong
from proteacher.testing import factories

VERIFY = reverse("accounts:verify")
VERIFY_EMAIL = reverse("accounts:verify_email")
RESEND = reverse("accounts:verify_resend")
TRANSFER = reverse("certification:transfer")

GOOD_ANSWERS = {
    "phone": "0912-345-678",
    "email": "chen@school.example.tw",
    "levels": ["國小", "特殊教育"],
    "domains": ["數學", "自然科學"],
    "formal_since": "2015-08",
    "teaching_years": "9",
}


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def chen(client, new_teacher):
    client.force_login(new_teacher)
    return new_teacher


@pytest.fixture
def code_sent(client, chen, mailoutbox):
    """Step 1 done: the answers are saved and the code is in the mailbox."""
    client.post(VERIFY, GOOD_ANSWERS)
    return code_in(mailoutbox[-1])


def test_staff_cannot_open_teacher_verification(client, taipei_officer):
    client.force_login(taipei_officer)

    assert client.get(VERIFY).status_code == 403


def test_signed_out_visitor_is_sent_to_login(client, db):
    response = client.get(VERIFY)

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_verified_teacher_is_sent_to_their_profile(client, teacher):
    client.force_login(teacher)

    assert client.get(VERIFY).url == reverse("accounts:profile")


def test_certification_area_sends_an_unverified_teacher_to_verification(client, chen):
    response = client.get(reverse("certification:index"), follow=True)

    assert response.redirect_chain[-1][0] == VERIFY
    assert "陳新進老師 您好" in page(response)


def test_step_one_shows_progress_greeting_and_the_fields_of_the_manual(client, chen):
    text = page(client.get(VERIFY))

    assert text.index("1 填寫資料") < text.index("2 資料轉移")
    assert "陳新進老師 您好" in text
    for label in ["您的聯絡電話", "您的Email", "任職學等(可複選)", "領域(可複選)", "取得正式教師時間", "實際教學年資"]:
        assert label in text
    for level in ["幼兒園", "國小", "國中", "高中", "高職", "特殊教育"]:
        assert f">{level}</label>" in text
    for domain in ["語文", "數學", "社會", "自然科學", "藝術", "綜合活動", "科技", "健康與體育", "全民國防教育"]:
        assert f">{domain}</label>" in text
    assert "請選擇擔任正式教師起始年月，若未取得正式教師該欄可空白" in text
    assert "*如資料不實請自行負責" in text
    assert 'type="month"' in text
    assert ">下一步</button>" in text


def test_step_one_starts_years_of_teaching_at_zero_for_a_blank_profile(client, db):
    teacher = factories.teacher(name="張無資料", account="t-blank", verified=False, teaching_years=0)
    client.force_login(teacher)

    assert 'name="teaching_years" value="0"' in page(client.get(VERIFY))


def test_step_one_errors_are_in_chinese_and_nothing_typed_is_lost(client, chen, mailoutbox):
    next_year = datetime.date.today().year + 1
    answers = {
        "phone": "12345",
        "email": "not-an-address",
        "domains": ["藝術"],
        "formal_since": f"{next_year}-01",
        "teaching_years": "51",
    }

    response = client.post(VERIFY, answers)

    text = page(response)
    assert response.status_code == 200
    assert "請輸入正確的電話號碼" in text
    assert "請輸入正確的 Email" in text
    assert "請至少勾選一個任職學等。" in text
    assert "取得正式教師時間不可晚於本月。" in text
    assert "實際教學年資須介於 0 到 50 年之間。" in text
    assert 'value="12345"' in text and 'value="not-an-address"' in text
    assert f'value="{next_year}-01"' in text and 'value="51"' in text
    assert re.search(r'<input[^>]*value="藝術"[^>]*checked', text)
    assert not mailoutbox


def test_step_one_links_each_error_to_its_field(client, chen):
    text = page(client.post(VERIFY, {**GOOD_ANSWERS, "phone": "abc"}))

    assert 'aria-describedby="id_phone_error"' in text
    assert 'aria-invalid="true"' in text
    assert 'id="id_phone_error"' in text


def test_next_saves_the_answers_and_mails_a_code(client, chen, mailoutbox):
    response = client.post(VERIFY, GOOD_ANSWERS)

    assert response.url == VERIFY_EMAIL
    profile = chen.profile
    profile.refresh_from_db()
    assert profile.phone == "0912-345-678"
    assert profile.levels == ["國小", "特殊教育"]
    assert profile.domains == ["數學", "自然科學"]
    assert profile.formal_since == datetime.date(2015, 8, 1)
    assert profile.teaching_years == 9
    assert profile.pending_email == "chen@school.example.tw"
    assert mailoutbox[0].to == ["chen@school.example.tw"]


def test_formal_since_may_stay_blank(client, chen):
    client.post(VERIFY, {**GOOD_ANSWERS, "formal_since": ""})

    chen.profile.refresh_from_db()
    assert chen.profile.formal_since is None


def test_full_width_digits_typed_with_a_chinese_input_method_are_accepted(client, chen):
    response = client.post(VERIFY, {**GOOD_ANSWERS, "phone": "０２－２３４５６７８９"})

    assert response.status_code == 302
    chen.profile.refresh_from_db()
    assert chen.profile.phone == "02-23456789"


def test_pressing_next_again_does_not_mail_a_second_code(client, chen, mailoutbox):
    client.post(VERIFY, GOOD_ANSWERS)
    client.post(VERIFY, GOOD_ANSWERS)

    assert len(mailoutbox) == 1


def test_code_page_shows_the_manuals_notes_and_buttons(client, code_sent):
    text = page(client.get(VERIFY_EMAIL))

    assert "驗證Email" in text
    assert "請將您收到的驗證碼填入" in text
    assert "1.系統會傳送一組驗證碼到您電子郵件信箱" in text
    assert "2.您必須驗證完成，才能完成註冊。" in text
    assert "3.驗證碼傳送最久需3-5分鐘，請勿重複送出驗證" in text
    assert ">驗證</button>" in text
    assert f'action="{RESEND}"' in text and "重新寄送驗證碼" in text
    assert f'href="{VERIFY}"' in text and "修改Email" in text
    assert '<label class="form-label" for="id_code">驗證碼</label>' in text


def test_code_page_before_step_one_sends_the_teacher_back(client, chen):
    assert client.get(VERIFY_EMAIL).url == VERIFY


def test_right_code_leads_to_data_transfer(client, chen, code_sent):
    response = client.post(VERIFY_EMAIL, {"code": code_sent})

    assert response.url == TRANSFER
    chen.refresh_from_db()
    assert chen.email == "chen@school.example.tw"


def test_wrong_code_is_told_plainly_with_the_tries_left(client, code_sent):
    text = page(client.post(VERIFY_EMAIL, {"code": wrong(code_sent)}))

    assert "驗證碼錯誤，請再試一次（還可嘗試 4 次）。" in text
    assert 'aria-describedby="id_code_error"' in text


def test_five_wrong_codes_then_the_right_one_is_refused_until_a_new_code(client, chen, code_sent, mailoutbox):
    for _ in range(5):
        client.post(VERIFY_EMAIL, {"code": wrong(code_sent)})

    refused = page(client.post(VERIFY_EMAIL, {"code": code_sent}))
    rewind(chen, 61)
    client.post(RESEND)
    accepted = client.post(VERIFY_EMAIL, {"code": code_in(mailoutbox[-1])})

    assert "錯誤次數過多，請重新寄送驗證碼。" in refused
    assert accepted.url == TRANSFER


def test_expired_code_asks_for_a_new_one(client, chen, code_sent):
    rewind(chen, 11 * 60)

    text = page(client.post(VERIFY_EMAIL, {"code": code_sent}))

    assert "驗證碼已過期，請重新寄送驗證碼。" in text


def test_double_submit_of_the_right_code_lands_on_transfer_both_times(client, chen, code_sent):
    first = client.post(VERIFY_EMAIL, {"code": code_sent})
    second = client.post(VERIFY_EMAIL, {"code": code_sent})

    assert first.url == TRANSFER and second.url == TRANSFER
    assert EmailCode.objects.filter(user=chen, closed_reason=EmailCode.CloseReason.USED).count() == 1


USED_AGAIN = "此驗證碼已使用過，您的Email已完成驗證。"


def test_the_code_entered_a_second_time_says_it_was_used(client, chen, code_sent):
    first = page(client.post(VERIFY_EMAIL, {"code": code_sent}, follow=True))

    second = client.post(VERIFY_EMAIL, {"code": code_sent}, follow=True)

    assert "Email驗證成功。" in first and USED_AGAIN not in first
    assert second.redirect_chain[-1][0] == TRANSFER
    assert USED_AGAIN in page(second)


def test_the_code_entered_again_after_verification_says_it_was_used(client, chen, code_sent):
    client.post(VERIFY_EMAIL, {"code": code_sent})
    client.post(TRANSFER, {"decision": "none"})

    response = client.post(VERIFY_EMAIL, {"code": code_sent}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:profile")
    assert USED_AGAIN in page(response)


def test_another_code_after_the_address_is_proven_is_not_called_used(client, chen, code_sent):
    client.post(VERIFY_EMAIL, {"code": code_sent})

    response = client.post(VERIFY_EMAIL, {"code": wrong(code_sent)}, follow=True)

    assert response.redirect_chain[-1][0] == TRANSFER
    assert USED_AGAIN not in page(response)


def test_resend_within_a_minute_is_refused_with_the_wait(client, chen, code_sent, mailoutbox):
    text = page(client.post(RESEND, follow=True))

    assert "請勿重複送出驗證，請於" in text and "秒後再重新寄送驗證碼。" in text
    assert len(mailoutbox) == 1


def test_resend_after_a_minute_mails_a_new_code(client, chen, code_sent, mailoutbox):
    rewind(chen, 60)

    text = page(client.post(RESEND, follow=True))

    assert len(mailoutbox) == 2
    assert "驗證碼已寄至 chen@school.example.tw" in text


def test_resend_needs_a_post(client, code_sent):
    assert client.get(RESEND).status_code == 405


def test_correcting_the_address_mails_the_code_to_the_new_one(client, chen, code_sent, mailoutbox):
    rewind(chen, 61)

    client.post(VERIFY, {**GOOD_ANSWERS, "email": "chen.fixed@school.example.tw"})
    client.post(VERIFY_EMAIL, {"code": code_in(mailoutbox[-1])})

    chen.refresh_from_db()
    assert mailoutbox[-1].to == ["chen.fixed@school.example.tw"]
    assert chen.email == "chen.fixed@school.example.tw"


def test_transfer_is_refused_until_the_email_is_verified(client, chen, code_sent):
    response = client.get(TRANSFER)

    assert response.url == VERIFY_EMAIL
    assert client.post(TRANSFER, {"decision": "none"}).url == VERIFY_EMAIL
    chen.profile.refresh_from_db()
    assert chen.profile.verified_at is None


def test_going_back_to_fix_a_detail_after_the_code_needs_no_new_code(client, chen, code_sent, mailoutbox):
    client.post(VERIFY_EMAIL, {"code": code_sent})

    response = client.post(VERIFY, {**GOOD_ANSWERS, "teaching_years": "10"})

    chen.profile.refresh_from_db()
    assert response.url == TRANSFER
    assert chen.profile.teaching_years == 10
    assert len(mailoutbox) == 1
