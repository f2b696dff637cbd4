#!/usr/bin/env bash
# Forward-migration check: a database seeded by an OLDER revision of the portal
# migrates forward with the CURRENT code and keeps every row. Run by .ci/run.
#
#   ops/migration_forward_check.sh [DATABASE_URL] [BEFORE_REVISION]
#
#   DATABASE_URL     a scratch PostgreSQL database; it is dropped and created
#                    here and dropped again at the end (anything in it is lost).
#                    Default postgres://postgres@127.0.0.1:5432/guilin_ci_forward
#   BEFORE_REVISION  the git revision that seeds the database; default
#                    $DEFAULT_BEFORE_REV below. Needs the full git history.
#
# Steps:
#   1. drop and create the scratch database;
#   2. export BEFORE_REVISION's tree (git archive) into a temp dir and, with this
#      checkout's .venv python, run its `manage.py migrate` and
#      `manage.py seed_demo --scale 0.05 --no-progress` there (the old code gets
#      DATABASE_URL only, no DJANGO_SETTINGS_MODULE: its manage.py picks its own),
#      then, still with the old code, a few rows in the tables the demo leaves
#      empty but the move puts at risk (issue history, photos, admin log entries
#      and group/user grants pointing at the moved content types; needs a
#      revision whose grids.models has Issue);
#   3. exact count(*) of every table in the public schema, plus the content
#      types and permission ids;
#   4. `manage.py migrate` with the CURRENT code (this working tree, settings
#      guilin_portal.settings.development if that module exists, else
#      manage.py's default);
#   5. count again and compare. Every table that existed before must hold the
#      same number of rows, except django_migrations (grows) and
#      django_content_type / auth_permission (may grow, never lose a row). Every
#      content type keeps its id; the resident-issue models moved out of grids
#      ($MOVED_MODELS) must now be labelled $MOVED_APP_LABEL, with none left
#      under grids. No permission id may disappear;
#   6. `manage.py migrate --check` and `makemigrations --check --dry-run` with the
#      current code against the migrated database.
# Prints a table of differences and exits non-zero on any failure.
#
# Environment (optional): PYTHON (default <repo>/.venv/bin/python);
# MOVED_APP_LABEL (default issues; `grids` lets you try the script against a
# revision from before the move); KEEP_DB=1 keeps the scratch database.
set -euo pipefail
# shellcheck source=ops/lib.sh
. "$(dirname "$0")/lib.sh"

# The last commit before the resident-issue models left the grids app for the
# new issues app (state-only move, same db_table names).
DEFAULT_BEFORE_REV=69a0d35

# The models whose content types are re-labelled grids -> issues by the move.
MOVED_MODELS="issue issuecategory department routingrule issueevent issuephoto issuetask deadlineextension notification historicalissue"
MOVED_APP_LABEL=${MOVED_APP_LABEL:-issues}

db_url=${1:-postgres://postgres@127.0.0.1:5432/guilin_ci_forward}
rev=${2:-$DEFAULT_BEFORE_REV}
repo=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$repo/.venv/bin/python}

base_url=${db_url%/*}
db_name=${db_url##*/}
db_name=${db_name%%\?*}
if ! [[ $db_name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
  echo "migration_forward_check: the database name '$db_name' must be a plain identifier" >&2
  exit 2
fi
admin_url="$base_url/postgres"

if ! git -C "$repo" cat-file -e "$rev^{commit}" 2>/dev/null; then
  echo "migration_forward_check: revision '$rev' is not in this clone's history." >&2
  echo "  The check seeds a database with that revision's code; fetch the full" >&2
  echo "  history (git fetch --unshallow, or clone without --depth) and run again." >&2
  exit 1
fi
rev_full=$(git -C "$repo" rev-parse --short=12 "$rev^{commit}")

tmp=$(mktemp -d)
cleanup() {
  rm -rf "$tmp"
  if [ "${KEEP_DB:-0}" != 1 ]; then
    psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

# Run a command, its output kept in a log; on failure print the log's tail and stop.
run() {
  local label=$1 log
  shift
  log="$tmp/$(printf '%s' "$label" | tr -c 'A-Za-z0-9' '_').log"
  echo "--- $label"
  if ! "$@" >"$log" 2>&1; then
    echo "FAILED: $label" >&2
    tail -n 80 "$log" >&2
    exit 1
  fi
}

# Each Django command gets exactly the environment it understands: no settings
# module for the old code, no broker (Celery runs eagerly), no replica.
old_env=(env -u DJANGO_SETTINGS_MODULE -u DATABASE_REPLICA_URL -u CELERY_BROKER_URL
  DATABASE_URL="$db_url" DJANGO_DEBUG=true DJANGO_MEDIA_ROOT="$tmp/media" PYTHONDONTWRITEBYTECODE=1)
new_env=(env -u DJANGO_SETTINGS_MODULE -u DATABASE_REPLICA_URL -u CELERY_BROKER_URL
  DATABASE_URL="$db_url" DJANGO_DEBUG=true DJANGO_MEDIA_ROOT="$tmp/media" PYTHONDONTWRITEBYTECODE=1)
if [ -f "$repo/guilin_portal/settings/development.py" ]; then
  new_env+=(DJANGO_SETTINGS_MODULE=guilin_portal.settings.development)
fi
old_manage() { (cd "$tmp/before" && "${old_env[@]}" "$python" manage.py "$@"); }
new_manage() { (cd "$repo" && "${new_env[@]}" "$python" manage.py "$@"); }

content_types() { psql -X -At -F ' ' -v ON_ERROR_STOP=1 "$db_url" -c "SELECT id, app_label, model FROM django_content_type ORDER BY id"; }
permissions() {
  psql -X -At -F ' ' -v ON_ERROR_STOP=1 "$db_url" \
    -c "SELECT p.id, ct.app_label || '.' || p.codename FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id ORDER BY p.id"
}

echo "forward-migration check: seed with $rev_full, migrate with the working tree of $repo"
echo "scratch database: $db_name"
psql -q -X -v ON_ERROR_STOP=1 "$admin_url" -c "SET client_min_messages = warning" \
  -c "DROP DATABASE IF EXISTS \"$db_name\" WITH (FORCE)" -c "CREATE DATABASE \"$db_name\""

mkdir -p "$tmp/before" "$tmp/media"
git -C "$repo" archive "$rev_full" | tar -x -C "$tmp/before"
run "migrate with $rev_full" old_manage migrate --no-input -v 1
run "seed_demo --scale 0.05 with $rev_full" old_manage seed_demo --scale 0.05 --no-progress
# The demo leaves empty some tables the move puts at risk: the issue history,
# photos, and the rows that point at the moved content types and their
# permissions (admin log, group grants). Give each a row, with the old code.
run "rows for the issue history, photos, admin log and group grants with $rev_full" \
  old_manage shell -c "$(cat <<'PY'
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from grids.models import Issue, IssuePhoto

issues = list(Issue.objects.order_by("pk")[:3])
user = get_user_model().objects.order_by("pk").first()
Issue.history.bulk_history_create(issues, default_user=user)
IssuePhoto.objects.create(issue=issues[0], image="forward-check/photo.jpg", uploaded_by=user)
issue_type = ContentType.objects.get_for_model(Issue)
for issue in issues:
    LogEntry.objects.create(user=user, content_type=issue_type, object_id=str(issue.pk),
                            object_repr=str(issue)[:200], action_flag=CHANGE, change_message="forward check")
group = Group.objects.create(name="forward-check")
group.permissions.set(Permission.objects.filter(content_type__app_label="grids", content_type__model__in=[
    "issue", "issuecategory", "department", "routingrule", "issueevent", "issuephoto", "issuetask",
    "deadlineextension", "notification", "historicalissue"]))
user.user_permissions.add(Permission.objects.get(content_type=issue_type, codename="view_issue"))
PY
)"

count_rows "$db_url" >"$tmp/rows_before"
content_types >"$tmp/ct_before"
permissions >"$tmp/perm_before"
echo "seeded: $(wc -l <"$tmp/rows_before") tables, $(awk '{s += $2} END {print s}' "$tmp/rows_before") rows"
empty=$(awk '$2 == 0 {printf "%s%s", sep, $1; sep = " "}' "$tmp/rows_before")
[ -z "$empty" ] || echo "  (empty after seeding, so compared only for existence: $empty)"

echo "--- migrate with the current code"
if ! new_manage migrate --no-input -v 1 >"$tmp/migrate_new.log" 2>&1; then
  echo "FAILED: the current code's migrate on a database seeded by $rev_full" >&2
  tail -n 80 "$tmp/migrate_new.log" >&2
  exit 1
fi
grep -E '^  Applying ' "$tmp/migrate_new.log" || echo "  (no migration to apply)"

count_rows "$db_url" >"$tmp/rows_after"
content_types >"$tmp/ct_after"
permissions >"$tmp/perm_after"

failures=0

# Row counts, table by table.
echo
echo "Row counts that changed (every table of the public schema before the migrate):"
printf '  %-44s %10s %10s %8s  %s\n' table before after delta verdict
if ! awk '
  NR == FNR { before[$1] = $2; next }
  { after[$1] = $2 }
  END {
    fmt = "  %-44s %10s %10s %8s  %s\n"
    bad = 0; shown = 0
    for (t in before) {
      if (!(t in after)) {
        printf fmt, t, before[t], "-", "", "FAIL: table gone"; bad++; shown++; continue
      }
      d = after[t] - before[t]
      if (d == 0) continue
      shown++
      if (t == "django_migrations" && d > 0) v = "ok (new migrations recorded)"
      else if ((t == "django_content_type" || t == "auth_permission") && d > 0) v = "ok (grew; no row lost, checked below)"
      else { v = "FAIL: rows " (d < 0 ? "lost" : "added"); bad++ }
      printf fmt, t, before[t], after[t], (d > 0 ? "+" d : d), v
    }
    for (t in after) if (!(t in before)) {
      printf fmt, t, "-", after[t], "", "new table (not compared)"; shown++
    }
    if (!shown) print "  (none)"
    exit (bad > 0)
  }' "$tmp/rows_before" "$tmp/rows_after" | sort; then
  failures=$((failures + 1))
fi

# Content types: ids kept; the moved models re-labelled, none left under grids.
echo
echo "Content types (ids kept; $MOVED_MODELS -> $MOVED_APP_LABEL):"
if ! awk -v moved="$MOVED_MODELS" -v label="$MOVED_APP_LABEL" '
  BEGIN { n = split(moved, m, " "); for (i = 1; i <= n; i++) is_moved[m[i]] = 1 }
  NR == FNR { b_app[$1] = $2; b_model[$1] = $3; b_id[$2 "." $3] = $1; kept++; if ($1 + 0 > top) top = $1 + 0; next }
  { a_app[$1] = $2; a_model[$1] = $3; count[$2 "." $3]++; id_of[$2 "." $3] = $1 }
  END {
    bad = 0
    for (id = 1; id <= top; id++) {
      if (!(id in b_app)) continue
      was = b_app[id] "." b_model[id]
      if (!(id in a_app)) { printf "  FAIL: content type %s (%s) deleted\n", id, was; bad++; continue }
      now = a_app[id] "." a_model[id]
      if (now == was) continue
      if (b_app[id] == "grids" && a_model[id] == b_model[id] && is_moved[b_model[id]] && a_app[id] == label)
        printf "  ok: content type %s re-labelled %s -> %s\n", id, was, now
      else { printf "  FAIL: content type %s changed %s -> %s\n", id, was, now; bad++ }
    }
    for (i = 1; i <= n; i++) {
      k = label "." m[i]
      if (count[k] != 1) { printf "  FAIL: %d content types for %s (expected 1)\n", count[k], k; bad++ }
      else if (("grids." m[i]) in b_id && id_of[k] != b_id["grids." m[i]]) {
        printf "  FAIL: %s has id %s, not grids.%s'"'"'s id %s\n", k, id_of[k], m[i], b_id["grids." m[i]]; bad++
      }
      if (label != "grids" && ("grids." m[i]) in count) {
        printf "  FAIL: content type %s still exists (id %s)\n", "grids." m[i], id_of["grids." m[i]]; bad++
      }
    }
    if (!bad) printf "  ok: all %d content types kept their ids; the %d moved models are %s.*\n", kept, n, label
    exit (bad > 0)
  }' "$tmp/ct_before" "$tmp/ct_after"; then
  failures=$((failures + 1))
fi

# Permissions: no id disappears (group and user grants point at them).
echo
echo "Permissions (no row lost):"
lost_perms=$(LC_ALL=C join -v 1 <(LC_ALL=C sort -k1,1 "$tmp/perm_before") <(LC_ALL=C sort -k1,1 "$tmp/perm_after") || true)
if [ -n "$lost_perms" ]; then
  printf '%s\n' "$lost_perms" | sed 's/^/  FAIL: permission lost: id /'
  failures=$((failures + 1))
else
  echo "  ok: $(wc -l <"$tmp/perm_before") before, $(wc -l <"$tmp/perm_after") after, every id kept"
fi

# Nothing left unapplied, and the models match the migrations.
echo
if new_manage migrate --check >"$tmp/migrate_check.log" 2>&1; then
  echo "ok: migrate --check (no unapplied migration)"
else
  echo "FAIL: migrate --check"
  sed 's/^/  /' "$tmp/migrate_check.log"
  failures=$((failures + 1))
fi
if new_manage makemigrations --check --dry-run >"$tmp/makemigrations.log" 2>&1; then
  echo "ok: makemigrations --check --dry-run (models match the migrations)"
else
  echo "FAIL: makemigrations --check --dry-run"
  sed 's/^/  /' "$tmp/makemigrations.log"
  failures=$((failures + 1))
fi

echo
if [ "$failures" -gt 0 ]; then
  echo "FORWARD-MIGRATION CHECK FAILED: $failures check(s) failed (seeded with $rev_full)"
  exit 1
fi
echo "forward-migration check passed: $(wc -l <"$tmp/rows_before") tables, $(awk '{s += $2} END {print s}' "$tmp/rows_before") rows seeded with $rev_full, all kept"
