"""Service records as a viewer may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from grids.viewer import Viewer

from .. import access
from ..models import ServiceRecord
from ._common import get_visible_or_404


def record_list(
    *,
    viewer: Viewer,
    status: str | None = None,
    team_id: int | None = None,
    volunteer_id: int | None = None,
    activity_id: int | None = None,
    mine: bool = False,
    source: str | None = None,
) -> QuerySet[ServiceRecord]:
    """Records the viewer may see, newest first; one query a page."""
    qs = ServiceRecord.objects.filter(access.record_visible_q(viewer))
    if mine:
        qs = qs.filter(volunteer_id=viewer.volunteer_id) if viewer.volunteer_id is not None else qs.none()
    if status:
        qs = qs.filter(status=status)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if volunteer_id:
        qs = qs.filter(volunteer_id=volunteer_id)
    if activity_id:
        qs = qs.filter(activity_id=activity_id)
    if source:
        qs = qs.filter(source=source)
    # team__unit: whether the viewer verifies each record (access.can_verify_record) costs no query.
    return qs.select_related("volunteer", "team__unit", "category", "unit", "activity", "verified_by").order_by(
        "-started_at", "-pk"
    )


def record_get(*, viewer: Viewer, pk: int) -> ServiceRecord:
    """A record the viewer may see, or 404."""
    return get_visible_or_404(
        ServiceRecord.objects.select_related("volunteer", "team__unit", "category", "unit", "activity", "verified_by"),
        access.record_visible_q(viewer),
        pk=pk,
    )


def records_for_review(*, viewer: Viewer, pks: list[int]) -> list[ServiceRecord] | None:
    """The records with these ids, in id order, if the viewer may see every one of them; None (a 404
    for the caller) if any is out of their sight, so nothing is verified on a guessed id."""
    wanted = sorted(set(pks))
    records = list(
        ServiceRecord.objects.filter(access.record_visible_q(viewer), pk__in=wanted)
        .select_related("volunteer", "team__unit", "unit")
        .order_by("pk")
    )
    return records if len(records) == len(wanted) else None
