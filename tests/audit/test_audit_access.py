"""Who reads the audit history, and where: pure predicates of the Viewer; the pages answer as they say."""

import pytest
from django.db.models import Q
from django.urls import reverse

from audit.access import audit_visible_q, can_read_audit
from grids.models import Post
from grids.viewer import PostHeld, Standing, Viewer, ViewerKind

DISTRICT = "00010001"
STREET = DISTRICT + "0001"
COMMUNITY = STREET + "0001"
AREA = COMMUNITY + "0001"


def person(*posts: tuple[str, str], superuser: bool = False) -> Viewer:
    """A person's Viewer with these posts, built without the database."""
    built = Viewer(kind=ViewerKind.USER, sees_everything=superuser, label="test")
    held = tuple(PostHeld(role=role, unit_id=n, path=path) for n, (role, path) in enumerate(posts))
    built.__dict__["standing"] = Standing(posts=held)
    return built


@pytest.mark.parametrize(
    ("viewer", "allowed", "paths"),
    [
        (Viewer.anonymous(), False, ()),
        (Viewer.system(), False, None),  # tasks write versions; nobody reads on the system's behalf
        (Viewer.for_client(ViewerKind.STATS_KEY, object(), [DISTRICT]), False, ()),
        (person(superuser=True), True, None),
        (person((Post.Role.GRID_WORKER, AREA)), False, ()),
        (person((Post.Role.GRID_LEADER, AREA)), False, ()),
        (person((Post.Role.COMMUNITY_STAFF, COMMUNITY)), True, (COMMUNITY,)),
        # A grid post gives nothing, even beside a staff post elsewhere: only the staff subtree.
        (person((Post.Role.GRID_WORKER, "00010002"), (Post.Role.STREET_STAFF, STREET)), True, (STREET,)),
        (person((Post.Role.COMMUNITY_STAFF, COMMUNITY), (Post.Role.DISTRICT_STAFF, DISTRICT)), True, (DISTRICT,)),
    ],
)
def test_staff_read_the_history_of_their_staff_subtrees(viewer, allowed, paths):
    assert can_read_audit(viewer) is allowed
    if allowed:
        expected = Q() if paths is None else Q(unit__path__startswith=paths[0])
        assert audit_visible_q(viewer, unit_field="unit") == expected


ACCOUNTS = ["xiufeng_worker", "xiufeng_leader", "xiufeng_community", "xiufeng_street", "xiufeng_district", "admin"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ACCOUNTS)
def test_the_pages_answer_as_the_predicate_says(username, client_as, demo_user):
    allowed = can_read_audit(Viewer.for_user(demo_user(username)))
    assert client_as(username).get(reverse("audit:list", args=["posts"])).status_code == (200 if allowed else 403)


@pytest.mark.django_db
def test_a_superuser_reads_every_version(client_as, demo_user):
    from grids.models import GridUnit

    # A post saved in 七星区 and one in 秀峰区: the superuser reads both, 秀峰区's district staff one.
    qixing = GridUnit.objects.filter(name="七星区").first()
    xiufeng = GridUnit.objects.filter(name="秀峰区").first()
    user = demo_user("organ_member")
    posts = [Post(user=user, unit=unit, role=Post.Role.PARTY_INSTRUCTOR) for unit in (qixing, xiufeng)]
    for post in posts:
        post.save()  # each save writes a version
    listed = {
        entry.record.id for entry in client_as("admin").get(reverse("audit:list", args=["posts"])).context["entries"]
    }
    assert {post.pk for post in posts} <= listed
    district = client_as("xiufeng_district").get(reverse("audit:list", args=["posts"])).context["entries"]
    assert {entry.record.id for entry in district} & {post.pk for post in posts} == {posts[1].pk}
