"""A 委員's 審查標準表: saving the draft, 送出, and the round's end when the last one is in.

The form is an online template of documents.definitions ("audience": "reviewer"), answered with
the same engine as the teacher's forms. A choice that declares "rounds" is offered only in those
rounds: 複審 and 申復 recommend 通過 or 不通過, 初審 also 修正後通過 and 修正後複審.
"""

import copy
from dataclasses import dataclass
from functools import cache

from django.db import transaction
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.certification import workflow
from proteacher.certification.models import Case
from proteacher.documents import engine
from proteacher.documents.catalogue import FormTemplate, get_template
from proteacher.errors import DomainError
from proteacher.review.models import Assignment

# The key of the recommended result in every 審查標準表 (copied to Assignment.recommendation).
RECOMMENDATION_KEY = "recommendation"

SUBMITTED = "此審查標準表已送出，僅供檢視。"


def _only_round(node, round: str):
    if isinstance(node, list):
        return [_only_round(item, round) for item in node if not _excluded(item, round)]
    if isinstance(node, dict):
        return {key: _only_round(value, round) for key, value in node.items()}
    return node


def _excluded(item, round: str) -> bool:
    return isinstance(item, dict) and "rounds" in item and round not in item["rounds"]


@cache
def _round_template(code: str, version: int | None, round: str) -> FormTemplate:
    base = get_template(code, version)
    definition = _only_round(copy.deepcopy(base.definition), round)
    return FormTemplate(base.code, base.version, base.title, base.kind, definition)


def template_for(assignment: Assignment) -> FormTemplate:
    """The assignment's 審查標準表 as made for its round (the version it was assigned with)."""
    return _round_template(assignment.template_code, assignment.template_version, assignment.round)


def recommendation_choices(assignment: Assignment) -> list[tuple[str, str]]:
    """(value, label) of the recommended results this round allows."""
    for form_field in engine.form_for(template_for(assignment)).fields:
        if form_field.key == RECOMMENDATION_KEY:
            return [(choice["value"], choice["label"]) for choice in form_field.choices]
    return []


def recommendation_label(assignment: Assignment) -> str:
    return dict(recommendation_choices(assignment)).get(assignment.recommendation, assignment.recommendation)


def read_form(assignment: Assignment, posted) -> engine.Validation:
    """What the browser posted, read by the form engine: (data, missing labels, errors)."""
    return engine.validate(template_for(assignment), posted)


def readonly_reason(assignment: Assignment, case: Case | None = None) -> str:
    """Why the 委員 can no longer change this form ("" while they can)."""
    case = case or assignment.case
    if assignment.submitted_at is not None:
        return SUBMITTED
    if case.state != workflow.state_in(assignment.round, "review"):
        return f"此申請目前的狀態為「{workflow.label(case.state)}」，審查標準表無法修改。"
    return ""


def save_review(assignment: Assignment, data: dict, *, submit: bool, expected_revision: int | None) -> Assignment:
    """儲存 (a draft) or 送出 the 審查標準表; the last 送出 of the round moves the case to its 判定.

    The case row is locked first, so the reviewers of one case submit one after the other: the
    last one sees every other form submitted and takes the case on, exactly once. A second click
    or another tab waits for the lock, then finds the form submitted (or its revision moved on)
    and is refused. Each 儲存 and 送出 writes its audit entry in the same transaction.
    """
    template = template_for(assignment)
    form = engine.form_for(template)
    kept = {key: data[key] for key in form.data_keys() if key in data}
    recommendation = kept.get(RECOMMENDATION_KEY) or ""
    if recommendation and recommendation not in dict(recommendation_choices(assignment)):
        raise DomainError("「審查結果建議」的選項不正確，請重新選擇。")
    if submit:
        missing = form.missing(kept)
        if missing:
            raise DomainError(f"尚未填寫：{'、'.join(missing)}。填寫完成後才能送出。")
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=assignment.case_id)
        locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
        reason = readonly_reason(locked, case)
        if reason:
            raise DomainError(reason)
        if expected_revision is not None and locked.revision != expected_revision:
            raise DomainError("此審查標準表已在其他視窗儲存過，請重新整理後再修改，以免覆蓋較新的內容。")
        locked.data = kept
        locked.recommendation = recommendation
        locked.revision += 1
        fields = ["data", "recommendation", "revision"]
        if submit:
            locked.submitted_at = timezone.now()
            fields.append("submitted_at")
        locked.save(update_fields=fields)
        record(
            "review.submit" if submit else "review.save",
            # Only the assigned 委員 reaches the form (selectors.assignment_for gives it them).
            actor=assignment.reviewer,
            subject=case.teacher_id,
            case=case.pk,
            target=f"{template.title}（{workflow.ROUNDS.get(locked.round, locked.round)}）",
            data={"assignment": locked.pk, "revision": locked.revision, "recommendation": recommendation},
        )
        round_open = Assignment.objects.filter(case=case, round=locked.round, submitted_at__isnull=True).exists()
        if submit and not round_open:
            # The round's end: the platform's own step (委員審查完成) to its 判定, exactly once.
            workflow.transition(case, workflow.round_action(locked.round, roles=(workflow.SYSTEM,)), actor=None)
    assignment.data, assignment.recommendation = locked.data, locked.recommendation
    assignment.revision, assignment.submitted_at = locked.revision, locked.submitted_at
    return locked


@dataclass(frozen=True)
class Pressed:
    """What 儲存 or 送出 did, in the 委員's words."""

    submitted: bool
    message: str
    level: str  # "success" or "warning", for the page's message


def press(assignment: Assignment, data: dict, missing: list[str], *, submit: bool, expected_revision: int | None):
    """The page's 儲存 / 送出: 送出 of a form with something missing keeps what was typed as a draft
    and says what is missing, so that nothing typed is lost; a complete 送出 hands the form in.
    `missing` is what the form engine found missing in `data`."""
    hand_in = submit and not missing
    save_review(assignment, data, submit=hand_in, expected_revision=expected_revision)
    if hand_in:
        return Pressed(True, "已送出審查標準表。", "success")
    if submit:
        return Pressed(False, f"已儲存為草稿，尚未送出。尚未填寫：{'、'.join(missing)}。", "warning")
    if missing:
        return Pressed(False, f"已儲存。尚未填寫：{'、'.join(missing)}", "success")
    return Pressed(False, "已儲存。", "success")
