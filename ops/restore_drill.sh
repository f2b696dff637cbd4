#!/usr/bin/env bash
# A restore drill: dump a database, restore it into a new one, and prove every
# table holds the same number of rows. Run by .ci/run; run it monthly in production.
#   ops/restore_drill.sh postgres://postgres@127.0.0.1:5432/source
set -euo pipefail
source_url=${1:?source database URL}
base=${source_url%/*}
restored_name="restore_drill_$$"
restored_url="$base/$restored_name"
dump=$(mktemp --suffix=.dump)
trap 'rm -f "$dump"; psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS $restored_name" >/dev/null 2>&1 || true' EXIT

"$(dirname "$0")/backup.sh" "$source_url" "$dump"
psql -q "$base/postgres" -c "CREATE DATABASE $restored_name"
pg_restore --no-owner --no-privileges --exit-on-error --dbname="$restored_url" "$dump"

# Exact row counts of every table, in both databases.
count_rows() {
  psql -At "$1" <<'SQL'
CREATE TEMP TABLE counts (name text, n bigint);
DO $$
DECLARE t record;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename LOOP
    EXECUTE format('INSERT INTO counts SELECT %L, count(*) FROM public.%I', t.tablename, t.tablename);
  END LOOP;
END $$;
SELECT name || ' ' || n FROM counts ORDER BY name;
SQL
}
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
