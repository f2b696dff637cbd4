"""The Viewer: who is asking, built once, in one query whatever the number of posts, and never changed."""

import dataclasses

import factory
import pytest
from celery import shared_task
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from grids import services
from grids.management.base import SystemCommand
from grids.middleware import ViewerMiddleware
from grids.models import GridUnit, Post, User
from grids.viewer import Viewer, ViewerKind, acting_as, current_viewer, registered_facets, viewer_of
from tests.grids.factories import chain, unit

pytestmark = pytest.mark.django_db


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"viewer-test-{n}")


@pytest.fixture
def city():
    return unit(None, GridUnit.Level.CITY)


def _communities(city, n: int) -> list[GridUnit]:
    district = unit(city)
    street = unit(district)
    return [unit(street) for _ in range(n)]


def _queries_to_build(user: User) -> tuple[int, Viewer]:
    with CaptureQueriesContext(connection) as captured:
        viewer = Viewer.for_user(user)
        viewer.posts, viewer.teams_led, viewer.departments, viewer.jurisdiction, viewer.staff_paths  # noqa: B018
    return len(captured.captured_queries), viewer


@pytest.mark.parametrize("posts", [1, 20])
def test_a_viewer_is_built_in_one_query_whatever_the_number_of_posts(city, posts):
    user = UserFactory()
    for community in _communities(city, posts):
        services.post_assign(user=user, unit=community, role=Post.Role.COMMUNITY_STAFF)

    count, viewer = _queries_to_build(user)

    assert count == 1
    assert len(viewer.posts) == posts
    assert len(viewer.jurisdiction) == posts
    assert viewer.staff_paths == viewer.jurisdiction


def test_every_registered_facet_joins_the_same_query():
    # The apps above grids register their facets when they start; grids names none of their modules.
    assert set(registered_facets()) == {
        "cobuilding_units",
        "departments",
        "party_organisations",
        "service_points",
        "teams_led",
        "volunteer_ids",
    }


def test_jurisdiction_drops_nested_posts_and_staff_paths_keep_only_staff_posts(city):
    user = UserFactory()
    district, street, community, area = chain(city, GridUnit.Level.AREA)
    services.post_assign(user=user, unit=street, role=Post.Role.STREET_STAFF)
    services.post_assign(user=user, unit=community, role=Post.Role.COMMUNITY_STAFF)
    services.post_assign(user=user, unit=area, role=Post.Role.GRID_WORKER)
    elsewhere = unit(unit(city))
    other_area = chain(elsewhere, GridUnit.Level.AREA)[-1]
    services.post_assign(user=user, unit=other_area, role=Post.Role.GRID_LEADER)

    viewer = Viewer.for_user(user)

    assert viewer.jurisdiction == tuple(sorted([street.path, other_area.path]))
    assert viewer.staff_paths == (street.path,)
    assert viewer.sees_path(area.path)
    assert viewer.sees_path(other_area.path)
    assert not viewer.sees_path(district.path)
    assert not viewer.sees_path(elsewhere.path)
    assert viewer.is_staff_over(area.path)
    assert not viewer.is_staff_over(other_area.path)
    assert viewer.holds(Post.Role.GRID_LEADER, other_area.path)
    assert not viewer.holds(Post.Role.GRID_LEADER, area.path)
    assert viewer.holds_over({Post.Role.STREET_STAFF}, area.path)


def test_a_superuser_sees_everything_without_a_query():
    admin = UserFactory(is_superuser=True)
    with CaptureQueriesContext(connection) as captured:
        viewer = Viewer.for_user(admin)
        assert viewer.jurisdiction is None
        assert viewer.staff_paths is None
        assert viewer.sees_path("0001")
        assert viewer.is_staff_over("0001")
    assert captured.captured_queries == []


@pytest.mark.parametrize("who", [None, AnonymousUser()])
def test_nobody_is_the_anonymous_viewer(who):
    viewer = viewer_of(who)
    assert viewer.kind == ViewerKind.ANONYMOUS
    assert not viewer.is_authenticated
    assert viewer.jurisdiction == ()
    assert not viewer.sees_path("0001")


def test_an_inactive_account_is_nobody(city):
    user = UserFactory(is_active=False)
    services.post_assign(user=user, unit=_communities(city, 1)[0], role=Post.Role.COMMUNITY_STAFF)
    assert Viewer.for_user(user).kind == ViewerKind.ANONYMOUS


def test_the_system_viewer_sees_and_acts_everywhere():
    system = Viewer.system()
    assert system.kind == ViewerKind.SYSTEM
    assert system.jurisdiction is None
    assert system.sees_everything
    assert system.user is None


def test_a_programs_viewer_reads_its_subtree_and_is_nobody(city):
    community = _communities(city, 1)[0]
    viewer = Viewer.for_client(ViewerKind.STATS_KEY, client=object(), paths=[community.path])
    assert viewer.is_client
    assert not viewer.is_person
    assert viewer.jurisdiction == (community.path,)
    assert viewer.posts == ()
    assert viewer.staff_paths == ()


def test_a_viewer_cannot_be_changed_and_leaves_nothing_on_the_user(city):
    user = UserFactory()
    services.post_assign(user=user, unit=_communities(city, 1)[0], role=Post.Role.COMMUNITY_STAFF)
    before = set(vars(user))
    viewer = Viewer.for_user(user)
    viewer.posts  # noqa: B018
    with pytest.raises(dataclasses.FrozenInstanceError):
        viewer.sees_everything = True
    assert set(vars(user)) == before


def test_the_middleware_builds_the_viewer_only_when_asked_and_services_find_it(city):
    user = UserFactory()
    services.post_assign(user=user, unit=_communities(city, 1)[0], role=Post.Role.COMMUNITY_STAFF)
    request = RequestFactory().get("/")
    request.user = user
    seen = {}

    def view(request):
        with CaptureQueriesContext(connection) as captured:
            seen["first"] = viewer_of(user)
            seen["first"].posts  # noqa: B018 - the standing is read on first use
            seen["again"] = viewer_of(user)
            seen["again"].posts  # noqa: B018
            seen["current"] = current_viewer()
        seen["queries"] = len(captured.captured_queries)
        return HttpResponse("ok")

    with CaptureQueriesContext(connection) as whole:
        ViewerMiddleware(view)(request)

    assert seen["first"] is seen["again"]
    assert seen["current"] == seen["first"]
    assert seen["queries"] == 1  # read once, for the whole request
    assert len(whole.captured_queries) == 1


def test_a_page_that_asks_nothing_costs_no_viewer_query(city):
    request = RequestFactory().get("/")
    request.user = UserFactory()
    with CaptureQueriesContext(connection) as captured:
        ViewerMiddleware(lambda request: HttpResponse("ok"))(request)
    assert captured.captured_queries == []
    assert current_viewer() is None  # nothing outlives the request


def test_acting_as_binds_the_viewer_for_a_task():
    system = Viewer.system()
    with acting_as(system):
        assert current_viewer() is system
    assert current_viewer() is None


def test_a_token_call_gets_the_tokens_viewer(client, city):
    community = _communities(city, 1)[0]
    other = _communities(city, 1)[0]
    user = UserFactory()
    services.post_assign(user=user, unit=community, role=Post.Role.COMMUNITY_STAFF)
    token = Token.objects.create(user=user)

    mine = client.get(f"/api/v1/units/{community.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")
    theirs = client.get(f"/api/v1/units/{other.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}")

    assert mine.status_code == 200
    assert mine.json()["id"] == community.pk
    assert theirs.status_code == 404


@shared_task(name="tests.grids.viewer_probe")
def _viewer_probe() -> str:
    return str(current_viewer().kind)


def test_a_task_acts_as_the_system_and_the_request_viewer_comes_back_after_it():
    person = Viewer.anonymous()
    with acting_as(person):
        assert _viewer_probe.delay().get() == ViewerKind.SYSTEM
        assert current_viewer() is person


def test_a_management_command_acts_as_the_system():
    seen = []

    class Probe(SystemCommand):
        def handle(self, *args, **options):
            seen.append(current_viewer())

    Probe().execute(no_color=True, force_color=False, skip_checks=True, stdout=None, stderr=None)
    assert seen[0].kind == ViewerKind.SYSTEM
