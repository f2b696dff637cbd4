"""The public disclosure board 党务公开栏: a community publishes each quarter's completion.

Publishing freezes a snapshot (BoardPublication + one BoardLine per contract,
copied from a tally refreshed for the community just before). Nothing ever
updates a publication: when progress changes afterwards, the community
publishes a correction, a new version with its reason, and the board shows it
as a correction with the earlier figures beside it.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.models import GridUnit, User
from grids.viewer import viewer_of
from guilin_portal.errors import ConflictError

from ..access import require_community_staff
from ..models import BoardLine, BoardPublication, Contract, QuarterlyTally, TallyFigures, TallyRun
from ..periods import has_ended
from .tally import tally_quarter


def _fresh_figures(*, community: GridUnit, year: int, quarter: int, actor: User) -> tuple[dict, list[dict]]:
    """The community's figures and its contracts' lines, from a tally refreshed just now."""
    tally_quarter(year=year, quarter=quarter, trigger=TallyRun.Trigger.PUBLISH, requested_by=actor, within=community)
    total = QuarterlyTally.objects.filter(
        unit=community, year=year, quarter=quarter, contract__isnull=True, scope=QuarterlyTally.Scope.COMMUNITY
    ).first()
    rows = (
        QuarterlyTally.objects.filter(unit=community, year=year, quarter=quarter, scope=QuarterlyTally.Scope.CONTRACT)
        .select_related("contract__unit")
        .order_by("contract__number")
    )
    lines = [
        {
            "contract": row.contract,
            "contract_number": row.contract.number,
            "unit_name": row.contract.unit.name,
            **row.figures(),
        }
        for row in rows
    ]
    figures = total.figures() if total is not None else dict.fromkeys(TallyFigures.FIELDS, 0)
    if total is None:
        figures["completion_rate"] = None
    return figures, lines


def _line_key(line: dict) -> tuple:
    return (line["contract"].pk, *(line[field] for field in TallyFigures.FIELDS))


def _write(
    *, community: GridUnit, year: int, quarter: int, version: int, reason: str, actor: User, figures: dict, lines: list
) -> BoardPublication:
    publication = BoardPublication(
        community=community,
        year=year,
        quarter=quarter,
        version=version,
        reason=reason,
        published_at=timezone.now(),
        published_by=actor,
        **figures,
    )
    publication.full_clean()
    publication.save()
    BoardLine.objects.bulk_create(BoardLine(publication=publication, **line) for line in lines)
    return publication


@transaction.atomic
def board_publish(*, actor: User, community: GridUnit, year: int, quarter: int) -> BoardPublication:
    """Publish a finished quarter of a community's contracts on the public board (once; then corrections)."""
    require_community_staff(viewer_of(actor), community)
    if quarter not in (1, 2, 3, 4):
        raise ValidationError({"quarter": _("季度只能是 1 到 4。")})
    if not has_ended(year, quarter, timezone.localdate()):
        raise ValidationError(
            {"quarter": _("%(year)s年第%(quarter)s季度尚未结束，不能公开。") % {"year": year, "quarter": quarter}}
        )
    # Serialise publications of one community.
    GridUnit.objects.select_for_update().filter(pk=community.pk).first()
    if BoardPublication.objects.filter(community=community, year=year, quarter=quarter).exists():
        raise ValidationError({"quarter": _("本季度已经公开；数据有变化请发布更正。")})
    if not Contract.objects.counted().filter(community=community, year=year).exists():
        raise ValidationError({"year": _("本社区%(year)s年度没有已签订的契约，无可公开。") % {"year": year}})
    figures, lines = _fresh_figures(community=community, year=year, quarter=quarter, actor=actor)
    return _write(
        community=community, year=year, quarter=quarter, version=1, reason="", actor=actor, figures=figures, lines=lines
    )


@transaction.atomic
def board_correct(*, actor: User, publication: BoardPublication, reason: str) -> BoardPublication:
    """Publish a correction of a quarter: a new version with the current figures and its reason.

    The corrected version must be the latest (someone else may have corrected
    first: 409), and the figures must actually differ.
    """
    community = publication.community
    require_community_staff(viewer_of(actor), community)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明更正原因。")})
    GridUnit.objects.select_for_update().filter(pk=community.pk).first()
    latest = (
        BoardPublication.objects.filter(community=community, year=publication.year, quarter=publication.quarter)
        .order_by("-version")
        .first()
    )
    if latest.pk != publication.pk:
        raise ConflictError(
            _("这一季度已有更新的版本（第%(version)s版），请在最新版本上更正。") % {"version": latest.version}
        )
    figures, lines = _fresh_figures(
        community=community, year=publication.year, quarter=publication.quarter, actor=actor
    )
    old_lines = [
        {"contract": line.contract, **line.figures()}
        for line in latest.lines.select_related("contract").order_by("contract__number")
    ]
    if figures == latest.figures() and sorted(map(_line_key, lines)) == sorted(map(_line_key, old_lines)):
        raise ValidationError({"reason": _("数据与已公开的版本相同，无需更正。")})
    return _write(
        community=community,
        year=publication.year,
        quarter=publication.quarter,
        version=latest.version + 1,
        reason=reason,
        actor=actor,
        figures=figures,
        lines=lines,
    )
