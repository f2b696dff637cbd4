#!/usr/bin/env bash
# A restore drill: dump a database, restore it into a new one, and prove every
# table holds the same number of rows. Run by .ci/run; run it monthly in production.
#   ops/restore_drill.sh postgres://postgres@127.0.0.1:5432/source
set -euo pipefail
# shellcheck source=ops/lib.sh
. "$(dirname "$0")/lib.sh"
source_url=${1:?source database URL}
base=${source_url%/*}
restored_name="restore_drill_$$"
restored_url="$base/$restored_name"
dump=$(mktemp --suffix=.dump)
trap 'rm -f "$dump"; psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS $restored_name" >/dev/null 2>&1 || true' EXIT

"$(dirname "$0")/backup.sh" "$source_url" "$dump"
psql -q "$base/postgres" -c "CREATE DATABASE $restored_name"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$restored_url" "$dump"

before=$(count_rows "$source_url")
after=$(count_rows "$restored_url")
tables=$(printf '%s\n' "$before" | wc -l)
rows=$(printf '%s\n' "$before" | awk '{s += $2} END {print s}')
if [ "$before" != "$after" ]; then
  echo "RESTORE DRILL FAILED: row counts differ"
  diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") || true
  exit 1
fi
echo "restore drill passed: $tables tables, $rows rows, identical counts after restore"
