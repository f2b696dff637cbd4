"""Row locks under real concurrency (PostgreSQL): capacity, and the ledger's invariants.

Each thread opens its own connection and closes it when done.
"""

import random
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from grids.viewer import Viewer
from volunteers import services
from volunteers.models import Currency, LedgerAccount, LedgerEntry
from volunteers.selectors import ledger_totals

from .factories import community_of, fund, make_activity, make_volunteer, staff_user

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def _run_together(jobs) -> list:
    """Start every job at the same moment; return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_concurrent_sign_ups_to_five_places_exactly_five_succeed(seeded_transactional_db):
    staff = staff_user()
    unit = community_of()
    activity = make_activity(unit=unit, capacity=5, starts_at=timezone.now() + timedelta(days=1))
    people = [make_volunteer(unit) for _ in range(16)]
    results = _run_together(
        [lambda p=p: services.signup_create(activity=activity, volunteer=p, actor=staff) for p in people]
    )
    succeeded = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(succeeded) == 5
    assert len(refused) == 11
    assert all("名额已满" in r.message_dict["activity"][0] for r in refused)
    activity.refresh_from_db()
    assert activity.places_taken == 5
    assert activity.signups.count() == 5


def test_concurrent_postings_withdrawals_and_transfers_keep_the_ledger_sound(seeded_transactional_db):
    staff = staff_user("admin")
    unit = community_of()
    people = [make_volunteer(unit) for _ in range(6)]
    for person in people:
        fund(person, "5")
        fund(person, "20", Currency.POINTS)
    issuance = services.system_account(kind=LedgerAccount.Kind.ISSUANCE, currency=Currency.HOURS)
    entries_before = LedgerEntry.objects.count()
    rng = random.Random(4)

    def credit(person, amount):
        account = services.personal_account(volunteer=person, currency=Currency.HOURS)
        return services.ledger_post(
            kind=LedgerEntry.Kind.SERVICE, lines=[(account, amount), (issuance, -amount)], actor=staff
        )

    jobs = []
    for _ in range(60):
        a, b = rng.sample(people, 2)
        amount = Decimal(rng.choice(["0.5", "1", "2", "3", "4"]))
        kind = rng.choice(["credit", "withdraw", "transfer", "transfer", "redeem"])
        if kind == "credit":
            jobs.append(lambda a=a, amount=amount: credit(a, amount))
        elif kind == "withdraw":
            jobs.append(lambda a=a, amount=amount: services.timebank_withdraw(volunteer=a, hours=amount, actor=staff))
        elif kind == "redeem":
            jobs.append(lambda a=a, amount=amount: services.points_redeem(volunteer=a, points=amount * 3, actor=staff))
        else:
            # Both directions between the same pairs: without ordered locks these would deadlock.
            jobs.append(
                lambda a=a, b=b, amount=amount: services.ledger_transfer(
                    source=a, target=b, currency=Currency.HOURS, amount=amount, actor=staff
                )
            )
    results = _run_together(jobs)
    unexpected = [r for r in results if isinstance(r, Exception) and not isinstance(r, ValidationError)]
    assert unexpected == []
    written = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(written) + len(refused) == 60
    assert written  # most went through
    assert LedgerEntry.objects.count() == entries_before + len(written)
    for totals in ledger_totals(viewer=Viewer.system()):
        assert totals.postings_sum == 0
        assert totals.balances_sum == 0
        assert totals.drift == 0
        assert totals.negative_personal == 0
    for account in LedgerAccount.objects.filter(volunteer__in=people):
        assert account.balance >= 0
        assert account.postings.order_by("-pk").first().balance_after == account.balance
