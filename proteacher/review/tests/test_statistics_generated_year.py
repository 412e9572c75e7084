"""manage.py generate_year: a realistic year that only the workflow table's steps could have made,
the same for the same seed, and never on a live platform."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from proteacher.certification import state_counts, workflow
from proteacher.certification.models import Case, CaseEvent, Certificate, TrainingCertificate
from proteacher.dates import current_academic_year
from proteacher.review import year_generator
from proteacher.review.models import Assignment

pytestmark = pytest.mark.django_db

LAST_YEAR = current_academic_year() - 1


def generate(settings, **options):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("generate_year", stdout=out, **options)
    return out.getvalue()


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("generate_year", cases=5, stdout=io.StringIO())

    assert not Case.objects.exists()


def test_every_case_got_where_it_is_by_the_workflow_tables_steps(settings):
    output = generate(settings, year=LAST_YEAR, cases=300, seed=5)

    assert "已產生" in output
    cases = {case.pk: case for case in Case.objects.filter(academic_year=LAST_YEAR)}
    assert len(cases) == 300
    history = {pk: [] for pk in cases}
    for event in CaseEvent.objects.filter(case_id__in=cases).order_by("at", "id"):
        history[event.case_id].append(event)
    now = timezone.now()
    for pk, events in history.items():
        assert events[0].action == "apply"
        state = events[0].to_state
        for before, event in zip(events, events[1:], strict=False):
            step = workflow.BY_ACTION[event.action]
            assert event.from_state == state and state in step.sources, (pk, event.action)
            assert event.to_state == step.target
            assert before.at <= event.at <= now
            state = event.to_state
        assert cases[pk].state == state
        assert cases[pk].updated_at == events[-1].at
    # A realistic year: most states occur, results and certificates among them.
    states = Counter(case.state for case in cases.values())
    assert len(states) >= 10
    assert states["issued"] and states["failed"] and states["preparing"]
    # Written in bulk, yet counted for the 認證審查 tabs as the workflow counts its own changes.
    assert not state_counts.differences()


def test_reviews_certificates_and_overdue_work_come_with_the_cases(settings):
    generate(settings, year=LAST_YEAR, cases=300, seed=6)

    issued = Case.objects.filter(state="issued")
    certificates = Certificate.objects.filter(case__in=issued)
    assert certificates.count() == issued.count() > 0
    assert TrainingCertificate.objects.filter(case__in=issued).count() == issued.count()
    assert len(set(certificates.values_list("number", flat=True))) == certificates.count()
    # Every case that reached a round's 判定 has its 委員's 審查標準表 submitted.
    decided = CaseEvent.objects.filter(action="first_reviews_done").values("case_id")
    assert not Assignment.objects.filter(case__in=decided, round="first", submitted_at__isnull=True).exists()
    # And some 委員 are late.
    due = timezone.now() - datetime.timedelta(days=settings.REVIEW_DUE_DAYS)
    assert Assignment.objects.filter(submitted_at__isnull=True, assigned_at__lt=due).exists()
    # Never a 委員 of the teacher's own school.
    assert not Assignment.objects.filter(reviewer__reviewer__school=F("case__school")).exists()


def test_the_same_seed_gives_the_same_year(settings):
    now = timezone.now()

    def signature(seed):
        with transaction.atomic():
            year_generator.generate(LAST_YEAR, 80, seed, now=now)
            rows = sorted(
                (
                    case.teacher.username,
                    case.certification_type.code,
                    case.school.code,
                    case.state,
                    tuple(case.events.order_by("at", "id").values_list("action", "at")),
                )
                for case in Case.objects.select_related("teacher", "certification_type", "school")
            )
            transaction.set_rollback(True)
        return rows

    first = signature(9)
    again = signature(9)
    other = signature(10)

    assert first == again
    assert [row[1:] for row in first] != [row[1:] for row in other]


def test_a_year_is_generated_once_per_seed(settings):
    generate(settings, year=LAST_YEAR, cases=10, seed=4)

    with pytest.raises(CommandError, match="已產生過"):
        generate(settings, year=LAST_YEAR, cases=10, seed=4)
    with pytest.raises(CommandError, match="尚未開始"):
        generate(settings, year=current_academic_year() + 1, cases=10, seed=4)
    assert Case.objects.count() == 10
