"""On PostgreSQL, the database's own refusal to change, delete or truncate a case's events (the
case's history): only a superuser (who can lift any rule anyway) may. The platform's database
role is not one (README, Audit log). SQLite has no roles: there the model refuses
(CaseEvent.save/delete). The pattern of audit.0002_append_only."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION case_event_append_only() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'case events are append-only: %% refused', TG_OP;
END
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER case_event_append_only BEFORE UPDATE OR DELETE ON certification_caseevent
    FOR EACH ROW EXECUTE FUNCTION case_event_append_only();
CREATE TRIGGER case_event_no_truncate BEFORE TRUNCATE ON certification_caseevent
    FOR EACH STATEMENT EXECUTE FUNCTION case_event_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS case_event_no_truncate ON certification_caseevent;
DROP TRIGGER IF EXISTS case_event_append_only ON certification_caseevent;
DROP FUNCTION IF EXISTS case_event_append_only();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(TRIGGERS)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("certification", "0012_type_slots_token")]

    operations = [migrations.RunPython(guard, unguard)]
