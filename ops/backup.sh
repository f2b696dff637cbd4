#!/usr/bin/env bash
# Back up the portal's PostgreSQL database to a compressed custom-format dump.
#   ops/backup.sh postgres://user@host:5432/portal /backups/portal-$(date +%F).dump
# Uploaded files (DJANGO_MEDIA_ROOT) are backed up separately, e.g. with rsync.
set -euo pipefail
url=${1:?database URL}
target=${2:?dump file}
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$target"
echo "dumped to $target ($(du -h "$target" | cut -f1))"
