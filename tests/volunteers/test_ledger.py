"""The double-entry ledger: balanced entries, no negative personal balance, atomic transfers, reversals."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grids.viewer import Viewer
from volunteers import services
from volunteers.models import Currency, LedgerAccount, LedgerEntry, LedgerPosting, TeamMember
from volunteers.selectors import ledger_totals

from .factories import community_of, fund, make_team, make_volunteer, staff_user, volunteer_of


def assert_ledger_sound():
    for totals in ledger_totals(viewer=Viewer.system()):
        assert totals.postings_sum == 0, totals
        assert totals.balances_sum == 0, totals
        assert totals.drift == 0, totals
        assert totals.negative_personal == 0, totals


def test_demo_ledger_is_sound(db):
    # Given the seeded demo city, when the ledger audits itself, then every currency sums to zero.
    assert LedgerPosting.objects.exists()
    assert_ledger_sound()


def test_unbalanced_entry_is_refused_and_writes_nothing(db):
    person = make_volunteer(community_of())
    account = services.personal_account(volunteer=person, currency=Currency.HOURS)
    issuance = services.system_account(kind=LedgerAccount.Kind.ISSUANCE, currency=Currency.HOURS)
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.ledger_post(
            kind=LedgerEntry.Kind.SERVICE, lines=[(account, Decimal("3")), (issuance, Decimal("-2"))], actor=None
        )
    assert "lines" in caught.value.message_dict
    assert LedgerEntry.objects.count() == entries
    account.refresh_from_db()
    assert account.balance == 0


def test_mixed_currencies_must_balance_each(db):
    person = make_volunteer(community_of())
    hours = services.personal_account(volunteer=person, currency=Currency.HOURS)
    points_issuance = services.system_account(kind=LedgerAccount.Kind.ISSUANCE, currency=Currency.POINTS)
    with pytest.raises(ValidationError):
        services.ledger_post(
            kind=LedgerEntry.Kind.SERVICE, lines=[(hours, Decimal("2")), (points_issuance, Decimal("-2"))], actor=None
        )


def test_withdrawal_cannot_take_a_personal_account_below_zero(db):
    staff = staff_user()
    person = make_volunteer(community_of())
    account = fund(person, "3")
    with pytest.raises(ValidationError) as caught:
        services.timebank_withdraw(volunteer=person, hours=Decimal("3.5"), actor=staff)
    assert "余额不足" in caught.value.message_dict["amount"][0]
    account.refresh_from_db()
    assert account.balance == Decimal("3")
    services.timebank_withdraw(volunteer=person, hours=Decimal("3"), actor=staff)
    account.refresh_from_db()
    assert account.balance == 0
    assert account.postings.order_by("-pk").first().balance_after == 0
    assert_ledger_sound()


def test_the_database_refuses_a_negative_personal_balance(db):
    # The CHECK constraint is the last guard if code ever forgets the rule.
    account = fund(make_volunteer(community_of()), "1")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=account.pk).update(balance=Decimal("-0.01"))


def test_withdrawal_is_registered_by_staff_where_the_person_lives(db):
    person = make_volunteer(community_of())
    fund(person, "5")
    with pytest.raises(PermissionDenied):
        services.timebank_withdraw(volunteer=person, hours=Decimal("1"), actor=staff_user("qixing_worker"))


def test_transfer_is_atomic_and_refused_beyond_the_balance(db):
    giver = volunteer_of("organ_member")
    elder = make_volunteer(community_of(), party=False)
    # A receiver the giver may see: on the roster of a team the giver leads.
    team = make_team(community_of(), leader=giver)
    TeamMember.objects.create(team=team, volunteer=elder, joined_on=timezone.localdate())
    giver_account = services.personal_account(volunteer=giver, currency=Currency.HOURS)
    before = giver_account.balance
    entry = services.ledger_transfer(
        source=giver, target=elder, currency=Currency.HOURS, amount=Decimal("1.5"), actor=giver.user
    )
    assert sorted(p.amount for p in entry.postings.all()) == [Decimal("-1.50"), Decimal("1.50")]
    giver_account.refresh_from_db()
    assert giver_account.balance == before - Decimal("1.5")
    with pytest.raises(ValidationError):
        services.ledger_transfer(
            source=giver, target=elder, currency=Currency.HOURS, amount=before + 100, actor=giver.user
        )
    giver_account.refresh_from_db()
    assert giver_account.balance == before - Decimal("1.5")
    elder_account = services.personal_account(volunteer=elder, currency=Currency.HOURS)
    assert elder_account.balance == Decimal("1.5")
    assert_ledger_sound()


def test_one_may_transfer_only_ones_own_hours(db):
    other = make_volunteer(community_of())
    fund(other, "4")
    me = volunteer_of("organ_member")
    with pytest.raises(PermissionDenied):
        services.ledger_transfer(source=other, target=me, currency=Currency.HOURS, amount=Decimal("1"), actor=me.user)


def test_reversing_an_entry_mirrors_it_once(db):
    staff = staff_user()
    person = make_volunteer(community_of())
    fund(person, "5")
    entry = services.timebank_withdraw(volunteer=person, hours=Decimal("2"), actor=staff)
    reversal = services.entry_reverse(entry=entry, actor=staff)
    assert reversal.reverses_id == entry.pk
    assert sorted(p.amount for p in reversal.postings.all()) == sorted(-p.amount for p in entry.postings.all())
    assert services.personal_account(volunteer=person, currency=Currency.HOURS).balance == Decimal("5")
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=entry, actor=staff)
    with pytest.raises(ValidationError):
        services.entry_reverse(entry=reversal, actor=staff)
    assert_ledger_sound()


def test_a_service_credit_is_reversed_through_its_record_only(db):
    record_entry = LedgerEntry.objects.filter(credited_records__isnull=False).first()
    with pytest.raises(ValidationError) as caught:
        services.entry_reverse(entry=record_entry, actor=staff_user("admin"))
    assert "服务记录" in caught.value.message_dict["entry"][0]


def test_the_nightly_audit_reports_a_sound_ledger(db):
    from volunteers.tasks import ledger_audit_task

    report = ledger_audit_task.delay().get()
    assert set(report) == {"hours", "points"}
    assert all(figures["sound"] == "True" for figures in report.values())


def test_the_nightly_audit_is_scheduled():
    from guilin_portal.schedules import CELERY_BEAT_SCHEDULE

    entry = CELERY_BEAT_SCHEDULE["volunteers-ledger-audit"]
    assert entry["task"] == "volunteers.tasks.ledger_audit_task"
