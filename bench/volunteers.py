"""Volunteer leaderboards over the report's 97,800 records, and ledger postings per second, on PostgreSQL.

    .venv/bin/python bench/volunteers.py            # recreate guilin_volunteers_bench, seed --scale 1, measure
    .venv/bin/python bench/volunteers.py --reuse    # measure the database seeded by an earlier run

Leaderboards: the page view called in-process (template rendering included, no
network), for the district with the most verified records and for the whole
city, beside the bare GROUP BY that the page cannot beat (the ceiling).

Ledger: entries written through the services, one thread and four threads,
beside the same writes as bare SQL in one thread (lock, insert entry and
postings, update balances: the ceiling). Figures go to stdout and to
bench/results/volunteers.txt.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from decimal import Decimal

from common import ROOT, manage, pg_url, printer_to_file, recreate_pg, setup_django, timed

DB_NAME = "guilin_volunteers_bench"
PG_URL = pg_url(DB_NAME)
RESULTS = ROOT / "bench" / "results" / "volunteers.txt"
out = printer_to_file(RESULTS)


def measure() -> None:
    """Runs in a subprocess whose DATABASE_URL names the seeded database."""
    setup_django()
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from grids.models import PATH_STEP, GridUnit, User
    from grids.viewer import Viewer
    from volunteers import services
    from volunteers.models import Currency, LedgerAccount, LedgerEntry, ServiceRecord, Volunteer
    from volunteers.selectors import ledger_totals
    from volunteers.views import boards

    vendor = connection.vendor
    admin = User.objects.get(username="admin")
    verified = ServiceRecord.objects.verified()
    out(f"{vendor}: {verified.count():,} verified records, {LedgerEntry.objects.count():,} ledger entries")

    # The district with the most verified records: the worst case for a district leaderboard.
    by_district = (
        verified.annotate(district=Substr("unit__path", 1, 2 * PATH_STEP))
        .values("district")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    district = GridUnit.objects.get(path=by_district["district"])
    city = GridUnit.objects.get(level=GridUnit.Level.CITY)
    factory = RequestFactory()

    def page(unit, period, board="volunteer"):
        request = factory.get("/volunteers/leaderboard/", {"unit": unit.pk, "period": period, "board": board})
        request.user = admin
        request.viewer = Viewer.for_user(admin)
        request.session = SessionStore()
        request._messages = []
        response = boards.leaderboard(request)
        assert response.status_code == 200
        return response

    def bare(unit, start=None, end=None):
        """The page's main query written by hand: the cheapest SQL that gives the top 20 (names aside)."""
        join = "" if unit.level == GridUnit.Level.CITY else "JOIN grids_gridunit u ON u.id = r.unit_id "
        where = ["r.status = 'verified'"]
        params = []
        if join:
            where.append("u.path LIKE %s")
            params.append(unit.path + "%")
        if start:
            where.append("r.started_at >= %s AND r.started_at < %s")
            params += [start, end]
        sql = (
            f"SELECT r.volunteer_id, SUM(r.hours) AS h, SUM(r.points), COUNT(*) FROM volunteers_servicerecord r {join}"
            f"WHERE {' AND '.join(where)} GROUP BY r.volunteer_id ORDER BY h DESC, r.volunteer_id LIMIT 20"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    from volunteers.selectors.leaderboards import period_bounds

    year_start, year_end = period_bounds("year")
    for unit, label, runs in ((district, f"district {district.name}", 60), (city, "whole city", 30)):
        rows = verified.filter(unit__path__startswith=unit.path).count()
        for period, start, end in (("year", year_start, year_end), ("all", None, None)):
            page(unit, period)  # warm
            with CaptureQueriesContext(connection) as queries:
                page(unit, period)
            p50, p99 = timed(lambda u=unit, p=period: page(u, p), runs)
            b50, b99 = timed(lambda u=unit, s=start, e=end: bare(u, s, e), runs)
            out(
                f"{vendor}: leaderboard page, {label} ({rows:,} records), period={period}: "
                f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, {len(queries.captured_queries)} queries; "
                f"bare GROUP BY (ceiling) p50 {b50:.1f} ms, p99 {b99:.1f} ms; page/bare {p50 / b50:.2f}x"
            )
        p50, p99 = timed(lambda u=unit: page(u, "all", "unit"), runs)
        out(f"{vendor}: leaderboard page by child unit, {label}, period=all: p50 {p50:.1f} ms, p99 {p99:.1f} ms")

    # --- Ledger throughput -------------------------------------------------------------------
    rng = random.Random(7)
    people = list(
        Volunteer.objects.filter(accounts__currency=Currency.HOURS, accounts__balance__gte=20).order_by("pk")[:400]
    )
    issuance = services.system_account(kind=LedgerAccount.Kind.ISSUANCE, currency=Currency.HOURS)

    def transfer():
        a, b = rng.sample(people, 2)
        services.ledger_transfer(source=a, target=b, currency=Currency.HOURS, amount=Decimal("0.5"), actor=admin)

    # ledger_transfer takes keyword arguments only.
    def transfer_pair(a, b, **kwargs):
        return services.ledger_transfer(source=a, target=b, **kwargs)

    def credit(person):
        account = services.personal_account(volunteer=person, currency=Currency.HOURS)
        services.ledger_post(
            kind=LedgerEntry.Kind.SERVICE,
            lines=[(account, Decimal("0.5")), (issuance, Decimal("-0.5"))],
            actor=admin,
        )

    def rate(label: str, fn, n: int, postings_each: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            fn()
        seconds = time.perf_counter() - started
        per_second = n * postings_each / seconds
        out(f"{vendor}: {label}: {n / seconds:.0f} entries/s, {per_second:.0f} postings/s (1 thread)")
        return per_second

    transfers = rate("ledger_transfer between two people (2 postings)", transfer, 400, 2)
    rate("credit from the issuing account (2 postings, one hot row)", lambda: credit(rng.choice(people)), 400, 2)

    def threaded(label: str, fn, threads: int, each: int) -> None:
        barrier = threading.Barrier(threads)
        errors: list[Exception] = []

        def run(seed: int) -> None:
            local = random.Random(seed)
            try:
                barrier.wait()
                for _ in range(each):
                    fn(local)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        seconds = time.perf_counter() - started
        n = threads * each
        out(
            f"{vendor}: {label}: {n / seconds:.0f} entries/s, {2 * n / seconds:.0f} postings/s "
            f"({threads} threads, {len(errors)} errors)"
        )

    threaded(
        "ledger_transfer between random people",
        lambda r: transfer_pair(*r.sample(people, 2), currency=Currency.HOURS, amount=Decimal("0.5"), actor=admin),
        4,
        150,
    )
    threaded("credit from the issuing account (hot row)", lambda r: credit(people[r.randrange(len(people))]), 4, 150)

    pending = list(ServiceRecord.objects.pending().select_related("volunteer")[:300])
    if pending:
        staff = admin
        started = time.perf_counter()
        postings = 0
        for record in pending:
            services.record_verify(record=record, actor=staff)
            postings += 4 if record.volunteer.is_party_member else 2
        seconds = time.perf_counter() - started
        out(
            f"{vendor}: record_verify (point rules, 2 currencies): {len(pending) / seconds:.0f} records/s, "
            f"{postings / seconds:.0f} postings/s (1 thread)"
        )

    # The ceiling: the same two postings as bare SQL (lock both accounts, insert, update), one thread.
    account_ids = list(
        LedgerAccount.objects.filter(volunteer__in=people, currency=Currency.HOURS).values_list("pk", flat=True)
    )

    def bare_transfer():
        a, b = sorted(rng.sample(account_ids, 2))
        with connection.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute(
                "SELECT id, balance FROM volunteers_ledgeraccount WHERE id IN (%s, %s) ORDER BY id FOR UPDATE", [a, b]
            )
            cursor.execute(
                "INSERT INTO volunteers_ledgerentry (kind, memo, created_at) VALUES ('transfer', 'bench', now()) "
                "RETURNING id"
            )
            entry = cursor.fetchone()[0]
            cursor.execute(
                "INSERT INTO volunteers_ledgerposting (entry_id, account_id, currency, amount, balance_after) "
                "VALUES (%s, %s, 'hours', -0.5, 0), (%s, %s, 'hours', 0.5, 0)",
                [entry, a, entry, b],
            )
            cursor.execute("UPDATE volunteers_ledgeraccount SET balance = balance - 0.5 WHERE id = %s", [a])
            cursor.execute("UPDATE volunteers_ledgeraccount SET balance = balance + 0.5 WHERE id = %s", [b])
            cursor.execute("COMMIT")

    if vendor == "postgresql":
        ceiling = rate("bare SQL transfer (ceiling)", bare_transfer, 400, 2)
        out(f"{vendor}: ledger_transfer reaches {transfers / ceiling:.0%} of the bare SQL ceiling")
    for totals in ledger_totals(viewer=Viewer.system()):
        out(
            f"{vendor}: ledger audit {totals.currency}: postings sum {totals.postings_sum}, "
            f"balances sum {totals.balances_sum}, drift {totals.drift}, negative personal {totals.negative_personal}"
        )


def main() -> None:
    if sys.argv[1:] == ["--measure"]:
        measure()
        return
    pg = {"DATABASE_URL": PG_URL}
    if "--reuse" not in sys.argv:
        recreate_pg(DB_NAME)
        manage(pg, "migrate", "-v", "0")
        seconds = manage(pg, "seed_demo", "--scale", "1", "--no-progress")
        out(f"postgresql: migrate done; seed_demo --scale 1: {seconds:.1f} s (wall, all apps)")
    subprocess.run([sys.executable, __file__, "--measure"], env=os.environ | pg, check=True)


if __name__ == "__main__":
    main()
