"""Two people acting on the same issue at once: one wins, the other is told it changed (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from grids.models import User
from guilin_portal.errors import ConflictError
from issues import services
from issues.models import Issue, IssueEvent

from .factories import fresh, log_routed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def run_together(*actions):
    """Run the callables in threads that start together; return each one's result or exception."""
    barrier = threading.Barrier(len(actions))
    results: list = [None] * len(actions)

    def runner(index, action):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            results[index] = action()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = error
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=runner, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_concurrent_resolves_one_wins_the_other_gets_a_conflict(seeded_transactional_db):
    worker = User.objects.get(username="xiufeng_worker")
    staff = User.objects.get(username="xiufeng_community")
    issue = services.issue_accept(actor=staff, issue=log_routed(worker))
    # Both people opened the page at the same version...
    first_view, second_view = fresh(issue), fresh(issue)
    results = run_together(
        lambda: services.issue_resolve(actor=staff, issue=first_view, resolution="甲：已修好"),
        lambda: services.issue_resolve(actor=staff, issue=second_view, resolution="乙：已修好"),
    )
    wins = [r for r in results if isinstance(r, Issue)]
    conflicts = [r for r in results if isinstance(r, ConflictError)]
    assert len(wins) == 1, results
    assert len(conflicts) == 1, results
    final = fresh(issue)
    assert final.status == Issue.Status.RESOLVED
    assert final.resolution == wins[0].resolution  # the loser overwrote nothing
    assert IssueEvent.objects.filter(issue=issue, kind="resolved").count() == 1


def test_the_api_answers_409_to_the_loser(seeded_transactional_db):
    from rest_framework.test import APIClient

    worker = User.objects.get(username="xiufeng_worker")
    staff = User.objects.get(username="xiufeng_community")
    issue = services.issue_accept(actor=staff, issue=log_routed(worker))

    def resolve(text):
        client = APIClient()
        client.force_authenticate(staff)
        return client.post(
            f"/api/v1/issues/{issue.pk}/resolve/", {"resolution": text, "version": issue.version}, format="json"
        ).status_code

    assert sorted(run_together(lambda: resolve("甲"), lambda: resolve("乙"))) == [200, 409]


def test_concurrent_routing_routes_once(seeded_transactional_db):
    from .factories import log

    worker = User.objects.get(username="xiufeng_worker")
    issue = log(worker)
    run_together(*[lambda: services.issue_route(issue_id=issue.pk)] * 3)
    assert IssueEvent.objects.filter(issue=issue, kind="allocated").count() == 1
    assert fresh(issue).status == Issue.Status.ALLOCATED
