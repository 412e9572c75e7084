"""稽核紀錄 for 管理者: the audit log searched by period, action, the account that acted, case and
teacher, newest first, a page at a time.

Made for a log of millions of entries: a page is read by the (at, id) of the entry it starts
after (keyset paging: `before` for older, `after` for newer), never by an OFFSET nor a count, so
every page costs the same. Each filter narrows one of the model's indexes (at; action, at;
actor_id, at; subject_id, at; case_id, at); an account or a teacher typed by name is looked up
inside the same query. The people of a page are read in one more query: a page costs two.
"""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from proteacher.accounts.models import Role, User
from proteacher.audit.actions import label
from proteacher.audit.models import AuditEntry
from proteacher.certification.deadlines import TAIPEI

PAGE_SIZE = 50
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
CURSOR = re.compile(r"([0-9]{1,18})-([0-9]{1,18})")
BAD_CURSOR = "無法辨識的頁碼，已顯示最新的紀錄。"


@dataclass(frozen=True)
class Filters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    action: str = ""
    actor: str = ""
    case: int | None = None
    teacher: str = ""


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=TAIPEI)


def _people(text: str, *, teachers: bool) -> QuerySet:
    """The ids of the accounts `text` names: their account (帳號 or 全教網帳號) or their name."""
    people = User.objects.filter(
        Q(username__iexact=text) | Q(inservice_account__iexact=text) | Q(name=text) | Q(name=text.removesuffix("老師"))
    )
    if teachers:
        people = people.filter(role=Role.TEACHER)
    return people.values("pk")


def matching(filters: Filters) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.all()
    if filters.date_from:
        entries = entries.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        # Up to the end of that day in Taipei.
        entries = entries.filter(at__lt=_day_start(filters.date_to + datetime.timedelta(days=1)))
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.actor:
        entries = entries.filter(actor_id__in=_people(filters.actor, teachers=False))
    if filters.case:
        entries = entries.filter(case_id=filters.case)
    if filters.teacher:
        entries = entries.filter(subject_id__in=_people(filters.teacher, teachers=True))
    return entries


def cursor_of(entry: AuditEntry) -> str:
    return f"{(entry.at - EPOCH) // datetime.timedelta(microseconds=1)}-{entry.pk}"


def parse_cursor(text: str) -> tuple[datetime.datetime, int] | None:
    found = CURSOR.fullmatch(text or "")
    if found is None:
        return None
    try:
        at = EPOCH + datetime.timedelta(microseconds=int(found[1]))
    except OverflowError:
        return None
    return at, int(found[2])


def cursors(query) -> tuple[tuple | None, tuple | None, str]:
    """(before, after, problem) from a page's address: a cursor that cannot be read is dropped
    (the newest page is shown) with the message that says so."""
    before, after = parse_cursor(query.get("before", "")), parse_cursor(query.get("after", ""))
    unreadable = (query.get("before") and before is None) or (query.get("after") and after is None)
    return before, after, BAD_CURSOR if unreadable else ""


@dataclass
class Page:
    entries: list[AuditEntry]
    newer: str | None  # the cursor of the page before (newer entries), if any
    older: str | None  # the cursor of the page after (older entries), if any


def page_of(entries: QuerySet[AuditEntry], *, before=None, after=None, size: int = PAGE_SIZE) -> Page:
    """One page of `entries`, newest first: the first page, the one older than `before` or the
    one newer than `after` (each an (at, id) of parse_cursor)."""
    if after is not None:
        at, pk = after
        found = list(entries.filter(Q(at__gt=at) | Q(at=at, id__gt=pk)).order_by("at", "id")[: size + 1])
        more = len(found) > size
        found = list(reversed(found[:size]))
        return Page(found, cursor_of(found[0]) if more and found else None, cursor_of(found[-1]) if found else None)
    if before is not None:
        at, pk = before
        # at <= X narrows the index range; the OR only settles entries of the same moment.
        entries = entries.filter(Q(at__lte=at) & (Q(at__lt=at) | Q(id__lt=pk)))
    found = list(entries.order_by("-at", "-id")[: size + 1])
    more = len(found) > size
    found = found[:size]
    newer = cursor_of(found[0]) if before is not None and found else None
    return Page(found, newer, cursor_of(found[-1]) if more else None)


@dataclass
class Row:
    entry: AuditEntry
    actor: str  # 黃測試（教師）, or 系統 for the platform's own steps
    account: str  # the account's 帳號 as it is now ("" for the platform, or an account removed)
    action: str
    teacher: str


def rows(entries: list[AuditEntry]) -> list[Row]:
    """The page's entries as 稽核紀錄 lists them: one query reads every account they name."""
    ids = {e.actor_id for e in entries if e.actor_id} | {e.subject_id for e in entries if e.subject_id}
    people = {person["pk"]: person for person in User.objects.filter(pk__in=ids).values("pk", "username", "name")}
    found = []
    for entry in entries:
        actor = people.get(entry.actor_id, {})
        subject = people.get(entry.subject_id, {})
        role = Role(entry.actor_role).label if entry.actor_role in Role.values else entry.actor_role
        who = f"{entry.actor_name}（{role}）" if entry.actor_id else "系統"
        found.append(Row(entry, who, actor.get("username", ""), label(entry.action), subject.get("name", "")))
    return found
