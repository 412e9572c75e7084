"""What each reader may see of a case's submissions (certification.submissions): the rows the
office's and the 委員's pages list, and which earlier rounds they may compare with.

The office and the teacher see every submission of a case they may read. A 委員 sees the
submissions up to the last one of a round they were assigned to: their round, and the rounds
before it to compare with, never what the teacher sent after.
"""

from django.db.models import Max
from django.urls import reverse

from proteacher.accounts.models import Role, User
from proteacher.certification import submissions
from proteacher.certification.models import Case, Submission
from proteacher.certification.selectors import SlotRow, case_slots, slot_rows
from proteacher.review.models import Assignment


def visible_submissions(case: Case, user: User) -> list[Submission]:
    found = Submission.objects.filter(case=case).order_by("number")
    if user.role == Role.REVIEWER:
        rounds = set(Assignment.objects.filter(case=case, reviewer_id=user.pk).values_list("round", flat=True))
        last = found.filter(round__in=rounds).aggregate(last=Max("number"))["last"] or 0
        found = found.filter(number__lte=last)
    return list(found)


def visible_submission(case: Case, user: User, number) -> Submission | None:
    return next((s for s in visible_submissions(case, user) if str(s.number) == str(number)), None)


def for_round(case: Case, user: User, round_code: str | None) -> Submission | None:
    """The submission a page shows: the round's latest (a 委員's page), else the latest the reader
    may see (the office's page)."""
    visible = visible_submissions(case, user)
    if round_code is not None:
        visible = [s for s in visible if s.round == round_code]
    return visible[-1] if visible else None


def previous(case: Case, user: User, submission: Submission, visible: list[Submission] | None = None):
    """The submission the round before reviewed (what 複審 and 申復 compare with); `visible` is
    visible_submissions() when the caller has it already."""
    visible = visible_submissions(case, user) if visible is None else visible
    earlier = [s for s in visible if s.number < submission.number and s.round != submission.round]
    return earlier[-1] if earlier else None


def rows(case: Case, submission: Submission | None) -> list[SlotRow]:
    """The form list of a page, each row with the addresses of its form and PDF: as the
    submission froze them, or (a case sent before submissions were kept) as saved now."""
    if submission is None:
        found = slot_rows(case)
        for row in found:
            row.file_url = reverse("review:slot_file", args=[case.pk, row.slot.code])
            row.print_url = reverse("review:slot_print", args=[case.pk, row.slot.code])
        return found
    frozen = {answer.slot_code: answer for answer in submissions.answers_of(submission)}
    found = []
    for slot in case_slots(case):
        row = SlotRow(slot, frozen.get(slot.code))
        args = [case.pk, submission.number, slot.code]
        row.file_url = reverse("review:submission_file", args=args)
        row.print_url = reverse("review:submission_print", args=args)
        found.append(row)
    return found
