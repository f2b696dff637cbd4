"""The README tells an operator everything the code reads, and the ops files name real things."""

import re
from pathlib import Path

import yaml
from django.conf import settings

from guilin_portal import metrics

ROOT = Path(settings.BASE_DIR)
README = (ROOT / "README.md").read_text(encoding="utf-8")
# os.environ["X"], os.environ.get("X"), os.environ.setdefault("X"), os.getenv("X"), env_bool("X"), env_list("X"), env("X")
ENV_READ = re.compile(
    r"""(?:os\.environ(?:\.get|\.setdefault)?\s*[\(\[]|os\.getenv\(|\benv(?:_bool|_list|_int)?\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    files = [*(ROOT / "guilin_portal").rglob("*.py"), ROOT / "ops" / "gunicorn.conf.py"]
    for path in files:
        for name in ENV_READ.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, set()).add(str(path.relative_to(ROOT)))
    return found


def documented() -> set[str]:
    """Every `NAME` in the first cell of a table row of the README."""
    names: set[str] = set()
    for line in README.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split(" | ")[0]))
    return names


def test_the_scan_finds_the_settings_it_must():
    found = variables_read()
    assert {"DATABASE_URL", "DJANGO_SECURE_SSL_REDIRECT", "AXES_FAILURE_LIMIT", "PORTAL_STATS_KEY_RATE"} <= set(found)


def test_every_variable_the_code_reads_is_in_the_readme_table():
    missing = {name: sorted(where) for name, where in variables_read().items() if name not in documented()}
    assert not missing, f"add these to the README's configuration table: {missing}"


def test_the_alert_rules_use_only_metrics_the_portal_exports():
    rules = yaml.safe_load((ROOT / "ops" / "prometheus" / "alerts.yml").read_text())["groups"]
    exported = {
        metrics.REQUESTS._name + "_total",
        metrics.REQUEST_SECONDS._name + "_bucket",
        metrics.TASKS._name + "_total",
        metrics.TASK_SECONDS._name + "_bucket",
        "portal_celery_queue_length",
    }
    used = set()
    for group in rules:
        for rule in group["rules"]:
            used |= set(re.findall(r"\bportal_[a-z_]+", rule["expr"]))
    assert used, "no rule uses a portal metric"
    assert used <= exported, used - exported
    alerts = {rule["alert"] for group in rules for rule in group["rules"]}
    assert {"PortalQueueBacklog", "PortalTaskFailures", "PortalHttp5xxRate", "PortalRoutingLatency"} <= alerts


def test_redis_is_configured_append_only_without_eviction():
    conf = (ROOT / "ops" / "redis" / "redis.conf").read_text()
    assert re.search(r"^appendonly yes$", conf, re.MULTILINE)
    assert re.search(r"^maxmemory-policy noeviction$", conf, re.MULTILINE)


def test_every_documented_worker_command_and_unit_has_its_own_node_name():
    commands = [line for line in README.splitlines() if re.search(r"celery .*\bworker\b", line)]
    commands += [
        line
        for unit in (ROOT / "ops" / "systemd").glob("guilin-worker-*.service")
        for line in unit.read_text().splitlines()
        if line.startswith("ExecStart=")
    ]
    assert len(commands) >= 6
    names = []
    for line in commands:
        match = re.search(r"-n (\w+)@%%?h", line)
        assert match, f"a worker without a node name: {line}"
        names.append((match.group(1), "systemd" if line.startswith("ExecStart") else "readme"))
    for origin in ("readme", "systemd"):
        mine = [name for name, where in names if where == origin]
        assert len(mine) == len(set(mine)), f"duplicate node names in the {origin}: {mine}"


def test_the_runbooks_are_in_the_readme():
    for needle in (
        "### First deploy (runbook)",
        "create_first_admin",
        "--i-know-this-is-not-production",
        "### Upgrade (runbook)",
        "systemctl reload guilin-web",
        "### Logs: one format, shipping and rotation",
        "ops/restore.sh",
        "ops/prometheus/alerts.yml",
        "ops/redis/redis.conf",
        "/accounts/tokens/",
        "PORTAL_TRUST_X_FORWARDED_PROTO",
    ):
        assert needle in README, needle
