"""A case's history is evidence: its events are written once, never changed or deleted, by the
platform (the model) nor, on PostgreSQL, by its database role (a trigger)."""

import pytest
from django.db import DatabaseError, connection, transaction

from proteacher.certification.models import CaseEvent, FrozenError
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(teacher):
    return CaseEvent.objects.get(case=factories.case(teacher))


def test_the_model_refuses_to_change_or_delete_an_event(event):
    event.reason = "改過"
    with pytest.raises(FrozenError):
        event.save()
    with pytest.raises(FrozenError):
        event.delete()

    assert CaseEvent.objects.get(pk=event.pk).reason == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and triggers are PostgreSQL's")
def test_on_postgresql_the_platforms_role_cannot_change_delete_or_truncate_events(event):
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'proteacher_app_probe') "
            "THEN CREATE ROLE proteacher_app_probe NOLOGIN; END IF; END $$"
        )
        # Every right on every table, as the platform's role has (TRUNCATE cascades to the
        # tables that name events).
        cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO proteacher_app_probe")
        # The test's own inserts leave foreign-key checks pending, which would refuse TRUNCATE first.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET ROLE proteacher_app_probe")
    try:
        for sql in (
            f"UPDATE certification_caseevent SET reason = 'x' WHERE id = {event.pk}",
            f"DELETE FROM certification_caseevent WHERE id = {event.pk}",
            "TRUNCATE certification_caseevent CASCADE",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
        # Adding to the history is what the role does all day.
        with connection.cursor() as cursor:
            columns = "case_id, actor_id, at, action, from_state, to_state"
            cursor.execute(
                f"INSERT INTO certification_caseevent ({columns}, reason, extra)"
                f" SELECT {columns}, 'probe', '{{}}' FROM certification_caseevent WHERE id = {event.pk}"
            )
            assert cursor.rowcount == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert CaseEvent.objects.filter(case_id=event.case_id).count() == 2
