"""seed_demo builds exactly what it promises, deterministically, and never twice by accident."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from grids.demo import plan
from grids.management.commands.seed_demo import LOAD_SETTINGS, _load_settings
from grids.models import GridUnit, Post, User
from party.models import MeetingRule

from .conftest import DEMO_SCALE, DEMO_SEED

pytestmark = pytest.mark.django_db

LEVEL_KEYS = {
    GridUnit.Level.CITY: "grids.units.city",
    GridUnit.Level.DISTRICT: "grids.units.district",
    GridUnit.Level.STREET: "grids.units.street",
    GridUnit.Level.COMMUNITY: "grids.units.community",
    GridUnit.Level.AREA: "grids.units.area",
    GridUnit.Level.COMPOUND: "grids.units.compound",
    GridUnit.Level.ZONE: "grids.units.zone",
}


# Posts that later demo steps add for their own accounts (each promised in that app's plan).
LATER_STEP_ACCOUNTS = ["xiufeng_orgdept"]


def grid_counts() -> dict[str, int]:
    by_level = dict(GridUnit.objects.values_list("level").annotate(n=Count("pk")))
    by_role = dict(
        Post.objects.exclude(user__username__in=LATER_STEP_ACCOUNTS).values_list("role").annotate(n=Count("pk"))
    )
    counts = {key: by_level.get(level, 0) for level, key in LEVEL_KEYS.items()}
    counts |= {f"grids.posts.{role}": by_role.get(role, 0) for role in Post.Role.values}
    counts["grids.units.urban_community"] = GridUnit.objects.filter(
        level=GridUnit.Level.COMMUNITY, name__endswith="社区"
    ).count()
    counts["grids.compounds.property_managed"] = GridUnit.objects.filter(is_property_managed=True).count()
    counts["grids.people.grid_leaders_and_workers"] = (
        Post.objects.filter(role__in=[Post.Role.GRID_LEADER, Post.Role.GRID_WORKER]).values("user").distinct().count()
    )
    return counts


def test_the_seeded_city_has_exactly_the_promised_counts():
    counted = grid_counts()
    promised = {key: value for key, value in plan(DEMO_SCALE).items() if key in counted}
    assert set(promised) == set(counted)
    assert counted == promised


def test_the_full_scale_plan_is_the_reports_city():
    full = plan(1)
    assert full["grids.units.district"] == 17
    assert full["grids.units.urban_community"] == 115
    assert full["grids.units.area"] == 5200  # micro-grids
    assert full["grids.units.zone"] >= 56000
    assert full["grids.compounds.property_managed"] == 389
    assert full["grids.posts.party_instructor"] == 389
    assert full["grids.people.grid_leaders_and_workers"] >= 4100


def test_real_divisions_and_demo_accounts_exist():
    districts = set(GridUnit.objects.filter(level=GridUnit.Level.DISTRICT).values_list("name", flat=True))
    assert {
        "秀峰区",
        "叠彩区",
        "象山区",
        "七星区",
        "雁山区",
        "临桂区",
        "阳朔县",
        "荔浦市",
        "恭城瑶族自治县",
    } <= districts
    worker = Post.objects.get(user__username="xiufeng_worker")
    assert worker.unit.level == GridUnit.Level.AREA
    assert GridUnit.objects.ancestors_of(worker.unit).filter(name="秀峰区").exists()
    qixing = Post.objects.get(user__username="qixing_worker")
    assert GridUnit.objects.ancestors_of(qixing.unit).filter(name="七星区").exists()


def test_a_second_run_without_reset_is_refused_and_changes_nothing():
    before = (GridUnit.objects.count(), User.objects.count(), Post.objects.count())
    with pytest.raises(CommandError, match="--reset"):
        call_command("seed_demo", scale=DEMO_SCALE, stdout=io.StringIO(), stderr=io.StringIO())
    assert (GridUnit.objects.count(), User.objects.count(), Post.objects.count()) == before


def test_reset_with_the_same_seed_rebuilds_the_same_city():
    before = list(GridUnit.objects.order_by("path").values_list("path", "code", "name"))
    people = list(User.objects.order_by("username").values_list("username", "full_name"))
    rules = list(MeetingRule.objects.order_by("pk").values_list("meeting_kind", "organisation_kind", "period_months"))
    out = io.StringIO()
    call_command(
        "seed_demo", scale=DEMO_SCALE, seed=DEMO_SEED, reset=True, no_progress=True, stdout=out, stderr=io.StringIO()
    )
    assert list(GridUnit.objects.order_by("path").values_list("path", "code", "name")) == before
    assert list(User.objects.order_by("username").values_list("username", "full_name")) == people
    # flush empties the rules a migration loaded; the demo puts the 三会一课 rules back.
    assert rules
    assert sorted(MeetingRule.objects.values_list("meeting_kind", "organisation_kind", "period_months")) == sorted(
        rules
    )
    assert "xiufeng_worker" in out.getvalue()  # the accounts are printed in demo mode


def schema() -> list[tuple[str, str]]:
    """Every index and constraint of the schema, as PostgreSQL would write it again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2"
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the load drops indexes and keys on PostgreSQL only")
def test_the_seed_leaves_every_index_and_key_as_it_found_them():
    # The load drops the foreign keys and the plain indexes and puts them back after it.
    before = schema()
    assert len(before) > 500
    call_command(
        "seed_demo", scale=DEMO_SCALE, seed=DEMO_SEED, reset=True, no_progress=True, stdout=io.StringIO(),
        stderr=io.StringIO(),
    )  # fmt: skip
    assert schema() == before


def test_the_load_settings_hold_for_the_seeds_transaction_only():
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        _load_settings()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for name, value in LOAD_SETTINGS.items():
                    cursor.execute(f"SHOW {name}")
                    assert cursor.fetchone()[0] == value
    sent = [query["sql"] for query in queries if query["sql"].startswith("SET")]
    if connection.vendor == "postgresql":
        # SET LOCAL: gone when the seed's transaction ends (here the test's, so read from the statements)
        assert sent == [f"SET LOCAL {name} = '{value}'" for name, value in LOAD_SETTINGS.items()]
    else:
        assert sent == []  # nothing to set on SQLite
