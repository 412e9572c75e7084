"""查看表單列表: the 形式審查表 and each round's 審查標準表 as the teacher reads them from 流程進度
(without reviewers' names) and the office reads them (with names)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from proteacher.accounts.models import Role
from proteacher.certification import formal_verdicts, history, workflow
from proteacher.certification.selectors import case_for, case_slots
from proteacher.documents import engine
from proteacher.documents.catalogue import UnknownTemplate, get_template
from proteacher.review.models import Assignment, FormalReview

# 委員一, 委員二 …: how the teacher tells the reviewers' forms apart without their names.
NUMERALS = "一二三四五六七八九十"


def standard_forms(assignments: list[Assignment], *, office: bool) -> list[dict]:
    forms = []
    for number, assignment in enumerate(assignments):
        try:
            template = get_template(assignment.template_code, assignment.template_version)
        except UnknownTemplate:
            template = None
        if office:
            who = assignment.reviewer.name or assignment.reviewer.username
        else:
            who = f"委員{NUMERALS[number]}" if number < len(NUMERALS) else f"委員{number + 1}"
        forms.append(
            {
                "who": who,
                "submitted_at": assignment.submitted_at,
                "title": template.title if template else "",
                "sections": engine.bound_sections(template, assignment.data, editable=False) if template else [],
                "recommendation": assignment.recommendation,
            }
        )
    return forms


def round_results(case, events, rounds, by_round, *, office: bool) -> list[dict]:
    """Each round's 審查標準表 with its 判定 and 原因訊息 (the reviewers named only for the office)."""
    decisions = {event.action: event for event in events}
    standard = []
    for round_code in rounds:
        decided = next((decisions[a] for a in workflow.decisions_of(round_code) if a in decisions), None)
        standard.append(
            {
                "anchor": round_code,
                "title": f"{case.certification_type.standard_form_name} {workflow.ROUNDS[round_code]}",
                "forms": standard_forms(by_round.get(round_code, []), office=office),
                "decision": workflow.label_of(decided.action) if decided else "",
                "reason": decided.reason if decided else "",
            }
        )
    return standard


def earlier_results(case, round_code: str) -> list[dict]:
    """For a 複審 or 申復 委員: the rounds decided before theirs, reviewers unnamed."""
    events = history.case_events(case)
    rounds = [r for r in history.shown_rounds(events, office=False) if r != round_code]
    assignments = Assignment.objects.filter(case=case, round__in=rounds, submitted_at__isnull=False).order_by(
        "assigned_at", "pk"
    )
    by_round: dict[str, list[Assignment]] = {}
    for assignment in assignments:
        by_round.setdefault(assignment.round, []).append(assignment)
    return round_results(case, events, rounds, by_round, office=False)


@login_required
def reviews(request, pk):
    """查看表單列表: the 形式審查表 and each round's 審查標準表, read-only. The teacher reads their
    own case's, with the reviewers as 委員一, 委員二 … and only rounds already decided; the office
    reads its cases' with names. A 委員 reads their own form on their own page, not here."""
    case = case_for(request.user, pk)
    office = request.user.role in (Role.COUNTY, Role.ADMIN)
    if not office and case.teacher_id != request.user.pk:
        raise Http404("沒有這個申請。")
    events = history.case_events(case)
    formal = None
    if history.formal_decided(events):
        formal = FormalReview.objects.filter(case=case).select_related("officer").first()
    rounds = history.shown_rounds(events, office=office)
    assignments = (
        Assignment.objects.filter(case=case, round__in=rounds, submitted_at__isnull=False)
        .select_related("reviewer")
        .order_by("assigned_at", "pk")
    )
    by_round: dict[str, list[Assignment]] = {}
    for assignment in assignments:
        by_round.setdefault(assignment.round, []).append(assignment)
    standard = round_results(case, events, rounds, by_round, office=office)
    return render(
        request,
        "review/teacher_reviews.html",
        {
            "case": case,
            "type": case.certification_type,
            "office": office,
            "formal": formal,
            "formal_rows": formal_verdicts.rows(case_slots(case), formal.slots) if formal else [],
            "formal_labels": {step.action: step.label for step in workflow.offered_on("review:formal")},
            "standard": standard,
        },
    )
