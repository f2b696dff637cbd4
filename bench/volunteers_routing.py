"""Resident issues routed to volunteer teams, on PostgreSQL at scale 1.

    .venv/bin/python bench/volunteers_routing.py            # recreate guilin_integration_bench, seed --scale 1
    .venv/bin/python bench/volunteers_routing.py --reuse    # measure the database seeded by an earlier run

Figures (one line each, stdout and bench/results/volunteers_routing.txt):
- the team choice (`least_loaded_team`: one query over the ancestors, counting each
  candidate team's open issues) beside the rule lookup routing already runs
  (`matching_rule`, the ceiling: the cheapest query over the same ancestors),
  with the issue table at the demo's size and again after 200,000 more open issues
  handled by teams (set-based, `generate_series`);
- routing a logged issue end to end (`issue_route`) to a team beside routing one to
  an office, p50/p99;
- the team inbox page for the busiest team (30 a page), p50/p99 and query count,
  beside the grids inbox page of the same leader.
"""

from __future__ import annotations

import os
import subprocess
import sys

from common import ROOT, manage, pg_url, printer_to_file, recreate_pg, setup_django, timed

DB_NAME = "guilin_integration_bench"
PG_URL = pg_url(DB_NAME)
RESULTS = ROOT / "bench" / "results" / "volunteers_routing.txt"
EXTRA_OPEN = 200_000
out = printer_to_file(RESULTS)


def measure() -> None:
    """Runs in a subprocess whose DATABASE_URL names the seeded database."""
    setup_django()
    import random

    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from grids.models import GridUnit, Post, User
    from grids.viewer import Viewer
    from issues import services as issue_services
    from issues.models import HandlerKind, Issue, IssueCategory, RoutingRule
    from issues.services.routing import matching_rule
    from issues.views import issues as issue_views
    from volunteers.models import Team, TeamMember
    from volunteers.selectors import least_loaded_team
    from volunteers.views import demands as demand_views

    rng = random.Random(4)
    rules = list(RoutingRule.objects.filter(handler_kind=HandlerKind.VOLUNTEER_TEAM, is_active=True))
    areas = list(GridUnit.objects.filter(level=GridUnit.Level.AREA).only("pk", "path", "level"))
    cases = [(rng.choice(areas), rng.choice(rules)) for _ in range(400)]

    def choice_figures(label: str) -> None:
        open_team = Issue.objects.open().filter(handler_kind=HandlerKind.VOLUNTEER_TEAM).count()
        found = sum(least_loaded_team(unit=u, category_id=r.volunteer_category_id) is not None for u, r in cases)
        it = iter(cases * 3)
        p50, p99 = timed(
            lambda: least_loaded_team(unit=(c := next(it))[0], category_id=c[1].volunteer_category_id), 800
        )
        it = iter(cases * 3)
        c50, c99 = timed(lambda: matching_rule(unit=(c := next(it))[0], category_id=c[1].category_id), 800)
        out(
            f"{connection.vendor}: team choice ({label}, {open_team:,} open team issues, "
            f"{Team.objects.count():,} teams, a team found for {found}/{len(cases)} units): "
            f"p50 {p50:.2f} ms, p99 {p99:.2f} ms; ceiling (rule lookup over the same ancestors) "
            f"p50 {c50:.2f} ms, p99 {c99:.2f} ms"
        )

    already = Issue.objects.filter(description="批量诉求").count()  # --reuse: added by an earlier run
    if not already:
        choice_figures("demo data")

    # 200,000 more open issues handled by the teams of the two routed categories, written set-based.
    team_ids = list(
        Team.objects.filter(category_id__in=[r.volunteer_category_id for r in rules], is_active=True).values_list(
            "pk", flat=True
        )
    )
    category = IssueCategory.objects.get(code="proxy-elderly")
    reporter = User.objects.get(username="xiufeng_worker")
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO grids_issue (unit_id, category_id, kind, description, location_text, resident_name,
                resident_phone, priority, reporter_id, status, version, created_at, updated_at, due_at, remind_at,
                routed_at, routing_no_rule, handler_kind, handler_team_id, resolution, satisfaction,
                reopen_count, reject_reason, escalation_level)
            SELECT (%s::int[])[1 + (g %% %s)], %s, 'proxy_service', '批量诉求', '', '', '', 1, %s,
                'allocated', 1, now(), now(), now() + interval '3 days', now() + interval '2 days', now(), false,
                'volunteer_team', (%s::int[])[1 + (g %% %s)], '', '', 0, '', 0
            FROM generate_series(1, %s) AS g
            """,
            [
                [a.pk for a in areas],
                len(areas),
                category.pk,
                reporter.pk,
                team_ids,
                len(team_ids),
                max(0, EXTRA_OPEN - already),
            ],
        )
        cursor.execute("ANALYZE grids_issue")
    choice_figures(f"+{EXTRA_OPEN:,} open team issues")

    # Routing end to end: a logged issue to a team, beside one to an office.
    leader = User.objects.get(username="xiufeng_team_leader")
    worker_post = Post.objects.filter(user=reporter, unit__level__gte=GridUnit.Level.AREA).select_related("unit")
    unit = worker_post.first().unit
    to_team = IssueCategory.objects.get(code="proxy-social")
    to_office = IssueCategory.objects.get(code="opinion-property")

    def route(cat):
        def run():
            due, remind = Issue.deadlines(timezone.now(), cat.time_limit_hours)
            issue = Issue.objects.create(
                unit=unit,
                category=cat,
                kind=cat.kind,
                description="测试",
                reporter=reporter,
                due_at=due,
                remind_at=remind,
            )
            issue_services.issue_route(issue_id=issue.pk)

        return run

    t50, t99 = timed(route(to_team), 200)
    o50, o99 = timed(route(to_office), 200)
    team = Team.objects.get(memberships__volunteer__user=leader, memberships__role=TeamMember.Role.LEADER)
    routed = Issue.objects.filter(category=to_team, unit=unit, handler_team=team).exists()
    out(
        f"{connection.vendor}: issue_route to a team p50 {t50:.2f} ms, p99 {t99:.2f} ms; "
        f"ceiling (to an office) p50 {o50:.2f} ms, p99 {o99:.2f} ms (routed to the demo team: {routed})"
    )

    # The team inbox of the demo team (now with its share of the open issues), beside the grids inbox.
    factory = RequestFactory()

    def call(view, path, **kwargs):
        request = factory.get(path)
        request.user = User.objects.get(pk=leader.pk)
        request.viewer = Viewer.for_user(request.user)
        request.session = SessionStore()
        request._messages = []
        response = view(request, **kwargs)
        assert response.status_code == 200
        return response

    for name, view, path, kwargs in (
        ("team inbox", demand_views.team_inbox, f"/volunteers/teams/{team.pk}/issues/", {"pk": team.pk}),
        ("ceiling: grids inbox", issue_views.issue_inbox, "/issues/inbox/", {}),
    ):
        with CaptureQueriesContext(connection) as captured:
            call(view, path, **kwargs)
        p50, p99 = timed(lambda v=view, p=path, k=kwargs: call(v, p, **k), 60)
        open_here = Issue.objects.open().filter(handler_team=team).count()
        out(
            f"{connection.vendor}: {name} ({open_here:,} open issues for the team): "
            f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {len(captured.captured_queries)} queries"
        )


def main() -> None:
    env = {"DATABASE_URL": PG_URL}
    if "--measure" in sys.argv:
        measure()
        return
    if "--reuse" not in sys.argv:
        recreate_pg(DB_NAME)
        manage(env, "migrate", "-v0")
        seconds = manage(env, "seed_demo", "--no-progress")
        out(f"postgresql: seed_demo --scale 1 in {seconds:.0f} s")
    subprocess.run([sys.executable, __file__, "--measure"], cwd=ROOT, env=os.environ | env, check=True)


if __name__ == "__main__":
    main()
