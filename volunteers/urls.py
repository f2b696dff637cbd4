from django.urls import path

from .views import activities, boards, demands, ledger, records, teams

app_name = "volunteers"

urlpatterns = [
    path("", boards.home, name="home"),
    path("teams/", teams.team_list, name="team_list"),
    path("teams/<int:pk>/", teams.team_detail, name="team_detail"),
    path("teams/<int:pk>/members/add/", teams.team_member_add, name="team_member_add"),
    path("teams/<int:pk>/members/<int:member_pk>/remove/", teams.team_member_remove, name="team_member_remove"),
    path("teams/<int:pk>/members/<int:member_pk>/role/", teams.team_member_role, name="team_member_role"),
    path("teams/<int:pk>/issues/", demands.team_inbox, name="team_inbox"),
    path("demands/<int:pk>/", demands.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/accept/", demands.demand_accept, name="demand_accept"),
    path("demands/<int:pk>/shifts/", demands.demand_decompose, name="demand_decompose"),
    path("demands/<int:pk>/records/", demands.demand_record, name="demand_record"),
    path(
        "demands/<int:pk>/shifts/<int:activity_pk>/done/",
        demands.demand_shift_complete,
        name="demand_shift_complete",
    ),
    path("activities/", activities.activity_list, name="activity_list"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/sign-up/", activities.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/cancel/", activities.activity_cancel, name="activity_cancel"),
    path("activities/<int:pk>/verify/", activities.activity_verify_all, name="activity_verify_all"),
    path("sign-ups/<int:pk>/<slug:action>/", activities.signup_action, name="signup_action"),
    path("records/", records.record_list, name="record_list"),
    path("records/new/", records.record_create, name="record_create"),
    path("records/verify/", records.records_verify_bulk, name="records_verify_bulk"),
    path("records/<int:pk>/", records.record_detail, name="record_detail"),
    path("records/<int:pk>/verify/", records.record_verify, name="record_verify"),
    path("records/<int:pk>/reject/", records.record_reject, name="record_reject"),
    path("records/<int:pk>/reverse/", records.record_reverse, name="record_reverse"),
    path("me/", ledger.my_hours, name="my_hours"),
    path("me/transfer/", ledger.my_transfer, name="my_transfer"),
    path("accounts/<int:pk>/", ledger.account_detail, name="account_detail"),
    path("accounts/<int:pk>/withdraw/", ledger.account_withdraw, name="account_withdraw"),
    path("leaderboard/", boards.leaderboard, name="leaderboard"),
    path("dual-registration/", boards.registration_list, name="registration_list"),
    path("dual-registration/<int:pk>/", boards.registration_community, name="registration_community"),
]
