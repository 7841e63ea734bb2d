#!/bin/sh
# Writes the secrets compose.yaml mounts, once: the Postgres password, the DATABASE_URL that
# holds it, the Payment Server's admin key (shared by every instance) and the keystore secret
# (32 bytes hex; losing it loses the services' stored keys, so back it up). Existing files are
# kept, so running it again changes nothing.
# Usage: deploy/compose/make-secrets.sh [directory]   (default: deploy/compose/secrets)
set -eu
dir="${1:-$(dirname "$0")/secrets}"
mkdir -p "$dir"
# The directory keeps other host users out; the files stay readable inside the containers,
# whose non-root user (uid 10001) is not the file's owner (compose bind-mounts file secrets).
chmod 700 "$dir"

hex() { od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'; }

write() {
  if [ -s "$dir/$1" ]; then
    echo "kept    $dir/$1"
  else
    printf '%s' "$2" >"$dir/$1"
    chmod 644 "$dir/$1"
    echo "written $dir/$1"
  fi
}

write postgres_password "$(hex 24)"
write database_url "postgresql://channel:$(cat "$dir/postgres_password")@postgres:5432/channel"
write payment_admin_key "$(hex 32)"
write payment_keystore_secret "$(hex 32)"
