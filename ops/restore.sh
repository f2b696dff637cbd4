#!/usr/bin/env bash
# Restore a backup of ops/backup.sh into a FRESH database and a fresh uploads folder, and check both.
#
#   ops/restore.sh BACKUP_DIR NEW_DATABASE_URL NEW_UPLOADS_DIR
#
# 1. the backup's checksums (SHA256SUMS) must hold;
# 2. the database must exist and be empty (createdb first), the uploads folder absent or empty;
# 3. pg_restore (stops at the first error), then the uploads archive is unpacked;
# 4. checks: every table holds exactly the rows the dump held (rows.txt), every uploaded file is
#    there with its checksum (uploads.sha256). Any difference: "RESTORE FAILED" and exit 1.
# Then point DATABASE_URL and DJANGO_MEDIA_ROOT at them and run `manage.py migrate --check`.
set -euo pipefail
# shellcheck source=ops/lib.sh
. "$(dirname "$0")/lib.sh"
backup=${1:?backup folder}
url=${2:?new database URL}
uploads=${3:?new uploads folder}

(cd "$backup" && sha256sum --quiet -c SHA256SUMS) || { echo "RESTORE FAILED: the backup's checksums do not hold"; exit 1; }
tables=$(psql -X -At -v ON_ERROR_STOP=1 "$url" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" != 0 ]; then
  echo "RESTORE FAILED: $url already holds $tables tables; restore into a new, empty database" >&2
  exit 1
fi
if [ -d "$uploads" ] && [ -n "$(ls -A "$uploads")" ]; then
  echo "RESTORE FAILED: $uploads is not empty" >&2
  exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --dbname="$url" "$backup/db.dump"
mkdir -p "$uploads"
tar -C "$uploads" -xzf "$backup/uploads.tar.gz"

failures=0
if ! diff <(count_rows "$url" | LC_ALL=C sort) "$backup/rows.txt" >/dev/null; then
  echo "RESTORE FAILED: row counts differ from the dump's (restored < > dump):"
  diff <(count_rows "$url" | LC_ALL=C sort) "$backup/rows.txt" || true
  failures=$((failures + 1))
fi
if ! diff <(file_sums "$uploads") "$backup/uploads.sha256" >/dev/null; then
  echo "RESTORE FAILED: uploaded files differ from the backup's (restored < > backup):"
  diff <(file_sums "$uploads") "$backup/uploads.sha256" | head -n 20 || true
  failures=$((failures + 1))
fi
[ "$failures" = 0 ] || exit 1
echo "restore checked: $(wc -l <"$backup/rows.txt") tables, $(awk '{s += $2} END {print s + 0}' "$backup/rows.txt") rows, $(wc -l <"$backup/uploads.sha256") uploaded files, all as in the backup"
