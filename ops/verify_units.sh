#!/usr/bin/env bash
# `systemd-analyze verify` on ops/systemd/*.service, with the install paths pointed at this checkout
# (verify checks that each ExecStart binary exists). Any message at all fails: systemd only warns
# about an unknown key or a bad value, and a warning here is a unit that would not do what it says.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v systemd-analyze >/dev/null || { echo "verify_units: systemd-analyze is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$repo/ops/systemd/env.example" "$work/env"
for unit in "$repo"/ops/systemd/*.service; do
  sed -e "s#/srv/guilin-portal#$repo#g" -e "s#/etc/guilin-portal/env#$work/env#" "$unit" >"$work/$(basename "$unit")"
done
out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$work"/*.service 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then
  echo "$out"
  echo "UNIT VERIFICATION FAILED: systemd-analyze printed the messages above"
  exit 1
fi
# Every worker has a node name of its own (the readiness check tells queues apart by it).
names=$(grep -ho -- '-n [a-z]*@%%h' "$repo"/ops/systemd/guilin-worker-*.service | sort)
if [ "$(printf '%s\n' "$names" | uniq -d)" != "" ] || [ "$(printf '%s\n' "$names" | wc -l)" -lt 3 ]; then
  echo "UNIT VERIFICATION FAILED: worker node names are missing or not unique: $names"
  exit 1
fi
echo "systemd units verified: $(ls "$repo"/ops/systemd/*.service | wc -l) units, worker nodes: $(printf "%s " $names)"
