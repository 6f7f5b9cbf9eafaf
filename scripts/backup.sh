#!/usr/bin/env bash
# Back up the database DATABASE_URL names: pg_dump's custom format (compressed, restored
# with scripts/restore.sh), to a timestamped file in a directory (default: backups/).
#
#   DATABASE_URL=postgres://USER@HOST:5432/NAME scripts/backup.sh [DIRECTORY]
#
# Prints the file written. pg_dump must be of the server's major version or newer
# (Debian: postgresql-client-15 for PostgreSQL 15). The dump holds people's personal data:
# it is written readable by its owner only; keep it encrypted and off the web root.
set -euo pipefail

url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/constellation}"
# django-environ also accepts these schemes; libpq (pg_dump) knows only postgres(ql)://.
case "$url" in
  pgsql://*|psql://*) url="postgresql://${url#*://}" ;;
  postgres://*|postgresql://*) ;;
  *) echo "backup: DATABASE_URL must name a PostgreSQL database" >&2; exit 2 ;;
esac
command -v pg_dump >/dev/null || { echo "backup: pg_dump is missing (Debian: apt-get install postgresql-client-15)" >&2; exit 2; }

dir="${1:-${BACKUP_DIR:-backups}}"
name="${url##*/}"
name="${name%%\?*}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$dir"
file="$dir/$name-$stamp.dump"
# Written under a temporary name first: a dump cut short never looks like a backup.
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$file.partial"
mv "$file.partial" "$file"
echo "$file"
