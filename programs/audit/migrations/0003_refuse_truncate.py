"""On PostgreSQL, refuse TRUNCATE of the audit trail too, unless the session allows it.

A statement-level trigger (TRUNCATE fires no row trigger). It lets a TRUNCATE through only
in a session that set ``audit.allow_truncate`` to ``on``: the test suite does, for its
connections (``mentoring.settings_test``), because its flush between transactional tests
truncates every table. An operator who really means to purge the trail does the same,
by hand: ``SET audit.allow_truncate = on; TRUNCATE audit_event;``. Only a role that owns
the table can drop the trigger; see docs/deploy.md on the application's database role.
"""

from django.db import migrations

INSTALL = """
CREATE OR REPLACE FUNCTION audit_event_refuse_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('audit.allow_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only: TRUNCATE refused'
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'SET audit.allow_truncate = on first, if the trail is really to go.';
END
$$;
DROP TRIGGER IF EXISTS audit_event_refuse_truncate ON audit_event;
CREATE TRIGGER audit_event_refuse_truncate
    BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_truncate();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS audit_event_refuse_truncate ON audit_event;
DROP FUNCTION IF EXISTS audit_event_refuse_truncate();
"""


def _run(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # A cursor without parameters, as in 0002.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]

    operations = [migrations.RunPython(_run(INSTALL), _run(UNINSTALL), elidable=False)]
