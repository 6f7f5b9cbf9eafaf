#!/usr/bin/env bash
# Restore a dump written by scripts/backup.sh into the database a URL names.
#
#   scripts/restore.sh [--force] DUMP_FILE postgres://USER@HOST:5432/NAME
#
# The target database must exist (createdb NAME). It refuses a database that already
# holds tables unless --force is given, which replaces the whole public schema: it is
# dropped with everything in it (tables the dump does not have too) and created again,
# owned by the connecting role, in the same transaction as the restore.
# Everything is restored in one transaction: a failed restore leaves the target as it was.
# A password in the URL reaches psql and pg_restore through their environment
# (PGPASSWORD), never their command line.
set -euo pipefail
# shellcheck source=scripts/pgurl.sh
source "$(dirname "${BASH_SOURCE[0]}")/pgurl.sh"

force=false
if [ "${1:-}" = "--force" ]; then force=true; shift; fi
if [ $# -ne 2 ]; then
  echo "usage: $0 [--force] DUMP_FILE TARGET_DATABASE_URL" >&2
  exit 2
fi
dump="$1"
pg_split_url "$2" || { echo "restore: the target must be a postgres:// URL" >&2; exit 2; }
[ -r "$dump" ] || { echo "restore: cannot read $dump" >&2; exit 2; }
command -v pg_restore >/dev/null || { echo "restore: pg_restore is missing (Debian: apt-get install postgresql-client-15)" >&2; exit 2; }

tables="$(psql -X -q -tA --dbname="$PG_URL" -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
if [ "$tables" = "0" ]; then
  pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$PG_URL" "$dump"
else
  if [ "$force" != true ]; then
    echo "restore: the target database is not empty ($tables tables); refusing to overwrite it." >&2
    echo "restore: restore into a new database (createdb), or pass --force to replace its contents." >&2
    exit 3
  fi
  # One transaction: drop and create the public schema, then the dump as SQL. COMMIT is
  # only sent once pg_restore has written all of it: if pg_restore fails, psql reaches
  # the end of its input inside the transaction and nothing is changed. psql stops at
  # the first error (ON_ERROR_STOP), which also leaves the transaction uncommitted.
  {
    echo "BEGIN;"
    echo "DROP SCHEMA IF EXISTS public CASCADE;"
    echo "CREATE SCHEMA public;"
    pg_restore --no-owner --no-privileges --exit-on-error --file=- "$dump" && echo "COMMIT;"
  } | psql -X -q -v ON_ERROR_STOP=1 --dbname="$PG_URL" >/dev/null
fi
echo "restore: restored $dump"
