"""Round trip of the demo city itself: its tree and its people and posts, exported as the portal exports
them (the import pages' export downloads, guilin_portal.exports), imported into an empty database, give
the same tree and the same posts; importing the same files again changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.color import no_style
from django.db import connection
from django.urls import reverse

from grids.models import GridUnit, Post, User
from tests.factories import UserFactory

from .helpers import apply, check, import_file

pytestmark = pytest.mark.django_db

# Tables the framework itself fills at migration time: kept, so that the empty database still works.
KEEP = {"django_content_type", "auth_permission", "django_migrations"}


def _tree() -> set[tuple]:
    return set(GridUnit.objects.values_list("code", "name", "level", "parent__code"))


def _posts() -> set[tuple]:
    return set(
        Post.objects.values_list(
            "user__full_name", "user__phone", "user__is_party_member", "role", "unit__code", "is_full_time"
        )
    )


def _empty_the_database() -> None:
    """Every row of every table goes (inside the test's transaction, rolled back afterwards)."""
    tables = [
        t for t in connection.introspection.django_table_names(only_existing=True, include_views=False) if t not in KEEP
    ]
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables, allow_cascade=True))


def _download(client, kind: str, fmt: str) -> SimpleUploadedFile:
    response = client.get(reverse("imports:export_download", args=[kind, fmt]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    return SimpleUploadedFile(f"{kind}.{fmt}", response.content)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_demo_citys_own_export_imports_into_an_empty_database_and_again_changes_nothing(
    fmt, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    # Given the seeded demo city, exported by its administrator through the portal's export downloads.
    tree_before, posts_before = _tree(), _posts()
    assert len(tree_before) > 500
    assert len(posts_before) > 50
    assert all(phone for _name, phone, *_rest in posts_before)  # every demo person has a mobile
    client.force_login(User.objects.get(username="admin"))
    tree_file, people_file = _download(client, "grid_tree", fmt), _download(client, "people", fmt)

    # When the database is emptied and the two files are imported by a new administrator.
    _empty_the_database()
    assert not GridUnit.objects.exists()
    assert not User.objects.exists()
    admin = UserFactory(is_superuser=True)
    tree_job = import_file(django_capture_on_commit_callbacks, actor=admin, kind="grid_tree", upload=tree_file)
    people_job = import_file(django_capture_on_commit_callbacks, actor=admin, kind="people", upload=people_file)

    # Then the same tree and the same posts are there.
    assert tree_job.counts == {"create": len(tree_before), "update": 0, "unchanged": 0, "refuse": 0}
    assert people_job.counts["create"] == len(posts_before)
    assert _tree() == tree_before
    assert _posts() == posts_before
    # One account per mobile, its user name the mobile.
    people = {phone for _name, phone, *_rest in posts_before}
    assert set(User.objects.exclude(pk=admin.pk).values_list("username", flat=True)) == people

    # And importing the same files again changes nothing.
    counts = (GridUnit.objects.count(), Post.terms.count(), User.objects.count())
    tree_file.seek(0)
    people_file.seek(0)
    again_tree = check(django_capture_on_commit_callbacks, actor=admin, kind="grid_tree", upload=tree_file)
    again_people = check(django_capture_on_commit_callbacks, actor=admin, kind="people", upload=people_file)
    assert again_tree.counts == {"create": 0, "update": 0, "unchanged": len(tree_before), "refuse": 0}
    assert again_people.counts == {"create": 0, "update": 0, "unchanged": len(posts_before), "refuse": 0}
    apply(django_capture_on_commit_callbacks, actor=admin, job=again_people)
    assert (GridUnit.objects.count(), Post.terms.count(), User.objects.count()) == counts
    assert _tree() == tree_before
    assert _posts() == posts_before
