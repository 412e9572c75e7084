"""學校承辦人 by file (資料匯入): columns 學校代碼 and 全教網帳號, one grant a row.

A registry importer (the same reading, line-numbered refusals, all or nothing) that lives here
because it grants accounts' roles, which registry knows nothing of. Each row is granted through
accounts.school_officers.grant, as on the county's page: by the account that confirmed the file,
with its audit entry, and only to a teacher whose 服務學校 is that school. A grant that is already
live is 未變更; nothing is revoked by a file (the page does that).
"""

from __future__ import annotations

from collections.abc import Iterable

from proteacher.accounts import school_officers
from proteacher.accounts.models import Role, SchoolOfficer, User
from proteacher.registry.importing import LOOKUP_CHUNK, Column, Importer, Invalid, check_fields, required_text, shown
from proteacher.registry.models import School


class SchoolOfficerImporter(Importer):
    title = "學校承辦人"
    columns = (
        Column("school", "學校代碼", ("學校",)),
        Column("account", "全教網帳號", ("帳號", "教師帳號")),
    )
    model = SchoolOfficer
    key_fields = ("school", "user")
    value_fields = ()
    duplicate_label = "學校承辦人"

    def __init__(self) -> None:
        super().__init__()
        # Who loads the file (review.imports sets it): the grants are theirs.
        self.actor: User | None = None

    def prepare(self) -> None:
        self.schools = dict(School.objects.values_list("code", "id"))
        self.codes = {pk: code for code, pk in self.schools.items()}
        # {account: (user id, profile school id)} of every teacher: two short columns, one query.
        self.teachers = {
            account: (pk, school)
            for account, pk, school in User.objects.filter(
                role=Role.TEACHER, is_active=True, inservice_account__isnull=False
            ).values_list("inservice_account", "id", "profile__school_id")
        }
        self.accounts = {pk: account for account, (pk, _) in self.teachers.items()}

    def check_row(self, values: dict[str, str], line: int) -> tuple:
        school_id, (user_id, teacher_school) = check_fields(
            [lambda: self.school_id(values["school"]), lambda: self.teacher(values["account"])]
        )
        if teacher_school != school_id:
            raise Invalid(
                f"全教網帳號「{shown(values['account'])}」的服務學校不是學校代碼「{shown(values['school'])}」的學校"
            )
        return school_id, user_id

    def school_id(self, value: str) -> int:
        required_text(value, "學校代碼", 10)
        found = self.schools.get(value)
        if found is None:
            raise Invalid(f"學校代碼「{shown(value)}」不在學校主檔中")
        return found

    def teacher(self, value: str) -> tuple[int, int | None]:
        required_text(value, "全教網帳號", 64)
        found = self.teachers.get(value)
        if found is None:
            raise Invalid(f"全教網帳號「{shown(value)}」不是本平臺的教師")
        return found

    def describe_key(self, key: tuple) -> str:
        school_id, user_id = key
        return f"{self.codes.get(school_id, school_id)} {self.accounts.get(user_id, user_id)}"

    def existing(self, rows: list[tuple]) -> Iterable[tuple]:
        users = sorted({user_id for _, user_id in rows})
        for start in range(0, len(users), LOOKUP_CHUNK):
            live = SchoolOfficer.objects.filter(
                revoked_at__isnull=True, user_id__in=users[start : start + LOOKUP_CHUNK]
            )
            yield from live.values_list("school_id", "user_id")

    def write(self, to_create: list[tuple], to_update: list[tuple]) -> None:
        if self.actor is None:
            raise ValueError("a 學校承辦人 file is loaded by an account")
        schools = School.objects.in_bulk({school_id for school_id, _ in to_create})
        for school_id, user_id in to_create:
            school_officers.grant(self.actor, schools[school_id], self.accounts[user_id])
