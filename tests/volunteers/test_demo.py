"""The demo step keeps its promise (plan) at the test scale, and its two demo accounts work."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, F, Q

from issues.models import HandlerKind, Issue, RoutingRule
from tests.conftest import DEMO_SCALE
from volunteers import demo
from volunteers.models import (
    Activity,
    ActivitySignup,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    MemberRegistration,
    OrganisationRegistration,
    OrganOrganisation,
    PointRule,
    ServiceCategory,
    ServiceRecord,
    Team,
    TeamMember,
    Volunteer,
)
from volunteers.services.records import award_under, most_specific_point_rule


def test_the_seed_builds_exactly_what_the_plan_promises(db):
    promised = demo.plan(DEMO_SCALE)
    kinds = dict(Team.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    team_issues = Issue.objects.filter(handler_kind=HandlerKind.VOLUNTEER_TEAM)
    entries = dict(LedgerEntry.objects.values("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    built = {
        "volunteers.categories": ServiceCategory.objects.count(),
        "volunteers.point_rules": PointRule.objects.count(),
        "volunteers.teams": Team.objects.count(),
        "volunteers.teams.party_volunteer": kinds.get("party_volunteer", 0),
        "volunteers.teams.red_property": kinds.get("red_property", 0),
        "volunteers.teams.vanguard": kinds.get("vanguard", 0),
        "volunteers.teams.commando": kinds.get("commando", 0),
        "volunteers.volunteers": Volunteer.objects.count(),
        "volunteers.volunteers.organ_members": Volunteer.objects.organ_members().count(),
        "volunteers.memberships": TeamMember.objects.count(),
        "volunteers.organisations": OrganOrganisation.objects.count(),
        "volunteers.organisation_registrations": OrganisationRegistration.objects.count(),
        "volunteers.member_registrations": MemberRegistration.objects.count(),
        "volunteers.activities": Activity.objects.count(),
        "volunteers.activities.red_property": Activity.objects.filter(team__kind=Team.Kind.RED_PROPERTY).count(),
        "volunteers.signups": ActivitySignup.objects.count(),
        "volunteers.records.verified": ServiceRecord.objects.verified().count(),
        "volunteers.records.pending": ServiceRecord.objects.pending().count(),
        "volunteers.records.difficulties_solved": ServiceRecord.objects.filter(solved_difficulty=True).count(),
        "volunteers.ledger.entries": LedgerEntry.objects.count(),
        "volunteers.ledger.withdrawals": entries.get("withdrawal", 0),
        "volunteers.ledger.transfers": entries.get("transfer", 0),
        "volunteers.ledger.redemptions": entries.get("redemption", 0),
        "volunteers.demands.routing_rules": RoutingRule.objects.filter(handler_kind=HandlerKind.VOLUNTEER_TEAM).count(),
        "volunteers.demands.resolved": team_issues.filter(
            status__in=[Issue.Status.RESOLVED, Issue.Status.CLOSED]
        ).count(),
        "volunteers.demands.open": team_issues.open().count(),
        "volunteers.demands.shifts": Activity.objects.filter(issue_task__isnull=False).count(),
        "volunteers.records.issue": ServiceRecord.objects.verified().filter(source=ServiceRecord.Source.ISSUE).count(),
    }
    assert built == promised


def test_plan_at_full_scale_is_the_reports_figures():
    promised = demo.plan(1)
    assert promised["volunteers.teams.party_volunteer"] == 900
    assert promised["volunteers.teams.red_property"] == 973
    assert 20000 <= promised["volunteers.activities.red_property"] <= 21000  # 开展公益活动2万余场次
    assert promised["volunteers.volunteers.organ_members"] == 24500
    assert promised["volunteers.records.verified"] == 97800
    assert promised["volunteers.records.difficulties_solved"] > 8000


def test_activity_places_match_their_sign_ups(db):
    mismatched = (
        Activity.objects.annotate(live=Count("signups", filter=~Q(signups__status=ActivitySignup.Status.CANCELLED)))
        .exclude(places_taken=F("live"))
        .count()
    )
    assert mismatched == 0


def test_every_verified_record_was_posted(db):
    assert not ServiceRecord.objects.verified().filter(entry__isnull=True).exists()
    assert ServiceRecord.objects.verified().filter(points__gt=0).exists()


def test_every_account_holds_what_its_postings_left_it(db):
    """The demo writes each account's balance from the ledger it built: the sum of its postings and the
    balance after its last one, for the personal accounts and the system's issuance and redemption ones.
    Summed here as Decimals (SQLite sums decimal columns as floating point)."""
    posted: dict[int, Decimal] = defaultdict(Decimal)
    last_after: dict[int, Decimal] = {}
    for account, amount, after in LedgerPosting.objects.order_by("pk").values_list(
        "account", "amount", "balance_after"
    ):
        posted[account] += amount
        last_after[account] = after
    balances = dict(LedgerAccount.objects.values_list("pk", "balance"))
    system = set(LedgerAccount.objects.filter(volunteer__isnull=True).values_list("pk", flat=True))
    assert len(system & set(posted)) >= 3  # issuance of both currencies, redemption
    assert len(set(posted) - system) > 100
    assert {pk: balances[pk] for pk in posted} == dict(posted)
    assert {pk: balances[pk] for pk in last_after} == last_after
    assert all(balance == 0 for pk, balance in balances.items() if pk not in posted)


def test_each_posting_carries_its_accounts_running_balance_and_each_entry_balances(db):
    """In posting order, an account's balance after each posting is the one before it plus the amount (no
    personal account below zero on the way), and every entry's postings cancel out per currency."""
    running: dict[int, Decimal] = defaultdict(Decimal)
    by_entry: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    personal = set(LedgerAccount.objects.filter(volunteer__isnull=False).values_list("pk", flat=True))
    postings = LedgerPosting.objects.order_by("pk").values_list(
        "entry", "account", "currency", "amount", "balance_after"
    )
    for entry, account, currency, amount, after in postings:
        running[account] += amount
        by_entry[(entry, currency)] += amount
        assert after == running[account], (entry, account)
        assert account not in personal or after >= 0, (entry, account)
    assert len(running) > 100
    assert set(by_entry.values()) == {Decimal(0)}


def test_every_verified_record_earned_what_its_point_rule_gives_and_its_entry_credits(db):
    """The demo prices each record by the service's own rule (priced once per category, kind and hours) and
    its entry credits the member those hours and points."""
    rules = {(rule.category_id, rule.activity_kind): rule for rule in PointRule.objects.filter(is_active=True)}
    credited: dict[tuple[int, str], Decimal] = {
        (entry, currency): amount
        for entry, currency, amount in LedgerPosting.objects.filter(
            account__volunteer__isnull=False, entry__kind=LedgerEntry.Kind.SERVICE
        ).values_list("entry", "currency", "amount")
    }
    records = ServiceRecord.objects.verified().values_list("category_id", "kind", "hours", "points", "entry_id")
    assert len(records) > 100
    for category_id, kind, hours, points, entry_id in records:
        rule = most_specific_point_rule(rules, category_id=category_id, kind=kind)
        award = award_under(rule, hours, party_member=True)
        assert points == award.points
        assert credited[(entry_id, "hours")] == award.hours
        assert credited.get((entry_id, "points"), Decimal("0.00")) == award.points
