"""The service network: party-and-mass service centers on four levels, community venues,
party-member studios, pioneer alliance workstations, tourism red stations, theme parks, trusted
stores and civility practice sites; star ratings; workstation compliance; the red stations' log.

models/      ServicePoint (one family with a kind), ratings, workstations, red stations
services/    writes with rules: points, ratings, workstations, red_stations (and the monthly roll-up)
selectors/   reads for a viewer: directory (public), network (overview, compliance, months), points
access.py    who reads (jurisdiction + the point's own staff), who works on a point, allowed_actions()
compliance.py  the workstations' yearly duties, as one pure function
periods.py   calendar months in local time
views/       public.py (no log-in, no personal data) and staff.py; api/ under /api/v1/service-points/
demo/        the report's figures at any scale (plan() is exact)
"""
