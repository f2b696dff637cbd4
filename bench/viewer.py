"""What a request's Viewer costs: its one standing query beside the bare posts query it replaces.

    .venv/bin/python bench/viewer.py [--scale 1]

Seeds a fresh PostgreSQL database (guilin_bench_viewer) at --scale, gives one
person 20 community-staff posts and a team, a department and a service point,
then times `Viewer.for_user(user).posts` (posts and every registered facet in
one UNION ALL) for a grid worker with 1 post, that person with 20 posts and
four facets, and a superuser (no query), beside the ceiling: the bare query
of a person's posts with their unit paths, which jurisdiction alone needed
before the Viewer, and the same facts read as one query each (as the access
modules read them before). Results go to bench/results/viewer.txt.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from common import count_queries, pg_url, prepare_database, printer_to_file, setup_django, timed

DB_NAME = "guilin_bench_viewer"
RESULTS = Path(__file__).resolve().parent / "results" / "viewer.txt"
RUNS = 300


def measure() -> None:
    setup_django()
    from django.contrib.auth.hashers import make_password

    from grids.models import GridUnit, Post, User
    from grids.viewer import Viewer
    from issues.models import Department
    from service_centers.models import ServicePoint, ServicePointStaff
    from volunteers.models import TeamMember

    out = printer_to_file(RESULTS)
    worker = User.objects.get(username="xiufeng_worker")
    admin = User.objects.get(username="admin")
    busy, _ = User.objects.get_or_create(username="bench_busy", defaults={"password": make_password(None)})
    communities = list(GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY).order_by("path")[:20])
    Post.objects.bulk_create(
        [Post(user=busy, unit=unit, role=Post.Role.COMMUNITY_STAFF) for unit in communities], ignore_conflicts=True
    )
    Department.objects.order_by("pk").first().members.add(busy)
    point = ServicePoint.objects.order_by("pk").first()
    ServicePointStaff.objects.get_or_create(point=point, user=busy)
    member = TeamMember.objects.filter(role__in=TeamMember.MANAGER_ROLES, left_on__isnull=True).first()
    busy_viewer = Viewer.for_user(busy)
    out(
        f"person with {len(busy_viewer.posts)} posts, departments {len(busy_viewer.departments)}, "
        f"points {len(busy_viewer.service_points)}; a team leader: {member.volunteer.user_id is not None}"
    )

    def bare(user):
        return lambda: list(Post.objects.filter(user_id=user.pk).values_list("role", "unit_id", "unit__path"))

    from grids.viewer import _FACETS

    def separate(user):
        """The same facts as one query each, as the access modules read them before the Viewer."""

        def run():
            bare(user)()
            for rows, column in _FACETS.values():
                list(rows(user.pk).values_list(column, flat=True))

        return run

    def viewer(user):
        return lambda: Viewer.for_user(user).posts

    for label, user in (("grid worker, 1 post", worker), ("20 posts and facets", busy), ("superuser", admin)):
        ceiling = timed(bare(user), RUNS, warm=20)
        built = timed(viewer(user), RUNS, warm=20)
        apart = timed(separate(user), RUNS, warm=20)
        jurisdiction = timed(lambda user=user: Viewer.for_user(user).jurisdiction, RUNS, warm=20)
        out(
            f"{label}: Viewer p50 {built[0]:.3f} ms p99 {built[1]:.3f} ms ({count_queries(viewer(user))} query); "
            f"jurisdiction only p50 {jurisdiction[0]:.3f} ms "
            f"({count_queries(lambda user=user: Viewer.for_user(user).jurisdiction)} queries); "
            f"bare posts query (ceiling) p50 {ceiling[0]:.3f} ms p99 {ceiling[1]:.3f} ms; "
            f"ratio {built[0] / ceiling[0]:.2f}; the same facts as {count_queries(separate(user))} separate queries "
            f"p50 {apart[0]:.3f} ms (Viewer/separate {built[0] / apart[0]:.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="1")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    env = {"DATABASE_URL": pg_url(DB_NAME), "DJANGO_SETTINGS_MODULE": "guilin_portal.settings.development"}
    if args.measure:
        measure()
        return
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text("", encoding="utf-8")
    prepare_database(DB_NAME, env, float(args.scale))
    subprocess.run([sys.executable, __file__, "--measure"], env=os.environ | env, check=True)


if __name__ == "__main__":
    main()
