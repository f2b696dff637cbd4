"""The fourteen demo log-ins (seed_demo's `ctx.add_account` calls, minus the two API keys) and the
workbench cards each must get."""

DEMO_LOGINS = {
    "admin": {"admin", "office"},
    "xiufeng_district": {"office"},
    "xiufeng_street": {"office"},
    "xiufeng_community": {"office"},
    "xiufeng_leader": {"grid"},
    "xiufeng_worker": {"grid"},
    "qixing_worker": {"grid"},
    "xiufeng_urban": {"handler"},
    "xiufeng_team_leader": {"team_leader", "volunteer"},
    "organ_member": {"volunteer"},
    "yangshuo_station": {"station"},
    "unit_contact": {"cobuilding"},
    "xiufeng_orgdept": {"org_department"},
    "xiufeng_secretary": {"party_secretary"},
}

# Phone roles get the bottom tab bar; desk roles the menu.
FIELD_LOGINS = {
    "xiufeng_leader",
    "xiufeng_worker",
    "qixing_worker",
    "xiufeng_team_leader",
    "organ_member",
    "yangshuo_station",
    "xiufeng_secretary",
}
