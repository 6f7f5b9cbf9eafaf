#!/usr/bin/env bash
# Back up the database DATABASE_URL names: pg_dump's custom format (compressed, restored
# with scripts/restore.sh), to a timestamped file in a directory (default: $BACKUP_DIR, or
# backups/ in the checkout, which git ignores).
#
#   DATABASE_URL=postgres://USER@HOST:5432/NAME scripts/backup.sh [DIRECTORY]
#
# Prints the file written. pg_dump must be of the server's major version or newer
# (Debian: postgresql-client-15 for PostgreSQL 15). The dump holds people's personal data:
# it is written readable by its owner only; keep it encrypted and off the web root.
# A password in DATABASE_URL reaches pg_dump through its environment (PGPASSWORD), never
# its command line.
set -euo pipefail
# shellcheck source=scripts/pgurl.sh
source "$(dirname "${BASH_SOURCE[0]}")/pgurl.sh"

url="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/constellation}"
pg_split_url "$url" || { echo "backup: DATABASE_URL must name a PostgreSQL database" >&2; exit 2; }
command -v pg_dump >/dev/null || { echo "backup: pg_dump is missing (Debian: apt-get install postgresql-client-15)" >&2; exit 2; }

dir="${1:-${BACKUP_DIR:-backups}}"
name="${PG_URL##*/}"
name="${name%%\?*}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
umask 077
mkdir -p "$dir"
file="$dir/$name-$stamp.dump"
# Written under a temporary name first: a dump cut short never looks like a backup, and
# is removed (whatever stops this script).
partial="$file.partial"
trap 'rm -f "$partial"' EXIT
pg_dump --format=custom --no-owner --no-privileges --dbname="$PG_URL" --file="$partial"
mv "$partial" "$file"
echo "$file"
