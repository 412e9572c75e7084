"""The reviewer roster (審查委員名冊): one file opens the 委員 accounts and sets their 服務學校 and 可審類別.

Columns 帳號, 姓名, Email, 服務學校, 縣市, 可審類別. It is a registry importer (same reading, the
same line-numbered refusals, all or nothing) that lives here because it creates accounts and
Reviewer rows, which registry knows nothing of.

- A new 帳號 opens a 委員 account without a password, its Reviewer row and 可審類別, and queues
  the email (notifications' outbox, in the load's transaction) with a link to set the password:
  Django's password-reset token, used on the ordinary 重設密碼 page.
- An existing 委員 account is updated (姓名, Email, 服務學校, 可審類別); 可分發 is left as it is.
- An existing account of another role (a 縣市, a 管理者, a teacher) is refused with its line.
- 服務學校 is a school code, or a school's exact name within the row's 縣市; both may be blank (a
  委員 from a university). 可審類別 names certification types by name, short name or code,
  several separated by 、 or , ; blank means any type.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from proteacher.accounts.models import Role, User
from proteacher.certification.models import CertificationType
from proteacher.notifications.models import OutgoingMail
from proteacher.registry.importing import (
    LOOKUP_CHUNK,
    Column,
    Importer,
    Invalid,
    check_fields,
    required_text,
    shown,
)
from proteacher.registry.models import County, School, normalize_place_name
from proteacher.review.models import Reviewer

SEPARATORS = re.compile(r"[、,，;；]")
_username = UnicodeUsernameValidator()


class ReviewerRosterImporter(Importer):
    title = "審查委員"
    columns = (
        Column("username", "帳號", ("委員帳號",)),
        Column("name", "姓名", ("委員姓名",)),
        Column("email", "Email", ("電子郵件", "E-mail", "信箱")),
        Column("school", "服務學校", ("學校", "學校代碼")),
        Column("county", "縣市", ("縣市名稱",)),
        Column("types", "可審類別", ("認證類別",), required=False),
    )
    model = User
    key_fields = ("username",)
    value_fields = ("name", "email", "school", "types")
    duplicate_label = "帳號"

    def __init__(self) -> None:
        super().__init__()
        # The accounts opened by the last write, for their password emails.
        self.opened: list[User] = []

    def prepare(self) -> None:
        # {folded username: (username, role)} of every account: few thousand staff and teachers'
        # usernames are SSO subjects, so this is one query of two short columns.
        self.accounts = {
            username.casefold(): (username, role) for username, role in User.objects.values_list("username", "role")
        }
        self.counties = {}
        for pk, code, name in County.objects.values_list("id", "code", "name"):
            self.counties[normalize_place_name(name)] = pk
            self.counties[code] = pk
        self.school_by_code = {
            code: (pk, county) for pk, code, county in School.objects.values_list("id", "code", "county_id")
        }
        self.school_by_name: dict[tuple[int, str], list[int]] = {}
        for pk, name, county in School.objects.values_list("id", "normalized_name", "county_id"):
            self.school_by_name.setdefault((county, name), []).append(pk)
        self.types = {}
        for pk, code, name, short_name in CertificationType.objects.values_list("id", "code", "name", "short_name"):
            for label in (code, name, short_name):
                self.types[normalize_place_name(label).casefold()] = pk
        self.type_labels = "、".join(CertificationType.objects.values_list("name", flat=True))
        self.line_of_account: dict[str, tuple[int, str]] = {}

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        username, name, email, county_id, types = check_fields(
            [
                lambda: self.username(values["username"]),
                lambda: required_text(values["name"], "姓名", 50),
                lambda: self.email(values["email"]),
                lambda: self.county_id(values["county"]),
                lambda: self.type_ids(values.get("types", "")),
            ]
        )
        school_id = self.school_id(values["school"], county_id)
        first, spelling = self.line_of_account.setdefault(username.casefold(), (line, username))
        if spelling != username:
            # A new account written with other capitals: one account, not two. (The same spelling
            # twice is the ordinary duplicate run_import reports.)
            raise Invalid(f"帳號「{shown(username)}」與第 {first} 行重複（帳號不分大小寫）")
        return username, name, email, school_id, types

    def username(self, value: str) -> str:
        required_text(value, "帳號", 150)
        try:
            _username(value)
        except ValidationError:
            raise Invalid(f"帳號「{shown(value)}」只能包含英文字母、數字和 @ . + - _ 符號") from None
        found = self.accounts.get(value.casefold())
        if found is None:
            return value
        username, role = found
        if role != Role.REVIEWER:
            raise Invalid(f"帳號「{shown(username)}」已是{Role(role).label}帳號，不是審查委員，名冊不能變更它")
        return username  # as stored: the row updates that account

    @staticmethod
    def email(value: str) -> str:
        required_text(value, "Email", 254)
        try:
            validate_email(value)
        except ValidationError:
            raise Invalid(f"Email「{shown(value)}」不是有效的電子郵件地址") from None
        return value

    def county_id(self, value: str) -> int | None:
        if not value:
            return None
        found = self.counties.get(normalize_place_name(value))
        if found is None:
            raise Invalid(f"縣市「{shown(value)}」不在縣市主檔中")
        return found

    def school_id(self, value: str, county_id: int | None) -> int | None:
        if not value:
            return None
        by_code = self.school_by_code.get(value)
        if by_code is not None:
            pk, county = by_code
            if county_id is not None and county != county_id:
                raise Invalid(f"服務學校代碼「{shown(value)}」的學校不在此縣市")
            return pk
        if county_id is None:
            raise Invalid(f"服務學校「{shown(value)}」不是學校代碼；以校名填寫時請一併填寫縣市")
        found = self.school_by_name.get((county_id, normalize_place_name(value)), [])
        if not found:
            raise Invalid(f"服務學校「{shown(value)}」不在此縣市的學校主檔中")
        if len(found) > 1:
            raise Invalid(f"此縣市有多所學校名為「{shown(value)}」，請改填學校代碼")
        return found[0]

    def type_ids(self, value: str) -> tuple[int, ...]:
        ids = set()
        for part in SEPARATORS.split(value):
            label = normalize_place_name(part).casefold()
            if not label:
                continue
            found = self.types.get(label)
            if found is None:
                raise Invalid(f"可審類別「{shown(part.strip())}」不是認證類別（{self.type_labels}）")
            ids.add(found)
        return tuple(sorted(ids))

    # Loading: accounts, their Reviewer rows and 可審類別.

    def existing(self, rows: list[tuple]) -> Iterable[tuple]:
        usernames = [row[0] for row in rows]
        for start in range(0, len(usernames), LOOKUP_CHUNK):
            users = User.objects.filter(role=Role.REVIEWER, username__in=usernames[start : start + LOOKUP_CHUNK])
            records = {
                record.user_id: record
                for record in Reviewer.objects.filter(user__in=users).prefetch_related("certification_types")
            }
            for user in users:
                record = records.get(user.pk)
                school = record.school_id if record else None
                types = tuple(sorted(t.pk for t in record.certification_types.all())) if record else ()
                yield user.username, user.name, user.email, school, types

    def write(self, to_create: list[tuple], to_update: list[tuple]) -> None:
        self.opened = []
        for username, name, email, school_id, types in to_create:
            # No usable password: the 委員 sets one through the emailed link.
            user = User.objects.create(
                username=username, name=name, email=email, role=Role.REVIEWER, password=make_password(None)
            )
            record = Reviewer.objects.create(user=user, school_id=school_id)
            record.certification_types.set(types)
            self.opened.append(user)
        for username, name, email, school_id, types in to_update:
            user = User.objects.get(username=username, role=Role.REVIEWER)
            if (user.name, user.email) != (name, email):
                user.name, user.email = name, email
                user.save(update_fields=["name", "email"])
            record = Reviewer.objects.get_or_create(user=user)[0]
            if record.school_id != school_id:
                record.school_id = school_id
                record.save(update_fields=["school"])
            record.certification_types.set(types)
        for user in self.opened:
            queue_password_email(user)


def queue_password_email(user: User) -> OutgoingMail:
    """The 委員's 帳號開通 email with a link to set the password, queued in the caller's transaction."""
    link = settings.SITE_URL + reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "link": link, "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600}
    subject = render_to_string("email/reviewer_account_subject.txt", context).strip()
    body = render_to_string("email/reviewer_account_body.txt", context)
    return OutgoingMail.objects.create(to=user.email, subject=subject, body=body)
