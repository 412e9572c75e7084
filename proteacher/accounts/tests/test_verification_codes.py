"""The email code rules of 教師驗證: six digits, ten minutes, single use, resend wait, five tries."""

import datetime
import re
import threading

import pytest
from django.conf import settings
from django.db import connection

from proteacher.accounts import verification
from proteacher.accounts.models import EmailCode, TeacherProfile
from proteacher.accounts.verification import VerificationError

NEW_ADDRESS = "chen.new@school.example.tw"


def rewind(user, seconds: float) -> None:
    """Make the user's codes look `seconds` older, as if that much time had passed."""
    delta = datetime.timedelta(seconds=seconds)
    for code in EmailCode.objects.filter(user=user):
        code.created_at -= delta
        code.expires_at -= delta
        code.save(update_fields=["created_at", "expires_at"])


def code_in(message) -> str:
    """The six digits of a verification email (django.core.mail message or plain text)."""
    body = message if isinstance(message, str) else message.body
    return re.search(r"驗證碼：(\d{6})", body).group(1)


def ask_for_code(user, email: str = NEW_ADDRESS) -> None:
    """What step 1 does: remember the address to prove, then mail a code for it."""
    user.profile.pending_email = email
    user.profile.save(update_fields=["pending_email"])
    verification.send_code(user, email)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_code_is_six_digits_and_only_its_hash_is_kept(new_teacher, mailoutbox):
    ask_for_code(new_teacher)

    code = code_in(mailoutbox[0])
    stored = EmailCode.objects.get(user=new_teacher)
    assert re.fullmatch(r"\d{6}", code)
    assert code not in stored.code_hash
    assert stored.email == NEW_ADDRESS
    assert stored.expires_at - stored.created_at == datetime.timedelta(minutes=10)


def test_right_code_makes_the_address_the_teachers_email(new_teacher, mailoutbox):
    ask_for_code(new_teacher)

    confirmed = verification.confirm_email(new_teacher, code_in(mailoutbox[0]))

    new_teacher.refresh_from_db()
    assert confirmed == NEW_ADDRESS
    assert new_teacher.email == NEW_ADDRESS
    assert new_teacher.profile.email_verified_at is not None
    assert new_teacher.profile.pending_email == ""


def test_a_used_code_does_not_work_a_second_time(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    code = code_in(mailoutbox[0])
    verification.confirm_email(new_teacher, code)
    # The same address waits for proof again (say a later change back to it): the old code is spent.
    new_teacher.profile.pending_email = NEW_ADDRESS
    new_teacher.profile.save(update_fields=["pending_email"])

    with pytest.raises(VerificationError) as refused:
        verification.confirm_email(new_teacher, code)

    assert refused.value.message == "此驗證碼已使用過，請重新寄送驗證碼。"


def test_right_code_sent_twice_in_a_row_confirms_only_once(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    code = code_in(mailoutbox[0])
    verification.confirm_email(new_teacher, code)

    with pytest.raises(VerificationError) as refused:
        verification.confirm_email(new_teacher, code)

    assert refused.value.code == "already_verified"
    assert refused.value.message == "此驗證碼已使用過，您的Email已完成驗證。"
    assert EmailCode.objects.filter(user=new_teacher, closed_reason=EmailCode.CloseReason.USED).count() == 1


def test_only_the_code_that_proved_the_address_counts_as_used_before(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    code = code_in(mailoutbox[0])
    assert not verification.used_before(new_teacher, code)

    verification.confirm_email(new_teacher, code)

    assert verification.used_before(new_teacher, code)
    assert not verification.used_before(new_teacher, wrong(code))


def test_code_expires_after_ten_minutes(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    rewind(new_teacher, 10 * 60 + 1)

    with pytest.raises(VerificationError) as refused:
        verification.confirm_email(new_teacher, code_in(mailoutbox[0]))

    assert refused.value.message == "驗證碼已過期，請重新寄送驗證碼。"
    new_teacher.refresh_from_db()
    assert new_teacher.profile.email_verified_at is None


def test_code_still_works_a_moment_before_it_expires(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    rewind(new_teacher, 10 * 60 - 5)

    assert verification.confirm_email(new_teacher, code_in(mailoutbox[0])) == NEW_ADDRESS


def test_wrong_code_says_how_many_tries_are_left(new_teacher, mailoutbox):
    ask_for_code(new_teacher)

    with pytest.raises(VerificationError) as refused:
        verification.confirm_email(new_teacher, wrong(code_in(mailoutbox[0])))

    assert refused.value.message == "驗證碼錯誤，請再試一次（還可嘗試 4 次）。"
    assert EmailCode.objects.get(user=new_teacher).wrong_tries == 1


def test_after_five_wrong_codes_even_the_right_one_is_refused(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    code = code_in(mailoutbox[0])
    messages = []
    for _ in range(5):
        with pytest.raises(VerificationError) as refused:
            verification.confirm_email(new_teacher, wrong(code))
        messages.append(refused.value.message)

    with pytest.raises(VerificationError) as refused:
        verification.confirm_email(new_teacher, code)

    assert messages[3] == "驗證碼錯誤，請再試一次（還可嘗試 1 次）。"
    assert messages[4] == "錯誤次數過多，請重新寄送驗證碼。"
    assert refused.value.message == "錯誤次數過多，請重新寄送驗證碼。"


def test_a_new_code_after_too_many_tries_works(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    for _ in range(5):
        with pytest.raises(VerificationError):
            verification.confirm_email(new_teacher, wrong(code_in(mailoutbox[0])))
    rewind(new_teacher, 61)

    verification.send_code(new_teacher, NEW_ADDRESS)

    assert verification.confirm_email(new_teacher, code_in(mailoutbox[1])) == NEW_ADDRESS


def test_resend_within_a_minute_is_refused_with_the_seconds_left(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    rewind(new_teacher, 15)

    with pytest.raises(VerificationError) as refused:
        verification.send_code(new_teacher, NEW_ADDRESS)

    assert refused.value.message == "請勿重複送出驗證，請於 45 秒後再重新寄送驗證碼。"
    assert len(mailoutbox) == 1


def test_resend_after_a_minute_sends_a_code_that_voids_the_older_one(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    rewind(new_teacher, 61)

    verification.send_code(new_teacher, NEW_ADDRESS)

    first, second = code_in(mailoutbox[0]), code_in(mailoutbox[1])
    if first != second:  # one time in a million both codes are the same digits
        with pytest.raises(VerificationError):
            verification.confirm_email(new_teacher, first)
    assert verification.confirm_email(new_teacher, second) == NEW_ADDRESS
    assert EmailCode.objects.get(user=new_teacher, closed_reason=EmailCode.CloseReason.REPLACED)


def test_code_mailed_for_another_address_does_not_prove_the_pending_one(new_teacher, mailoutbox):
    ask_for_code(new_teacher, "first.try@school.example.tw")
    new_teacher.profile.pending_email = NEW_ADDRESS
    new_teacher.profile.save(update_fields=["pending_email"])

    with pytest.raises(VerificationError) as refused:
        verification.confirm_email(new_teacher, code_in(mailoutbox[0]))

    assert refused.value.message == "尚未寄出驗證碼，請按「重新寄送驗證碼」。"


def test_keep_usable_does_not_mail_a_second_code_for_the_same_address(new_teacher, mailoutbox):
    ask_for_code(new_teacher)

    assert verification.send_code(new_teacher, NEW_ADDRESS, keep_usable=True) is None
    assert len(mailoutbox) == 1


def test_mail_reads_as_the_seed_letter(new_teacher, mailoutbox, settings):
    settings.SITE_URL = "https://proteacher.moe.edu.tw"
    ask_for_code(new_teacher)

    mail = mailoutbox[0]
    lines = mail.body.splitlines()
    assert mail.subject == "教師專業發展支持作業平臺 Email驗證碼"
    assert mail.to == [NEW_ADDRESS]
    assert lines[0] == "敬愛的 陳新進老師："
    assert (
        "您好，歡迎光臨教師專業發展支持作業平臺，本平臺已經收到您的驗證申請，請至方才驗證畫面，直接輸入驗證碼，"
        "勿重整網頁，避免驗證碼重複寄出，以利會員驗證。"
    ) in lines
    assert f"驗證碼：{code_in(mail)}" in lines
    for line in [
        "教師專業發展支持作業平臺：https://proteacher.moe.edu.tw",
        "工作小組 敬上",
        "此信件為系統自動產生，請勿直接回覆。",
        "如無在此註冊會員，請忽略並刪除此封郵件。",
        "祝您有愉快的一天！",
    ]:
        assert line in lines


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs row locks and concurrent connections (PostgreSQL); SQLite serializes whole transactions",
)
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_the_right_code_confirm_once(new_teacher, mailoutbox):
    ask_for_code(new_teacher)
    code = code_in(mailoutbox[0])
    start = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            start.wait()
            verification.confirm_email(new_teacher, code)
            outcomes.append("confirmed")
        except VerificationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_verified", "confirmed"]
    assert EmailCode.objects.filter(user=new_teacher, closed_reason=EmailCode.CloseReason.USED).count() == 1
    assert TeacherProfile.objects.get(user=new_teacher).email_verified_at is not None
