"""Reads of the people pages: always through the viewer's staff subtrees (people.access)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from grids.models import GridUnit, Post, User
from grids.viewer import Viewer

from . import access
from .models import ActivationLink


@dataclass(frozen=True)
class PeopleFilters:
    q: str = ""
    role: str = ""
    unit: GridUnit | None = None  # a unit of the viewer's: people with posts in its subtree


def people_list(*, viewer: Viewer, filters: PeopleFilters = PeopleFilters()) -> QuerySet:
    """People holding a current post in the viewer's staff subtrees, with those posts (two queries a page)."""
    if not access.can_open_people(viewer):
        return User.objects.none()
    posts = Post.objects.filter(access.people_q(viewer))
    if filters.role:
        posts = posts.filter(role=filters.role)
    if filters.unit is not None:
        posts = posts.filter(unit__path__startswith=filters.unit.path)
    people = User.objects.filter(pk__in=posts.values("user_id"))
    if filters.q:
        q = filters.q.strip()
        people = people.filter(Q(full_name__icontains=q) | Q(phone__startswith=q) | Q(username__iexact=q))
    visible_posts = Post.objects.filter(access.people_q(viewer)).select_related("unit").order_by("unit__path", "role")
    return people.order_by("full_name", "pk").prefetch_related(Prefetch("posts", queryset=visible_posts))


def person_get(*, viewer: Viewer, pk: int) -> User:
    """A person with a post (current or past) in the viewer's staff subtrees, else 404."""
    if not access.can_open_people(viewer):
        raise Http404
    paths = Post.terms.filter(user_id=pk).values_list("unit__path", flat=True)
    if not access.can_see_person(viewer, paths):
        raise Http404
    return User.objects.get(pk=pk)


def person_posts(*, person: User) -> tuple[list[Post], list[Post]]:
    """The person's current posts and their past ones (newest first): their posts over time."""
    terms = list(Post.terms.filter(user=person).select_related("unit").order_by("-ended_on", "unit__path", "role"))
    current = [p for p in terms if p.ended_on is None]
    past = [p for p in terms if p.ended_on is not None]
    return current, past


def person_post_history(*, person: User, limit: int = 50) -> list:
    """Who created, moved or retired which of the person's posts, and when (the audit history)."""
    rows = (
        Post.history.filter(user_id=person.pk)
        .select_related("history_user", "unit")
        .order_by("-history_date", "-history_id")[:limit]
    )
    rows = list(rows)
    previous = {}
    # The row before each version (same post, older) tells what a change did: created, moved, retired.
    for row in sorted(rows, key=lambda r: (r.history_date, r.history_id)):
        before = previous.get(row.id)
        if row.history_type == "+":
            row.change = "created"
        elif row.history_type == "-":
            row.change = "deleted"
        elif before is not None and before.unit_id != row.unit_id:
            row.change = "moved"
            row.from_unit = before.unit
        elif row.ended_on and (before is None or before.ended_on is None):
            row.change = "retired"
        else:
            row.change = "changed"
        previous[row.id] = row
    return rows


def post_get(*, viewer: Viewer, pk: int, current: bool = True) -> Post:
    """A post inside the viewer's staff subtrees, else 404."""
    if not access.can_open_people(viewer):
        raise Http404
    manager = Post.objects if current else Post.terms
    post = manager.filter(access.people_q(viewer)).select_related("unit", "user").filter(pk=pk).first()
    if post is None:
        raise Http404
    return post


def unit_by_code(*, viewer: Viewer, code: str) -> GridUnit | None:
    """A unit of the viewer's staff subtrees named by its code (None: no such unit, or not theirs)."""
    unit = GridUnit.objects.filter(code=code.strip()).first()
    if unit is None or not viewer.is_staff_over(unit.path):
        return None
    return unit


def person_by_contact(*, viewer: Viewer, contact: str) -> User | None:
    """An active person of the viewer's subtrees named by mobile or user name (a successor)."""
    contact = contact.strip()
    if not contact:
        return None
    candidates = User.objects.filter(Q(phone=contact) | Q(username=contact), is_active=True)
    posts = Post.objects.filter(access.people_q(viewer), user__in=candidates).select_related("user").order_by("user_id")
    post = posts.first()
    return post.user if post is not None else None


def activation_expiry(*, person: User):
    """When the person's newest activation link stops working (None: they have none)."""
    link = ActivationLink.objects.filter(user=person).order_by("-created_at", "-pk").only("expires_at").first()
    return link.expires_at if link is not None else None
