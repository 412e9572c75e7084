"""The chain's head row, and on PostgreSQL the database's own refusal to change or delete an audit
entry: only sealing (setting seq, prev_hash and hash once, nothing else) passes, and only a
superuser (who can lift any rule anyway) may do more. The platform's database role is not one
(README, Deploying). SQLite has no roles: there the models refuse (AuditEntry.save/delete)."""

from django.db import migrations

CONTENT = ("at", "action", "actor_id", "actor_role", "actor_name", "subject_id", "case_id", "target", "data", "ip")

FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND ({", ".join(f"NEW.{c}" for c in CONTENT)}, NEW.id)
           IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in CONTENT)}, OLD.id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: %% refused', TG_OP;
END
$$ LANGUAGE plpgsql;
"""

TRIGGERS = """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""


def head(apps, schema_editor):
    apps.get_model("audit", "ChainHead").objects.get_or_create(pk=1)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(TRIGGERS)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_entries")]

    operations = [
        migrations.RunPython(head, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
