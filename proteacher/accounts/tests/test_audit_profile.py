"""A teacher's own details are in the audit log when they change: 基本資訊 (which fields, not
their values), a confirmed Email, and 資料轉移. A save that changes nothing writes nothing."""

import pytest

from proteacher.accounts.tests.test_profile_views import DETAILS, PROFILE, PROFILE_EMAIL
from proteacher.accounts.tests.test_verification_codes import code_in
from proteacher.certification.tests.test_transfer import TRANSFER, chen, old_rows  # noqa: F401
from proteacher.testing.audit import entries, the_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def huang(client, teacher):
    client.force_login(teacher)
    return teacher


def test_changed_details_are_recorded_by_name_only(client, huang):
    client.post(PROFILE, DETAILS)

    entry = the_entry("profile.change")
    assert (entry.actor_id, entry.subject_id, entry.target) == (huang.pk, huang.pk, "基本資訊")
    assert entry.data == {"changed": ["phone", "levels", "domains", "formal_since", "teaching_years"]}
    assert "02-23456789" not in str(entry.data)


def test_details_saved_unchanged_record_nothing(client, huang):
    client.post(PROFILE, DETAILS)
    client.post(PROFILE, DETAILS)

    assert len(entries("profile.change")) == 1


def test_a_confirmed_email_is_recorded_when_it_takes_effect(client, huang, mailoutbox):
    client.post(PROFILE, {**DETAILS, "email": "new@school.example.tw"})
    assert [entry.target for entry in entries("profile.change")] == ["基本資訊"]

    client.post(PROFILE_EMAIL, {"action": "verify", "code": code_in(mailoutbox[0])})

    assert entries("profile.change")[-1].target == "Email"


def test_the_transfer_is_recorded_with_its_counts(client, chen, old_rows):  # noqa: F811
    client.post(TRANSFER, {"decision": "imported"})

    entry = the_entry("profile.change")
    assert (entry.actor_id, entry.subject_id, entry.target) == (chen.pk, chen.pk, "資料轉移（認證證號）")
    assert entry.data == {"decision": "imported", "imported": 2, "matched": 2}
