"""Create a 委員, 縣市 or 管理者 account from the command line (the first 管理者 is made this way).

    manage.py create_staff_account USERNAME --role county --county 臺北市 --name 臺北市教專中心 \\
        --email center@example.gov.tw [--password ...]

Without --password the command asks for it twice, without echoing it.
"""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from proteacher.accounts import services
from proteacher.accounts.models import STAFF_ROLES
from proteacher.registry.models import County, normalize_place_name

# Kept apart from the dict below: bandit reads a "password" key with a text as a password itself.
PASSWORD_LABEL = "初始密碼"  # nosec B105 # a field's label, not a password
FIELD_LABELS = {
    "username": "帳號",
    "name": "姓名",
    "email": "Email",
    "role": "身分",
    "county": "縣市",
    "password": PASSWORD_LABEL,
}
# Either the code or the label shown on screen names a role.
ROLE_NAMES = {role.value: role.value for role in STAFF_ROLES} | {role.label: role.value for role in STAFF_ROLES}


def stdin_is_interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


class Command(BaseCommand):
    help = "建立委員、縣市或管理者帳號（以密碼登入）。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="帳號")
        parser.add_argument("--role", required=True, help="身分：reviewer（委員）、county（縣市）或 admin（管理者）")
        parser.add_argument("--county", default="", help="縣市名稱，例如 臺北市；身分為縣市時必填")
        parser.add_argument("--name", required=True, help="姓名")
        parser.add_argument("--email", required=True, help="Email（忘記密碼時寄送重設連結）")
        parser.add_argument("--password", default=None, help="初始密碼；省略時會在終端機中詢問")

    def handle(self, *args, **options):
        role = ROLE_NAMES.get(options["role"].strip())
        if role is None:
            raise CommandError("身分必須是 reviewer（委員）、county（縣市）或 admin（管理者）。")
        county = self._county(options["county"])
        password = options["password"]
        if password is None:
            password = self._ask_password()

        try:
            account = services.create_staff_account(
                username=options["username"],
                name=options["name"],
                email=options["email"],
                role=role,
                county=county,
                password=password,
            )
        except ValidationError as invalid:
            lines = [
                f"{FIELD_LABELS.get(field, field)}：{message}"
                for field, messages in invalid.message_dict.items()
                for message in messages
            ]
            raise CommandError("無法建立帳號：\n" + "\n".join(lines)) from invalid

        where = f"，{account.county.name}" if account.county else ""
        self.stdout.write(self.style.SUCCESS(f"已建立帳號 {account.username}（{account.get_role_display()}{where}）。"))

    def _county(self, name: str) -> County | None:
        name = normalize_place_name(name or "")
        if not name:
            return None
        county = County.objects.filter(name=name).first()
        if county is None:
            raise CommandError(f"找不到縣市「{name}」，請使用完整名稱，例如 臺北市。")
        return county

    def _ask_password(self) -> str:
        if not stdin_is_interactive():
            raise CommandError("請以 --password 指定初始密碼，或在終端機中執行以輸入密碼。")
        password = getpass.getpass("初始密碼：")
        if password != getpass.getpass("再輸入一次初始密碼："):
            raise CommandError("兩次輸入的密碼不一致。")
        return password
