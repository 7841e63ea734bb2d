#!/bin/sh
# The image's entry point. The first argument names a role, which runs its npm script's command
# (package.json stays the one place that says how a role starts) with exec: node replaces this
# shell, so SIGTERM from tini reaches node itself, with no npm in between.
#   web | indexer | runner  -> npm script start:<role>
#   migrate                 -> npm script migrate (applies migrations, exits)
#   anything else           -> run as given (e.g. `sh`, `node -v`, `npm run ...`)
# ENTRYPOINT_DRY_RUN=1 prints the command instead of running it (deploy/dockerfile.test.ts).
set -eu
cd "${APP_DIR:-/app}"

role="${1:-web}"
[ "$#" -gt 0 ] && shift
case "$role" in
  web | indexer | runner) script="start:$role" ;;
  migrate) script="migrate" ;;
  *) exec "$role" "$@" ;;
esac

command=$(node -p 'require("./package.json").scripts[process.argv[1]] ?? ""' "$script")
case "$command" in
  "")
    echo "entrypoint: package.json has no script \"$script\" for the role \"$role\"" >&2
    exit 64
    ;;
  *"&&"* | *"||"* | *";"* | *"|"*)
    echo "entrypoint: the script \"$script\" ($command) is not one command; exec needs one" >&2
    exit 64
    ;;
esac

if [ "${ENTRYPOINT_DRY_RUN:-}" = "1" ]; then
  echo "$command" "$@"
  exit 0
fi
# The script's words as the shell would split them (no quotes in role scripts), then its args.
# shellcheck disable=SC2086
exec $command "$@"
