"""Reads of the service network, always on behalf of a viewer.

Public reads (`directory_*`) show active points and never personal data; staff
reads go through `access.visible_points_q` (jurisdiction plus the viewer's own
points). The viewer is a `grids.viewer.Viewer`, always passed as `viewer=`. Every list and dashboard is a fixed number of queries, whatever the
number of points or log entries.
"""

from .directory import PUBLIC_FIELDS, PublicPointDetail, directory_point_get, directory_points, district_of, districts
from .network import (
    ChildRow,
    KindLevelRow,
    MonthCount,
    NetworkOverview,
    WorkstationCompliance,
    kind_level_rows,
    kind_level_rows_of,
    network_overview,
    red_station_kind_counts,
    red_station_months,
    workstation_compliance,
)
from .points import (
    PointWorkspace,
    compound_ratings,
    follow_up_issue_choices,
    home_unit,
    member_points,
    point_get,
    point_list,
    point_workspace,
    rating_list,
    red_station_entry_get,
    red_station_recent,
    red_station_today_count,
    unit_get,
    volunteer_activity_choices,
)

__all__ = [
    "PUBLIC_FIELDS",
    "ChildRow",
    "KindLevelRow",
    "MonthCount",
    "NetworkOverview",
    "PointWorkspace",
    "PublicPointDetail",
    "WorkstationCompliance",
    "compound_ratings",
    "directory_point_get",
    "directory_points",
    "district_of",
    "districts",
    "follow_up_issue_choices",
    "home_unit",
    "kind_level_rows",
    "kind_level_rows_of",
    "member_points",
    "network_overview",
    "point_get",
    "point_list",
    "point_workspace",
    "rating_list",
    "red_station_kind_counts",
    "red_station_months",
    "red_station_entry_get",
    "red_station_recent",
    "red_station_today_count",
    "unit_get",
    "volunteer_activity_choices",
    "workstation_compliance",
]
