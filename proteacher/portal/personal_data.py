"""Everything the platform holds about one teacher, gathered for their download (個人資訊 →
下載個人資料, 個人資料保護法's right of access): the profile, training and certificates, every
case with its history, forms, drafts, frozen submissions, 申復表 and the review results the
teacher's own pages show, the messages and their emails, who else looked at their files, and
what they did themselves.

`gather` reads it all before a byte is sent (a database error is then an ordinary error page);
`export_zip` streams the files. The same dict is written as data.json and drawn as index.html,
so the two never disagree. Reviewers are never named (委員一, 委員二 … as on 查看表單列表), and
nothing of another person is read beyond what the teacher's own pages show them.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from proteacher.accounts.models import EmailCode, SchoolOfficer, User
from proteacher.audit.actions import label
from proteacher.audit.models import AuditEntry
from proteacher.certification import formal_verdicts, history, selectors, submissions, workflow
from proteacher.certification.models import Case, SlotAnswer, SlotDraft, Submission
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate, get_template
from proteacher.notifications.models import Notification, OutgoingMail
from proteacher.registry.models import OldCertificate, TrainingRecord
from proteacher.review import appeals, viewed
from proteacher.review.models import Appeal, Assignment, FormalReview
from proteacher.review.views.committee_forms import round_results


@dataclass
class StoredFile:
    """A stored file to copy into the ZIP as it is: where it goes, where it is kept, the SHA-256
    recorded when it was stored ("" for files kept before hashes were), and the entry of the data
    that names it (the export adds the SHA-256 and size of what it copied)."""

    path: str
    storage_name: str
    name: str
    recorded_sha256: str
    entry: dict


@dataclass
class Holdings:
    teacher: User
    data: dict
    files: list[StoredFile] = field(default_factory=list)

    def add(self, record, path: str) -> dict | None:
        """The file of `record` (an answer, a frozen answer, a 申復表), copied to `path` in the ZIP;
        its entry in the data, or None when the record holds no file."""
        if not record.file:
            return None
        entry = {"name": record.file_name, "path": path}
        self.files.append(StoredFile(path, record.file.name, record.file_name, record.file_sha256, entry))
        return entry


def gather(teacher: User, *, now: datetime.datetime | None = None) -> Holdings:
    holdings = Holdings(teacher, {})
    account = teacher.inservice_account
    holdings.data = {
        "exported_at": _moment(now or timezone.now()),
        "profile": _profile(teacher),
        "email_codes": [
            {
                "email": code.email,
                "created_at": _moment(code.created_at),
                "expires_at": _moment(code.expires_at),
                "closed_at": _moment(code.closed_at),
                "closed_reason": code.get_closed_reason_display() if code.closed_reason else "",
            }
            for code in EmailCode.objects.filter(user=teacher).order_by("created_at", "id")
        ],
        "training_records": [
            {
                "course": record.course,
                "category": record.get_category_display(),
                "hours": _number(record.hours),
                "completed_on": _day(record.completed_on),
                "academic_year": record.academic_year,
            }
            for record in (
                TrainingRecord.objects.filter(inservice_account=account).order_by("-completed_on", "id")
                if account
                else []
            )
        ],
        "old_system_certificates": [
            {
                "academic_year": old.academic_year,
                "kind": old.kind,
                "number": old.number,
                "obtained_on": _day(old.obtained_on),
            }
            for old in (OldCertificate.objects.filter(inservice_account=account) if account else [])
        ],
        "certificates": [
            {
                "type": held.certification_type.name,
                "academic_year": held.academic_year,
                "number": held.number,
                "issued_at": _moment(held.issued_at),
                "source": held.get_source_display(),
            }
            for held in selectors.certificates_held_by(teacher)
        ],
        "training_certificates": [
            {"title": granted.title, "issued_at": _moment(granted.issued_at)}
            for granted in selectors.training_certificates_of(teacher)
        ],
        # 學校承辦人 grants held, live or revoked (who granted is the county's office, not a person here).
        "school_grants": [
            {
                "school": grant.school.name,
                "granted_at": _moment(grant.granted_at),
                "revoked_at": _moment(grant.revoked_at),
            }
            for grant in SchoolOfficer.objects.filter(user=teacher)
            .select_related("school")
            .order_by("granted_at", "id")
        ],
        "cases": [_case(holdings, case) for case in _cases_of(teacher)],
        "notifications": [
            {
                "title": message.title,
                "body": message.body,
                "created_at": _moment(message.created_at),
                "read_at": _moment(message.read_at),
            }
            for message in Notification.objects.filter(recipient=teacher).order_by("created_at", "id")
        ],
        "emails": [
            {
                "to": mail.to,
                "subject": mail.subject,
                "body": mail.body,
                "status": mail.get_status_display(),
                "created_at": _moment(mail.created_at),
                "sent_at": _moment(mail.sent_at),
            }
            for mail in OutgoingMail.objects.filter(notification__recipient=teacher).order_by("created_at", "id")
        ],
        "views_of_files": _views_of_files(teacher),
        "own_activity": [
            {"at": _moment(entry.at), "action": label(entry.action), "target": entry.target, "ip": entry.ip or ""}
            for entry in AuditEntry.objects.filter(actor_id=teacher.pk).order_by("at", "id")
        ],
    }
    return holdings


def _profile(teacher: User) -> dict:
    found = {
        "name": teacher.name,
        "role": teacher.get_role_display(),
        "inservice_account": teacher.inservice_account or "",
        "email": teacher.email,
        "county": teacher.county.name if teacher.county_id else "",
        "date_joined": _moment(teacher.date_joined),
        "last_login": _moment(teacher.last_login),
    }
    profile = getattr(teacher, "profile", None)
    if profile is None:
        return found
    return found | {
        "school_name": profile.school_name,
        "school": profile.school.name if profile.school_id else "",
        "county_name": profile.county_name,
        "title_code": profile.title_code_value,
        "title": profile.title_code.name if profile.title_code_id else "",
        "phone": profile.phone,
        "levels": list(profile.levels),
        "domains": list(profile.domains),
        "formal_since": _day(profile.formal_since),
        "teaching_years": profile.teaching_years,
        "email_verified_at": _moment(profile.email_verified_at),
        "pending_email": profile.pending_email,
        "old_data_decision": profile.get_old_data_decision_display() if profile.old_data_decision else "",
        "verified_at": _moment(profile.verified_at),
    }


def _cases_of(teacher: User) -> list[Case]:
    cases = Case.objects.filter(teacher_id=teacher.pk).select_related("certification_type", "school", "county")
    found = list(cases.order_by("academic_year", "created_at", "id"))
    for case in found:
        case.teacher = teacher
    return found


def _case(holdings: Holdings, case: Case) -> dict:
    folder = f"cases/{case.academic_year}-{case.certification_type.code}"
    events = history.case_events(case)
    slots = {slot.code: slot for slot in selectors.case_slots(case)}
    return {
        "type": case.certification_type.name,
        "academic_year": case.academic_year,
        "state": workflow.label(case.state),
        "school": case.school.name if case.school_id else "",
        "county": case.county.name if case.county_id else "",
        "created_at": _moment(case.created_at),
        "updated_at": _moment(case.updated_at),
        "appeal_deadline": _moment(case.appeal_deadline),
        "eligibility": case.eligibility,
        "history": [row | {"at": _moment(row["at"])} for row in history.history(events)],
        "answers": [
            _answer(holdings, folder, slots, answer)
            for answer in SlotAnswer.objects.filter(case=case).order_by("slot_code", "-in_use", "template_code")
        ],
        "drafts": [
            {
                "slot": _slot_label(slots, draft.slot_code),
                "template": selectors.template_title(draft.template_code, draft.template_version),
                "saved_at": _moment(draft.saved_at),
                "data": draft.data,
                "fields": readable(draft.template_code, draft.template_version, draft.data),
            }
            for draft in SlotDraft.objects.filter(case=case).order_by("slot_code", "template_code")
        ],
        "submissions": [_submission(holdings, folder, submission) for submission in submissions.submissions_of(case)],
        "appeals": [
            _appeal(holdings, folder, number, appeal)
            for number, appeal in enumerate(Appeal.objects.filter(case=case).order_by("updated_at", "id"), start=1)
        ],
        **_review_results(case, events),
    }


def _answer(holdings: Holdings, folder: str, slots: dict, answer: SlotAnswer) -> dict:
    path = f"{folder}/current/{answer.slot_code}-{answer.template_code}.pdf"
    return {
        "slot": _slot_label(slots, answer.slot_code),
        "template": selectors.template_title(answer.template_code, answer.template_version),
        "in_use": answer.in_use,
        "is_complete": answer.is_complete,
        "updated_at": _moment(answer.updated_at),
        "data": answer.data,
        "fields": readable(answer.template_code, answer.template_version, answer.data),
        "file": holdings.add(answer, path),
    }


def _submission(holdings: Holdings, folder: str, submission: Submission) -> dict:
    sent = []
    for answer in submissions.answers_of(submission):
        sent.append(
            {
                "slot": answer.slot_label,
                "template": submissions.title_of(answer),
                "is_complete": answer.is_complete,
                "data": answer.data,
                "data_sha256": answer.data_sha256,
                "fields": readable(answer.template_code, answer.template_version, answer.data),
                "file": holdings.add(answer, f"{folder}/sent-{submission.number}/{answer.slot_code}.pdf"),
            }
        )
    return {
        "number": submission.number,
        "round": workflow.ROUNDS.get(submission.round, submission.round),
        "action": workflow.label_of(submission.action),
        "at": _moment(submission.at),
        "answers": sent,
    }


def _appeal(holdings: Holdings, folder: str, number: int, appeal: Appeal) -> dict:
    template = appeals.template_of(appeal)
    data = {key: value for key, value in appeal.data.items() if key != appeals.VERSION_KEY}
    return {
        "title": template.title,
        "round": appeal.get_round_display() if appeal.round else "",
        "filed_at": _moment(appeal.filed_at),
        "updated_at": _moment(appeal.updated_at),
        "result": {True: "受理", False: "未受理"}.get(appeal.accepted, ""),
        "decided_at": _moment(appeal.decided_at),
        "data": data,
        "fields": readable(template.code, template.version, data),
        "file": holdings.add(appeal, f"{folder}/appeal-{number}.pdf"),
    }


def _review_results(case: Case, events) -> dict:
    """查看表單列表 as the teacher reads it: the 形式審查表 once decided (without the officer) and
    the decided rounds' 審查標準表, the reviewers as 委員一, 委員二 … (review's own page code)."""
    formal = None
    if history.formal_decided(events):
        found = FormalReview.objects.filter(case=case).first()
        if found is not None:
            formal = {
                "result": workflow.label_of("formal_pass" if found.passed else "formal_return"),
                "at": _moment(found.created_at),
                "slots": formal_verdicts.rows(selectors.case_slots(case), found.slots),
                "reason": found.reason,
            }
    rounds = history.shown_rounds(events, office=False)
    by_round: dict[str, list[Assignment]] = {}
    assignments = Assignment.objects.filter(case=case, round__in=rounds, submitted_at__isnull=False)
    for assignment in assignments.order_by("assigned_at", "pk"):
        by_round.setdefault(assignment.round, []).append(assignment)
    results = []
    for result, round_code in zip(round_results(case, events, rounds, by_round, office=False), rounds, strict=True):
        forms = []
        # round_results lists the forms in the order of by_round[round_code], named 委員一, 委員二 …
        for shown, assignment in zip(result["forms"], by_round.get(round_code, []), strict=True):
            forms.append(
                {
                    "who": shown["who"],
                    "title": shown["title"],
                    "submitted_at": _moment(shown["submitted_at"]),
                    "recommendation": shown["recommendation"],
                    "data": assignment.data,
                    "fields": readable(assignment.template_code, assignment.template_version, assignment.data),
                }
            )
        results.append(
            {"title": result["title"], "decision": result["decision"], "reason": result["reason"], "forms": forms}
        )
    return {"formal_review": formal, "review_rounds": results}


def _views_of_files(teacher: User) -> list[dict]:
    """Who else opened the teacher's forms and files, oldest first, exactly as 檢視紀錄 says it
    (review.viewed): by role and county, a 委員 as 委員一, 委員二 … numbered per case."""
    return [
        {"at": _moment(line.at), "who": line.who, "action": line.action, "target": line.target}
        for line in viewed.lines(viewed.views_of_teacher(teacher))
    ]


def readable(template_code: str, version: int | None, data: dict) -> list[dict]:
    """An online form's answers as label and text, in the form's order (nothing for an upload or a
    template the platform no longer knows: its raw answers are in data.json all the same)."""
    try:
        template = get_template(template_code, version)
    except UnknownTemplate:
        return []
    if template.is_upload:
        return []
    return [{"label": row["label"], "value": row["after"]} for row in engine.compare(template, {}, data or {})]


def _slot_label(slots: dict, code: str) -> str:
    slot = slots.get(code)
    return slot.label if slot is not None else code


def _moment(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")
