# Sourced by backup.sh and restore.sh: keep a database password off command lines.
#
#   pg_split_url URL     (not in $(...): it sets variables of the calling shell)
#
# Sets PG_URL to URL without the password in it (user@host stays), and PGPASSWORD
# (exported, percent-decoded) when the URL had one: libpq reads it from the environment, which other
# users cannot see, where `ps` shows every process's command line to everyone.
# Also turns django-environ's pgsql:// and psql:// schemes into postgresql://, which libpq
# knows; any other scheme fails (exit status 2).

pg_split_url() {
  local url="$1"
  case "$url" in
    pgsql://*|psql://*) url="postgresql://${url#*://}" ;;
    postgres://*|postgresql://*) ;;
    *) return 2 ;;
  esac
  local scheme="${url%%://*}" rest="${url#*://}"
  local authority="${rest%%[/?]*}"
  local tail="${rest:${#authority}}"
  if [[ "$authority" == *@* ]]; then
    local userinfo="${authority%@*}" hostport="${authority##*@}"
    if [[ "$userinfo" == *:* ]]; then
      local password="${userinfo#*:}"
      userinfo="${userinfo%%:*}"
      # Percent-decode: backslashes first (printf %b would read them), then %XX.
      password="${password//\\/\\\\}"
      PGPASSWORD="$(printf '%b_' "${password//%/\\x}")"
      PGPASSWORD="${PGPASSWORD%_}"
      export PGPASSWORD
      authority="$userinfo@$hostport"
    fi
  fi
  PG_URL="$scheme://$authority$tail"
}
