"""On PostgreSQL, refuse UPDATE and DELETE of audit events in the database itself.

A row-level trigger, which TRUNCATE does not fire: migration 0003 refuses that, unless the
session allows it (the test suite's flush, an operator's deliberate purge). A later migration that must rewrite rows drops the trigger first and puts
it back after. Other databases (SQLite, the demo) rely on the model's refusals.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # A cursor without parameters: the schema editor's execute() would read the
            # "%" of RAISE as a placeholder.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(_run(INSTALL), _run(UNINSTALL), elidable=False)]
