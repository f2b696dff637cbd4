"""Writes to the service network, one function per business action (see each module)."""

from .points import point_create, point_menu_set, point_staff_add, point_staff_remove, point_update
from .ratings import star_rating_record, stars_for_total
from .red_stations import (
    job_offer_record,
    local_product_add,
    red_station_service_log,
    red_station_service_undo,
    red_station_tally_refresh,
)
from .workstations import (
    deliberation_meeting_link_issues,
    deliberation_meeting_record,
    workstation_activity_from_volunteer,
    workstation_activity_record,
    workstation_member_add,
)

__all__ = [
    "deliberation_meeting_link_issues",
    "deliberation_meeting_record",
    "job_offer_record",
    "local_product_add",
    "point_create",
    "point_menu_set",
    "point_staff_add",
    "point_staff_remove",
    "point_update",
    "red_station_service_log",
    "red_station_service_undo",
    "red_station_tally_refresh",
    "star_rating_record",
    "stars_for_total",
    "workstation_activity_from_volunteer",
    "workstation_activity_record",
    "workstation_member_add",
]
