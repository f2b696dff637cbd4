"""Who may export the issue list: a pure predicate of the Viewer, and the page's link and the export agree."""

import pytest
from django.urls import resolve, reverse

from dashboards.access import can_export_issues
from grids.models import Post
from grids.viewer import PostHeld, Standing, Viewer, ViewerKind

COMMUNITY = "0001000100010001"
AREA = COMMUNITY + "0001"


def person(*posts: tuple[str, str], superuser: bool = False) -> Viewer:
    """A person's Viewer with these posts, built without the database."""
    built = Viewer(kind=ViewerKind.USER, sees_everything=superuser, label="test")
    held = tuple(PostHeld(role=role, unit_id=n, path=path) for n, (role, path) in enumerate(posts))
    built.__dict__["standing"] = Standing(posts=held)
    return built


@pytest.mark.parametrize(
    ("viewer", "allowed"),
    [
        (Viewer.anonymous(), False),
        (Viewer.system(), False),  # not a person: nobody downloads on its behalf
        (Viewer.for_client(ViewerKind.STATS_KEY, object(), [COMMUNITY]), False),
        (person(superuser=True), True),
        (person((Post.Role.GRID_WORKER, AREA)), False),
        (person((Post.Role.GRID_LEADER, AREA), (Post.Role.PARTY_INSTRUCTOR, AREA)), False),
        (person((Post.Role.COMMUNITY_STAFF, COMMUNITY)), True),
        (person((Post.Role.GRID_WORKER, AREA), (Post.Role.DISTRICT_STAFF, "00010001")), True),
        (person((Post.Role.ORG_DEPARTMENT, "00010001")), True),
        (person(), False),
    ],
)
def test_only_staff_and_superusers_may_export_issues(viewer, allowed):
    assert can_export_issues(viewer) is allowed


ACCOUNTS = [
    "xiufeng_worker",
    "xiufeng_leader",
    "xiufeng_community",
    "xiufeng_street",
    "xiufeng_district",
    "xiufeng_orgdept",
    "organ_member",
    "admin",
]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ACCOUNTS)
def test_the_page_offers_the_export_exactly_when_the_export_answers(username, client_as, demo_user):
    allowed = can_export_issues(Viewer.for_user(demo_user(username)))
    client = client_as(username)
    home = client.get(reverse("dashboards:home"))  # the account's own top unit
    if home.status_code == 404:  # no post, no unit of their own: no list to export
        assert not allowed
        return
    unit_pk = resolve(home["Location"].split("?")[0]).kwargs["pk"]
    page = client.get(reverse("dashboards:issues", args=[unit_pk]))
    assert page.status_code == 200
    export_url = reverse("dashboards:issues_export", args=[unit_pk])
    assert page.context["can_export"] is allowed
    assert (export_url in page.content.decode()) is allowed
    assert client.get(export_url).status_code == (200 if allowed else 403)
