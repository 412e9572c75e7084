"""Every send freezes the case: 送出審查文件, 送出複審資料 and 申復重新送審 each keep every answer and
every file as that round's submission, with their SHA-256, never changed by later edits.

`freeze` is an effect of those workflow rows (it runs in the transition's transaction, on the
locked case, after the forms check). The office, each round's reviewers and the teacher read a
round from here; `changes` says what differs from the round before.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db.models import Max

from proteacher.certification.models import Case, SlotAnswer, Submission, SubmittedAnswer
from proteacher.certification.selectors import case_slots, template_title
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate, get_template


def data_sha256(data: dict) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def file_sha256(stored) -> str:
    """The SHA-256 of a stored file's bytes (at most a few MB: the upload limit)."""
    digest = hashlib.sha256()
    with stored.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def freeze(change) -> Submission:
    """The workflow effect of the sending rows: the case's answers in use, as they are now, for
    the review round the row names."""
    case = change.case
    number = (Submission.objects.filter(case=case).aggregate(last=Max("number"))["last"] or 0) + 1
    submission = Submission.objects.create(
        case=case,
        number=number,
        action=change.step.action,
        round=change.step.round,
        at=change.at,
        actor=change.actor,
    )
    in_use = {answer.slot_code: answer for answer in SlotAnswer.objects.in_use().filter(case=case)}
    for slot in case_slots(case):
        answer = in_use.get(slot.code)
        if answer is None:
            continue
        SubmittedAnswer.objects.create(
            submission=submission,
            slot_code=slot.code,
            slot_label=slot.label,
            sort_order=slot.sort_order,
            template_code=answer.template_code,
            template_version=answer.template_version,
            data=answer.data,
            data_sha256=data_sha256(answer.data),
            file=answer.file.name if answer.file else "",
            file_name=answer.file_name,
            file_sha256=_stored_sha256(answer),
            is_complete=answer.is_complete,
        )
    change.data["submission"] = number
    return submission


def _stored_sha256(answer: SlotAnswer) -> str:
    """The hash kept at upload, or (a file stored before hashes were kept) read from the file now."""
    if not answer.file:
        return ""
    return answer.file_sha256 or file_sha256(answer.file)


def file_is_kept(name: str) -> bool:
    """Whether a submission names the stored file (then a later edit must not delete it)."""
    return bool(name) and SubmittedAnswer.objects.filter(file=name).exists()


# --- reading ---------------------------------------------------------------------------------------


def submissions_of(case: Case) -> list[Submission]:
    return list(Submission.objects.filter(case=case).order_by("number"))


def submission_of(case: Case, number: int) -> Submission | None:
    return Submission.objects.filter(case=case, number=number).first()


def latest_for_round(case: Case, round_code: str) -> Submission | None:
    """What a round reviewed: its latest submission (a 退件 case sent again replaces the first)."""
    return Submission.objects.filter(case=case, round=round_code).order_by("-number").first()


def answers_of(submission: Submission) -> list[SubmittedAnswer]:
    return list(submission.answers.order_by("sort_order", "id"))


def answer_of(submission: Submission, slot_code: str) -> SubmittedAnswer | None:
    return submission.answers.filter(slot_code=slot_code).first()


def title_of(answer: SubmittedAnswer) -> str:
    return template_title(answer.template_code, answer.template_version)


def is_online(answer: SubmittedAnswer) -> bool:
    try:
        return not get_template(answer.template_code, answer.template_version).is_upload
    except UnknownTemplate:
        return False


@dataclass
class SlotChange:
    """One slot of two submissions side by side."""

    slot_code: str
    slot_label: str
    before: SubmittedAnswer | None
    after: SubmittedAnswer | None
    # For online forms of the same template: every field, old and new, changed ones marked.
    fields: list[dict]

    @property
    def status(self) -> str:
        before, after = self.before, self.after
        if before is None and after is None:
            return "未填寫"
        if before is None:
            return "新增"
        if after is None:
            return "已移除"
        if before.template_code != after.template_code:
            return "已更換表件"
        if after.file_sha256 or before.file_sha256:
            return "未修改" if before.file_sha256 == after.file_sha256 else "已更換檔案"
        return "未修改" if before.data_sha256 == after.data_sha256 else "已修改"

    @property
    def changed(self) -> bool:
        return self.status != "未修改"

    @property
    def changed_count(self) -> int:
        return sum(1 for row in self.fields if row["changed"])


def changes(before: Submission, after: Submission) -> list[SlotChange]:
    """Slot by slot, what `after` changed since `before` (field-level for online forms, by hash
    for files), in the order of 編輯表單列表."""
    old = {answer.slot_code: answer for answer in answers_of(before)}
    new = {answer.slot_code: answer for answer in answers_of(after)}
    order = [*new.values(), *(answer for code, answer in old.items() if code not in new)]
    result = []
    for answer in order:
        code = answer.slot_code
        first, second = old.get(code), new.get(code)
        fields: list[dict] = []
        if first and second and first.template_code == second.template_code and is_online(second):
            template = get_template(second.template_code, second.template_version)
            fields = engine.compare(template, first.data, second.data)
        result.append(SlotChange(code, answer.slot_label, first, second, fields))
    return result
