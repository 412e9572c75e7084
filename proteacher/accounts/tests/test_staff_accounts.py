"""帳號管理: 管理者 lists, creates, unlocks and deactivates staff accounts; the command does the same."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.messages import get_messages
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from proteacher.accounts.management.commands import create_staff_account as command_module
from proteacher.accounts.models import Role, User
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

STAFF_LIST = reverse("accounts:staff_list")
STAFF_CREATE = reverse("accounts:staff_create")
GOOD_PASSWORD = "Tainan-Chair-2026"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def new_account(**changes) -> dict:
    data = {
        "username": "tainan-center",
        "name": "臺南市教專中心",
        "email": "center@tainan.example.tw",
        "role": "county",
        "county": str(factories.county("臺南市").pk),
        "password": GOOD_PASSWORD,
    }
    return {**data, **changes}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# The list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_account_with_its_state(admin_client, taipei_officer, reviewer):
    User.objects.filter(pk=taipei_officer.pk).update(locked_until=timezone.now() + timedelta(minutes=10))
    User.objects.filter(pk=reviewer.pk).update(is_active=False)

    page = admin_client.get(STAFF_LIST).content.decode()

    headers = ["帳號", "姓名", "身分", "縣市", "Email", "狀態"]
    assert [page.index(f'<th scope="col">{label}</th>') for label in headers] == sorted(
        page.index(f'<th scope="col">{label}</th>') for label in headers
    )
    assert f'href="{STAFF_CREATE}">新增</a>' in page
    assert "taipei-officer" in page and "臺北市教專中心" in page and "臺北市" in page
    assert "鎖定中" in page and "停用" in page and "啟用" in page
    assert "sso:t-huang" not in page


def test_the_list_is_for_admins_only(client, taipei_officer, reviewer, teacher):
    for person in (taipei_officer, reviewer, teacher):
        client.force_login(person)
        assert client.get(STAFF_LIST).status_code == 403
        assert client.post(STAFF_LIST, {"action": "unlock", "account": person.pk}).status_code == 403


# Creating ---------------------------------------------------------------------------------------


def test_admin_creates_a_county_account_that_can_sign_in(admin_client, client):
    response = admin_client.post(STAFF_CREATE, new_account())

    assert response.status_code == 302 and response["Location"] == STAFF_LIST
    assert messages_of(response) == ["已建立帳號「tainan-center」。"]
    account = User.objects.get(username="tainan-center")
    assert (account.role, account.county.name, account.name) == (Role.COUNTY, "臺南市", "臺南市教專中心")
    admin_client.post(reverse("accounts:logout"))
    signed_in = client.post(reverse("accounts:login"), {"username": "tainan-center", "password": GOOD_PASSWORD})
    assert signed_in.status_code == 302


def test_the_form_has_every_field_with_a_label(admin_client):
    page = admin_client.get(STAFF_CREATE).content.decode()

    for field, label in [
        ("username", "帳號"),
        ("name", "姓名"),
        ("email", "Email"),
        ("role", "身分"),
        ("county", "縣市"),
        ("password", "初始密碼"),
    ]:
        assert f'<label class="form-label" for="id_{field}">{label}' in page
    assert '<option value="reviewer">委員</option>' in page
    assert '<option value="teacher">' not in page


def test_a_county_account_needs_a_county(admin_client):
    page = admin_client.post(STAFF_CREATE, new_account(county="")).content.decode()

    assert "身分為縣市時必須選擇縣市。" in page
    assert 'class="form-select is-invalid"' in page
    assert 'aria-describedby="id_county_helptext id_county_error"' in page and 'id="id_county_error"' in page
    assert not User.objects.filter(username="tainan-center").exists()


def test_other_roles_may_not_have_a_county(admin_client):
    page = admin_client.post(STAFF_CREATE, new_account(role="reviewer")).content.decode()

    assert "只有身分為縣市的帳號可以指定縣市。" in page


def test_weak_initial_passwords_are_refused_in_chinese(admin_client):
    page = admin_client.post(STAFF_CREATE, new_account(password="1234")).content.decode()

    assert "密碼太短，必須至少 8 個字元。" in page and "這個密碼只包含數字。" in page
    assert 'aria-invalid="true"' in page


def test_an_account_name_is_used_once_whatever_its_case(admin_client, taipei_officer):
    page = admin_client.post(STAFF_CREATE, new_account(username="Taipei-Officer")).content.decode()

    assert "此帳號已被使用。" in page


def test_a_teacher_role_cannot_be_created_here(admin_client):
    page = admin_client.post(STAFF_CREATE, new_account(role="teacher", county="")).content.decode()

    assert "身分必須是委員、縣市或管理者。" in page
    assert not User.objects.filter(username="tainan-center").exists()


def test_missing_fields_are_named(admin_client):
    page = admin_client.post(STAFF_CREATE, {}).content.decode()

    for message in ("請輸入帳號。", "請輸入姓名。", "請輸入 Email。", "請選擇身分。", "請輸入初始密碼。"):
        assert message in page


# Unlock and deactivate --------------------------------------------------------------------------


def test_admin_unlocks_a_locked_account(admin_client, taipei_officer):
    User.objects.filter(pk=taipei_officer.pk).update(locked_until=timezone.now() + timedelta(minutes=10))

    response = admin_client.post(STAFF_LIST, {"action": "unlock", "account": taipei_officer.pk})

    assert messages_of(response) == ["已解除「臺北市教專中心」的鎖定。"]
    taipei_officer.refresh_from_db()
    assert not taipei_officer.is_locked()


def test_admin_deactivates_and_reactivates_an_account(admin_client, reviewer):
    admin_client.post(STAFF_LIST, {"action": "deactivate", "account": reviewer.pk})
    reviewer.refresh_from_db()
    assert not reviewer.is_active

    admin_client.post(STAFF_LIST, {"action": "activate", "account": reviewer.pk})
    reviewer.refresh_from_db()
    assert reviewer.is_active


def test_admin_cannot_deactivate_themselves(admin_client, admin_user):
    response = admin_client.post(STAFF_LIST, {"action": "deactivate", "account": admin_user.pk})

    assert messages_of(response) == ["不能停用自己的帳號。"]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_teachers_are_not_managed_here(admin_client, teacher):
    assert admin_client.post(STAFF_LIST, {"action": "deactivate", "account": teacher.pk}).status_code == 404


# The command ------------------------------------------------------------------------------------


def run(*args, **options) -> str:
    out = StringIO()
    call_command("create_staff_account", *args, stdout=out, **options)
    return out.getvalue()


def test_command_creates_a_county_account(db):
    output = run(
        "taoyuan-center",
        "--role=county",
        "--county=桃園市",
        "--name=桃園市教專中心",
        "--email=center@taoyuan.example.tw",
        f"--password={GOOD_PASSWORD}",
    )

    assert "已建立帳號 taoyuan-center（縣市，桃園市）。" in output
    account = User.objects.get(username="taoyuan-center")
    assert account.county.name == "桃園市" and account.check_password(GOOD_PASSWORD)


def test_command_accepts_the_role_label_and_台_for_臺(db):
    run("tc", "--role=縣市", "--county=台中市", "--name=臺中", "--email=tc@example.tw", f"--password={GOOD_PASSWORD}")

    assert User.objects.get(username="tc").county.name == "臺中市"


def test_command_asks_for_the_password_twice(db, monkeypatch):
    answers = iter([GOOD_PASSWORD, GOOD_PASSWORD])
    monkeypatch.setattr(command_module, "stdin_is_interactive", lambda: True)
    monkeypatch.setattr(command_module.getpass, "getpass", lambda prompt: next(answers))

    run("chair", "--role=admin", "--name=工作小組", "--email=chair@example.tw")

    assert User.objects.get(username="chair").check_password(GOOD_PASSWORD)


def test_command_refuses_two_different_passwords(db, monkeypatch):
    answers = iter([GOOD_PASSWORD, "something-else"])
    monkeypatch.setattr(command_module, "stdin_is_interactive", lambda: True)
    monkeypatch.setattr(command_module.getpass, "getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="兩次輸入的密碼不一致。"):
        run("chair", "--role=admin", "--name=工作小組", "--email=chair@example.tw")


def test_command_without_a_terminal_needs_the_password_option(db, monkeypatch):
    monkeypatch.setattr(command_module, "stdin_is_interactive", lambda: False)

    with pytest.raises(CommandError, match="請以 --password 指定初始密碼"):
        run("chair", "--role=admin", "--name=工作小組", "--email=chair@example.tw")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role=teacher"], "身分必須是 reviewer（委員）、county（縣市）或 admin（管理者）。"),
        (["--role=county"], "縣市：身分為縣市時必須選擇縣市。"),
        (["--role=county", "--county=火星市"], "找不到縣市「火星市」"),
        (["--role=admin", "--county=臺北市"], "縣市：只有身分為縣市的帳號可以指定縣市。"),
        (["--role=admin", "--password=1234"], "初始密碼：密碼太短，必須至少 8 個字元。"),
        (["--role=admin", "--email=not-an-address"], "Email：請輸入有效的 Email。"),
    ],
)
def test_command_explains_bad_input_in_chinese(db, args, message):
    base = {"--name": "某人", "--email": "someone@example.tw", "--password": GOOD_PASSWORD}
    given = {arg.split("=")[0] for arg in args}
    options = args + [f"{key}={value}" for key, value in base.items() if key not in given]

    with pytest.raises(CommandError) as refused:
        run("someone", *options)

    assert message in str(refused.value)
    assert not User.objects.filter(username="someone").exists()


def test_command_refuses_a_taken_username(taipei_officer):
    with pytest.raises(CommandError, match="帳號：此帳號已被使用。"):
        run("taipei-officer", "--role=reviewer", "--name=某人", "--email=x@example.tw", f"--password={GOOD_PASSWORD}")
