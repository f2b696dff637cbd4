#!/usr/bin/env bash
# The restore drill: back up a live database and its uploads (ops/backup.sh), restore both into a new
# database and a new folder (ops/restore.sh), and check the restore against the BACKUP (the dump's
# own row counts and the archive's checksums), never against the live database, so writes that go on
# during the drill cannot fail it. Run by .ci/run with writes running; run it monthly in production.
#
#   ops/restore_drill.sh DATABASE_URL [UPLOADS_DIR]
#
# UPLOADS_DIR defaults to an empty temporary folder. The backup, the restored database and folder are
# removed at the end (KEEP=1 keeps them and prints where).
set -euo pipefail
source_url=${1:?source database URL}
uploads=${2:-}
here=$(dirname "$0")
base=${source_url%/*}
restored_name="restore_drill_$$"
restored_url="$base/$restored_name"
work=$(mktemp -d)
cleanup() {
  if [ "${KEEP:-0}" = 1 ]; then
    echo "kept: $work, database $restored_name"
    return
  fi
  rm -rf "$work"
  psql -q "$base/postgres" -c "DROP DATABASE IF EXISTS $restored_name WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
if [ -z "$uploads" ]; then
  uploads="$work/uploads-empty"
  mkdir -p "$uploads"
fi

backup=$("$here/backup.sh" "$source_url" "$uploads" "$work/backups" | tail -n 1)
psql -q "$base/postgres" -c "CREATE DATABASE $restored_name"
if ! "$here/restore.sh" "$backup" "$restored_url" "$work/uploads-restored"; then
  echo "RESTORE DRILL FAILED"
  exit 1
fi
echo "restore drill passed: $(sed -n 's/^contents: //p' "$backup/MANIFEST"), $(sed -n 's/^uploads: //p' "$backup/MANIFEST") restored and checked against the backup"
