#!/usr/bin/env bash
# A complete backup: the database and the uploaded files together, with a manifest and checksums.
#
#   ops/backup.sh DATABASE_URL UPLOADS_DIR TARGET_DIR
#   (or `manage.py backup TARGET_DIR`, which fills in the first two from the settings)
#
# Writes TARGET_DIR/guilin-<yyyymmdd-hhmmss>/ (printed on the last line) holding
#   db.dump          pg_dump --format=custom: one consistent snapshot of the whole database
#   uploads.tar.gz   DJANGO_MEDIA_ROOT, archived after the dump (files are written before the rows
#                    that name them commit, and never rewritten: every file the dump names is in it)
#   rows.txt         row count of every table IN THE DUMP (read from the dump, not the live database)
#   uploads.sha256   sha256 of every uploaded file
#   MANIFEST         when, what database, which code revision, sizes
#   SHA256SUMS       sha256 of the files above (`sha256sum -c SHA256SUMS` checks the set)
# The live database is only read; writes may continue while it runs.
# Restore with ops/restore.sh; ops/restore_drill.sh proves the pair works.
set -euo pipefail
# shellcheck source=ops/lib.sh
. "$(dirname "$0")/lib.sh"
url=${1:?database URL}
uploads=${2:?uploads folder (DJANGO_MEDIA_ROOT)}
target=${3:?target folder}
[ -d "$uploads" ] || { echo "backup: uploads folder $uploads does not exist" >&2; exit 2; }

stamp=$(date +%Y%m%d-%H%M%S)
dir="$target/guilin-$stamp"
mkdir -p "$dir.partial"
trap 'rm -rf "$dir.partial"' EXIT
umask 077  # residents' data: readable by the backup user only

pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$dir.partial/db.dump"
# Uploads keep arriving while tar reads the folder. GNU tar says so with exit status 1 ("file changed as
# we read it"), which is expected here: the files the dump names were written before it began. Status 2
# is a real failure.
tar_status=0
tar --warning=no-file-changed --warning=no-file-removed -C "$uploads" -czf "$dir.partial/uploads.tar.gz" . ||
  tar_status=$?
[ "$tar_status" -le 1 ] || { echo "backup: archiving $uploads failed (tar exit $tar_status)" >&2; exit "$tar_status"; }
# Which tables the dump holds (the empty ones have no data block), then the rows of each.
pg_restore --list "$dir.partial/db.dump" | awk '$4 == "TABLE" && $5 == "public" {print $6}' >"$dir.partial/tables"
dump_rows_all_tables "$dir.partial/db.dump" "$dir.partial/tables" >"$dir.partial/rows.txt"
rm "$dir.partial/tables"
file_sums "$uploads" >"$dir.partial/uploads.sha256.live"
# The archive is the truth: list what it holds (a file written during the tar is in it or not, whole).
mkdir "$dir.partial/x" && tar -C "$dir.partial/x" -xzf "$dir.partial/uploads.tar.gz"
file_sums "$dir.partial/x" >"$dir.partial/uploads.sha256"
rm -rf "$dir.partial/x" "$dir.partial/uploads.sha256.live"

repo=$(cd "$(dirname "$0")/.." && pwd)
{
  echo "created: $(date --iso-8601=seconds)"
  echo "database: ${url##*/}"
  echo "code: $(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
  echo "pg_dump: $(pg_dump --version)"
  echo "contents: $(wc -l <"$dir.partial/rows.txt") tables, $(awk '{s += $2} END {print s + 0}' "$dir.partial/rows.txt") rows"
  echo "uploads: $(wc -l <"$dir.partial/uploads.sha256") uploaded files"
  echo "db.dump: $(stat -c %s "$dir.partial/db.dump") bytes"
  echo "uploads.tar.gz: $(stat -c %s "$dir.partial/uploads.tar.gz") bytes"
} >"$dir.partial/MANIFEST"
(cd "$dir.partial" && sha256sum db.dump uploads.tar.gz rows.txt uploads.sha256 MANIFEST >SHA256SUMS)
mv "$dir.partial" "$dir"
trap - EXIT
echo "backup written: $(du -sh "$dir" | cut -f1)"
echo "$dir"
