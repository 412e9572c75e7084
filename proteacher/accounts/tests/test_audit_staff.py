"""帳號管理 in the audit log: a staff account created (on the page or by the command), unlocked,
deactivated or reactivated, each by whom. A refused change writes nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from proteacher.accounts.models import User
from proteacher.accounts.tests.test_staff_accounts import STAFF_CREATE, STAFF_LIST, admin_client, new_account  # noqa: F401
from proteacher.testing.audit import entries, the_entry

pytestmark = pytest.mark.django_db


def test_an_account_created_on_the_page_is_recorded(admin_client, admin_user):  # noqa: F811
    admin_client.post(STAFF_CREATE, new_account())

    entry = the_entry("staff.create")
    created = User.objects.get(username="tainan-center")
    assert (entry.actor_id, entry.target) == (admin_user.pk, "臺南市教專中心（tainan-center，縣市）")
    assert entry.data == {"account": created.pk, "username": "tainan-center", "role": "county", "county": "臺南市"}


def test_a_refused_account_records_nothing(admin_client):  # noqa: F811
    admin_client.post(STAFF_CREATE, new_account(password="123"))

    assert not User.objects.filter(username="tainan-center").exists()
    assert not entries("staff.create")


def test_an_account_created_by_the_command_is_recorded_as_the_platforms(db):
    call_command(
        "create_staff_account",
        "admin2",
        role="admin",
        name="工作小組二",
        email="a2@example.tw",
        password="Moe-Admin-2026",
    )

    entry = the_entry("staff.create")
    assert (entry.actor_id, entry.target, entry.ip) == (None, "工作小組二（admin2，管理者）", None)


def test_unlock_deactivate_and_reactivate_are_recorded(admin_client, admin_user, taipei_officer):  # noqa: F811
    User.objects.filter(pk=taipei_officer.pk).update(locked_until=timezone.now() + timedelta(minutes=10))

    for action in ("unlock", "deactivate", "activate"):
        admin_client.post(STAFF_LIST, {"action": action, "account": taipei_officer.pk})

    recorded = entries("staff.change")
    assert [entry.data["change"] for entry in recorded] == ["unlock", "deactivate", "activate"]
    assert {(entry.actor_id, entry.target) for entry in recorded} == {
        (admin_user.pk, "臺北市教專中心（taipei-officer，縣市）")
    }


def test_a_refused_change_records_nothing(admin_client, admin_user, reviewer):  # noqa: F811
    admin_client.post(STAFF_LIST, {"action": "unlock", "account": reviewer.pk})  # not locked
    admin_client.post(STAFF_LIST, {"action": "deactivate", "account": admin_user.pk})  # oneself

    assert not entries("staff.change")
