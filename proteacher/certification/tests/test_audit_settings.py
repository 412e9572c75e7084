"""Every change under 認證設定 is in the audit log: who, which type, what changed from what to
what. A refused change writes nothing."""

import pytest

from proteacher.certification import services
from proteacher.certification.models import CertificationType
from proteacher.certification.tests.test_new_type import FORM as NEW_TYPE
from proteacher.certification.tests.test_new_type import NEW
from proteacher.certification.tests.test_settings_views import (
    ADVANCED,
    RULES,
    TEXTS,
    advanced,
    answer_in,
    rules_post,
    slot,
    slots_post,
)
from proteacher.errors import DomainError
from proteacher.testing.audit import entries, the_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


def test_a_new_type_is_recorded(client, admin):
    client.post(NEW, NEW_TYPE)

    entry = the_entry("settings.change")
    assert (entry.actor_id, entry.actor_role, entry.target) == (admin.pk, "admin", "認證設定：學習領導教練認證")
    assert entry.data["change"] == "新增認證類別" and entry.data["values"]["certificate_letter"] == "D"


def test_a_refused_new_type_records_nothing(client, admin):
    client.post(NEW, {**NEW_TYPE, "certificate_letter": "B"})  # 進階's letter

    assert not CertificationType.objects.filter(code="coach").exists()
    assert not entries("settings.change")


def test_changed_texts_are_recorded_from_what_to_what(client, admin):
    client.post(ADVANCED, TEXTS)

    entry = the_entry("settings.change")
    assert entry.target == "認證設定：進階專業回饋人才認證（新制）"
    assert entry.data["changed"] == {"name": ["進階專業回饋人才認證", "進階專業回饋人才認證（新制）"]}


def test_slot_edits_and_removals_are_recorded(client, admin):
    community = slot("community")
    client.post(ADVANCED, slots_post({"community": {"label": "社群參與證明（含照片）"}, "checklist": {"remove": "on"}}))

    entry = the_entry("settings.change")
    assert entry.data["change"] == "表單項目" and entry.data["removed"] == ["checklist"]
    assert entry.data["edited"] == {"community": {"label": [community.label, "社群參與證明（含照片）"]}}


def test_a_refused_slot_removal_records_nothing(admin, teacher):
    answer_in("community", teacher)

    with pytest.raises(DomainError):
        services.update_slots(
            advanced(),
            [{"slot": slot("checklist"), "remove": True}, {"slot": slot("community"), "remove": True}],
            actor=admin,
        )

    assert slot("checklist") and not entries("settings.change")


def test_saving_unchanged_settings_records_nothing(client, admin):
    client.post(ADVANCED, slots_post())
    client.post(ADVANCED, {**TEXTS, "name": advanced().name})

    assert not entries("settings.change")


def test_an_added_slot_is_recorded(client, admin):
    client.post(
        ADVANCED, {"action": "add_slot", "new-label": "公開授課照片", "new-template_codes": ["anecdotal_record"]}
    )

    entry = the_entry("settings.change")
    assert (entry.data["change"], entry.data["label"], entry.data["template_codes"]) == (
        "新增表單項目",
        "公開授課照片",
        ["anecdotal_record"],
    )


def test_a_new_rules_version_is_recorded(client, admin):
    client.post(RULES, rules_post())

    entry = the_entry("settings.change")
    assert entry.data["change"] == "資格規則"
    assert (entry.data["from_academic_year"], entry.data["county"]) == (115, "")
    assert entry.data["version"] >= 2
