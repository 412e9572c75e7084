"""Any text in any field of any online form, posted through the real pages: every template a
teacher fills (a slot of 編輯表單列表, and the 申復表), and every 審查標準表 as its 委員 fills it.

Each example is one POST in a transaction rolled back afterwards: no answer ever comes back as a
server error, and nothing stored holds a control character but tab and line feed.
"""

from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings

from proteacher.certification.models import FormSlot, SlotAnswer
from proteacher.certification.workflow import State
from proteacher.documents.catalogue import all_templates
from proteacher.review.assignment import assign_reviewers
from proteacher.review.models import Appeal, Assignment
from proteacher.review.tests.test_assignment import make_reviewer, waiting_case
from proteacher.review.tests.test_teacher_appeal import filled
from proteacher.testing import factories
from proteacher.testing.posted_forms import control_characters_in, inputs_of, posted
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

TEACHER_TEMPLATES = [t.code for t in all_templates() if not t.is_upload]
REVIEW_TYPES = ["basic", "advanced", "mentor"]
# Enough examples per form to mix valid, odd and very long text; few enough to keep the run short.
# No shrinking: each attempt renders a whole page, so shrinking a failure takes many minutes; the
# failing POST is reported as it was drawn. No example database: each run draws afresh.
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FORM = "application/x-www-form-urlencoded"


def post_each(client, url: str, inputs, fixed: dict, stored, base: dict | None = None) -> int:
    """POST drawn answers to `url` over `base` (a form that would be accepted as it is) and
    under `fixed`, each in a rolled-back transaction; `stored()` reads what the POST kept (None
    when nothing). Returns how many examples were kept."""
    kept = []

    @EXAMPLES
    @given(answers=posted(inputs))
    def post_one(answers):
        with transaction.atomic():
            body = urlencode({**(base or {}), **answers, **fixed}, doseq=True)
            response = client.post(url, body, content_type=FORM)
            assert response.status_code < 500
            data = stored()
            if data is not None:
                assert control_characters_in(data) == []
                kept.append(data)
            transaction.set_rollback(True)

    post_one()
    return len(kept)


@pytest.fixture
def any_slot(teacher):
    """The teacher's case in 準備資料, and a slot of its type offering every online template."""
    case = factories.case(teacher, "basic")
    slot = FormSlot.objects.create(
        certification_type=case.certification_type, code="any_text", label="任意表件", template_codes=TEACHER_TEMPLATES
    )
    return case, slot


@pytest.mark.parametrize("code", TEACHER_TEMPLATES)
def test_any_text_in_a_teachers_online_form(client, teacher, any_slot, code):
    case, slot = any_slot
    client.force_login(teacher)
    url = f"{reverse('certification:slot_edit', args=[case.pk, slot.code])}?template={code}"
    inputs = inputs_of(client.get(url).content.decode())
    assert inputs

    def stored():
        answer = SlotAnswer.objects.filter(case=case, slot_code=slot.code).first()
        return answer.data if answer else None

    fixed = {"template": code, "revision": "0", "action": "save"}
    assert post_each(client, url, inputs, fixed, stored) > 0


@pytest.mark.parametrize("type_code", REVIEW_TYPES)
def test_any_text_in_a_review_form(client, teacher, taipei_officer, type_code):
    reviewer = make_reviewer("reviewer-any", "任委員")
    case = waiting_case(teacher, taipei_officer, type_code=type_code)
    assign_reviewers(case, "first", [reviewer], taipei_officer, expected_revision=case.revision, short_confirmed=True)
    assignment = Assignment.objects.get(case=case, reviewer=reviewer)
    client.force_login(reviewer)
    url = reverse("review:review_form", args=[assignment.pk])
    inputs = inputs_of(client.get(url).content.decode())
    assert inputs

    def stored():
        fresh = Assignment.objects.get(pk=assignment.pk)
        return fresh.data if fresh.revision != assignment.revision else None

    for action in ("save", "submit"):
        fixed = {"revision": str(assignment.revision), "action": action}
        assert post_each(client, url, inputs, fixed, stored) > 0


def test_any_text_in_the_appeal_form(client, teacher, taipei_officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_FAILED, taipei_officer)
    client.force_login(teacher)
    url = reverse("review:appeal", args=[case.pk])
    inputs = inputs_of(client.get(url).content.decode())
    assert inputs

    def stored():
        filed = Appeal.objects.filter(case=case).first()
        return filed.data if filed else None

    # 儲存 of the 申覆文件: a new draft (revision 0); each example is rolled back.
    assert post_each(client, url, inputs, {"revision": "0", "action": "save"}, stored, filled(case)) > 0
