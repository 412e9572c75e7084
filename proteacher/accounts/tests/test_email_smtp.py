"""The verification email through the real transports: an SMTP server, the mail folder, a server that is down."""

import html
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.urls import reverse

from proteacher.accounts.models import EmailCode
from proteacher.accounts.tests.test_verification_codes import code_in
from proteacher.testing.smtp import free_port, running_smtp_server, smtp_server, use_smtp_server  # noqa: F401

VERIFY = reverse("accounts:verify")
VERIFY_EMAIL = reverse("accounts:verify_email")
RESEND = reverse("accounts:verify_resend")

ANSWERS = {
    "phone": "02-23456789",
    "email": "chen@school.example.tw",
    "levels": ["國小"],
    "domains": ["語文"],
    "formal_since": "2016-08",
    "teaching_years": "8",
}

SEED_LINES = [
    "敬愛的 陳新進老師：",
    "您好，歡迎光臨教師專業發展支持作業平臺，本平臺已經收到您的驗證申請，請至方才驗證畫面，直接輸入驗證碼，"
    "勿重整網頁，避免驗證碼重複寄出，以利會員驗證。",
    "教師專業發展支持作業平臺：https://proteacher.moe.edu.tw",
    "工作小組 敬上",
    "此信件為系統自動產生，請勿直接回覆。",
    "如無在此註冊會員，請忽略並刪除此封郵件。",
    "祝您有愉快的一天！",
]


def test_verification_email_arrives_over_smtp_as_the_seed_letter(client, new_teacher, settings, smtp_server):  # noqa: F811
    settings.SITE_URL = "https://proteacher.moe.edu.tw"
    client.force_login(new_teacher)

    client.post(VERIFY, ANSWERS)

    [received] = smtp_server.messages
    lines = received.text.splitlines()
    assert received.rcpt_tos == ["chen@school.example.tw"]
    assert received.message["To"] == "chen@school.example.tw"
    assert received.subject == "教師專業發展支持作業平臺 Email驗證碼"
    assert all(line in lines for line in SEED_LINES)
    assert f"驗證碼：{code_in(received.text)}" in lines


def test_the_code_from_the_smtp_mail_verifies_the_address(client, new_teacher, smtp_server):  # noqa: F811
    client.force_login(new_teacher)
    client.post(VERIFY, ANSWERS)

    response = client.post(VERIFY_EMAIL, {"code": code_in(smtp_server.messages[0].text)})

    new_teacher.refresh_from_db()
    assert response.url == reverse("certification:transfer")
    assert new_teacher.email == "chen@school.example.tw"


def test_file_backend_leaves_a_message_file_with_the_code(client, new_teacher, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    client.force_login(new_teacher)

    client.post(VERIFY, ANSWERS)

    [written] = list(Path(settings.EMAIL_FILE_PATH).iterdir())
    # The file backend ends each message with a line of 79 dashes.
    raw = written.read_bytes().rsplit(b"-" * 79, 1)[0]
    message = BytesParser(policy=policy.default).parsebytes(raw)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert message["To"] == "chen@school.example.tw"
    assert str(message["Subject"]).strip() == "教師專業發展支持作業平臺 Email驗證碼"
    assert "敬愛的 陳新進老師：" in text
    assert len(code_in(text)) == 6


def test_mail_server_down_shows_a_friendly_message_and_keeps_the_answers(client, new_teacher, settings):
    use_smtp_server(settings, "127.0.0.1", free_port())
    client.force_login(new_teacher)

    response = client.post(VERIFY, ANSWERS, follow=True)

    text = html.unescape(response.content.decode())
    profile = new_teacher.profile
    profile.refresh_from_db()
    assert response.redirect_chain[-1][0] == VERIFY_EMAIL
    assert "驗證信寄送失敗，請稍後再按「重新寄送驗證碼」。" in text
    assert "重新寄送驗證碼</button>" in text
    assert profile.pending_email == "chen@school.example.tw"
    assert (profile.phone, profile.teaching_years, profile.domains) == ("02-23456789", 8, ["語文"])
    assert not EmailCode.objects.filter(user=new_teacher).exists()


def test_after_a_failed_send_the_resend_works_at_once_when_the_server_is_back(client, new_teacher, settings):
    use_smtp_server(settings, "127.0.0.1", free_port())
    client.force_login(new_teacher)
    client.post(VERIFY, ANSWERS)

    with running_smtp_server() as server:
        use_smtp_server(settings, server.host, server.port)
        client.post(RESEND)

    assert [message.rcpt_tos for message in server.messages] == [["chen@school.example.tw"]]
