#!/usr/bin/env bash
# Restore a dump written by scripts/backup.sh into the database a URL names.
#
#   scripts/restore.sh [--force] DUMP_FILE postgres://USER@HOST:5432/NAME
#
# The target database must exist (createdb NAME). It refuses a database that already
# holds tables unless --force is given, which drops what the dump contains first.
# Everything is restored in one transaction: a failed restore leaves the target as it was.
set -euo pipefail

force=false
if [ "${1:-}" = "--force" ]; then force=true; shift; fi
if [ $# -ne 2 ]; then
  echo "usage: $0 [--force] DUMP_FILE TARGET_DATABASE_URL" >&2
  exit 2
fi
dump="$1"
url="$2"
case "$url" in
  pgsql://*|psql://*) url="postgresql://${url#*://}" ;;
  postgres://*|postgresql://*) ;;
  *) echo "restore: the target must be a postgres:// URL" >&2; exit 2 ;;
esac
[ -r "$dump" ] || { echo "restore: cannot read $dump" >&2; exit 2; }
command -v pg_restore >/dev/null || { echo "restore: pg_restore is missing (Debian: apt-get install postgresql-client-15)" >&2; exit 2; }

tables="$(psql -X -q -tA --dbname="$url" -c "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")"
options=(--no-owner --no-privileges --exit-on-error --single-transaction)
if [ "$tables" != "0" ]; then
  if [ "$force" != true ]; then
    echo "restore: the target database is not empty ($tables tables); refusing to overwrite it." >&2
    echo "restore: restore into a new database (createdb), or pass --force to replace its contents." >&2
    exit 3
  fi
  options+=(--clean --if-exists)
fi
pg_restore "${options[@]}" --dbname="$url" "$dump"
echo "restore: restored $dump"
