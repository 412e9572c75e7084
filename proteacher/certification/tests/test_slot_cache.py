"""A type's slots are kept per process, and a change to a slot shows on the next page read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.certification.models import Case, FormSlot
from proteacher.certification.selectors import case_slots
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


def fresh(case):
    return Case.objects.select_related("certification_type").get(pk=case.pk)


def test_the_slots_are_read_once_while_they_do_not_change(teacher):
    case = factories.case(teacher, "advanced")
    case_slots(fresh(case))
    again = fresh(case)

    with CaptureQueriesContext(connection) as captured:
        slots = case_slots(again)

    assert [slot.code for slot in slots][:2] == ["implementation", "community"]
    assert not [query for query in captured if "certification_formslot" in query["sql"]]


def test_a_changed_slot_shows_on_the_next_page(client, teacher):
    case = factories.case(teacher, "advanced")
    client.force_login(teacher)
    url = reverse("certification:case", args=[case.pk])
    assert "社群參與證明" in client.get(url).content.decode()

    slot = FormSlot.objects.get(certification_type=case.certification_type, code="community")
    slot.label = "社群參與證明（含照片）"
    slot.save()

    assert "社群參與證明（含照片）" in client.get(url).content.decode()


def test_a_slot_added_or_removed_shows_on_the_next_read(teacher):
    case = factories.case(teacher, "advanced")
    before = [slot.code for slot in case_slots(fresh(case))]
    added = FormSlot.objects.create(
        certification_type=case.certification_type, code="extra", label="補充資料", sort_order=99, template_codes=[]
    )
    assert [slot.code for slot in case_slots(fresh(case))] == [*before, "extra"]

    added.delete()

    assert [slot.code for slot in case_slots(fresh(case))] == before
