"""The demo's ledger: every verified record's credit, transfers to elders, withdrawals for elderly care
and points redemptions, in time order, so each posting's balance-after is what the services would have written."""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from guilin_portal.demo import DemoContext, update_instances

from ..models import Currency, LedgerAccount, LedgerEntry, LedgerPosting, ServiceRecord
from ..services.ledger import SYSTEM_ACCOUNT_NAMES, quantize
from ..services.records import award_under, most_specific_point_rule
from .fast import CHUNK, IdBlock, insert_rows, reset_sequences

ZERO = Decimal(0)
NO_POINTS = Decimal("0.00")  # shared: Decimals are immutable, and a million records are built at --scale 10


class Rec:
    """A service record on its way to the database (a plain object: 100,000 of them are built)."""

    __slots__ = (
        "volunteer_id",
        "team_id",
        "source",
        "activity_id",
        "signup_id",
        "category_id",
        "kind",
        "unit_id",
        "started_at",
        "ended_at",
        "hours",
        "description",
        "points",
        "solved_difficulty",
        "status",
        "verified_by_id",
        "verified_at",
        "entry_id",
        "issue_id",
    )
    FIELDS = [
        "volunteer_id", "team_id", "source", "activity_id", "signup_id", "category_id", "kind", "unit_id",
        "started_at", "ended_at", "hours", "description", "points", "solved_difficulty", "status",
        "verified_by_id", "verified_at", "entry_id", "created_at", "review_note", "issue_id",
    ]  # fmt: skip

    def __init__(self, volunteer_id, team_id, source, activity_id, signup_id, category_id, kind, unit_id,
                 started_at, ended_at, hours, description) -> None:  # fmt: skip
        self.volunteer_id, self.team_id, self.source = volunteer_id, team_id, source
        self.activity_id, self.signup_id, self.category_id = activity_id, signup_id, category_id
        self.kind, self.unit_id, self.started_at, self.ended_at = kind, unit_id, started_at, ended_at
        self.hours, self.description = hours, description
        self.points = NO_POINTS
        self.solved_difficulty = False
        self.status = ServiceRecord.Status.PENDING
        self.verified_by_id = self.verified_at = self.entry_id = None
        self.issue_id = None  # a resident demand's shift (source "issue")

    def row(self) -> tuple:
        return (
            self.volunteer_id, self.team_id, self.source, self.activity_id, self.signup_id, self.category_id,
            self.kind, self.unit_id, self.started_at, self.ended_at, self.hours, self.description, self.points,
            self.solved_difficulty, self.status, self.verified_by_id, self.verified_at, self.entry_id,
            self.ended_at, "", self.issue_id,
        )  # fmt: skip


def seed_ledger(
    ctx: DemoContext,
    c: dict[str, int],
    rules: dict,
    records: Iterable[Rec],
    organ_ids: list[int],
    organ_names: dict[int, str],
    elder_ids: list[int],
    elder_names: dict[int, str],
    clock,
) -> None:
    rng = ctx.rng
    system: dict[tuple[str, str], int] = {}
    for (kind, currency), name in SYSTEM_ACCOUNT_NAMES.items():
        system[(kind, currency)] = LedgerAccount.objects.get_or_create(
            kind=kind,
            currency=currency,
            volunteer=None,
            defaults={"name": name, "allow_negative": kind == LedgerAccount.Kind.ISSUANCE},
        )[0].pk
    issue_h = system[(LedgerAccount.Kind.ISSUANCE, Currency.HOURS)]
    issue_p = system[(LedgerAccount.Kind.ISSUANCE, Currency.POINTS)]
    sink_h = system[(LedgerAccount.Kind.REDEMPTION, Currency.HOURS)]
    sink_p = system[(LedgerAccount.Kind.REDEMPTION, Currency.POINTS)]

    # Personal accounts: hours and points for every organ member, hours for every elder, ids taken in that
    # order from one block, so an account's id is its holder's slot plus the block's start; every balance
    # (the system accounts' below the block) is kept in one list by id. Half a million accounts at
    # --scale 10: no map of (holder, currency) keys, no list of account rows.
    first = IdBlock(LedgerAccount).next
    organs = len(organ_ids)
    slot = {pk: i for i, pk in enumerate(organ_ids)}
    slot.update((pk, 2 * organs + j) for j, pk in enumerate(elder_ids))

    def account_of(pk: int, currency: str) -> int:
        return first + slot[pk] + (organs if currency == Currency.POINTS else 0)  # points: organ members only

    balance = [ZERO] * (first + 2 * organs + len(elder_ids))
    for pk, saved in LedgerAccount.objects.filter(volunteer__isnull=True).values_list("pk", "balance"):
        balance[pk] = saved

    # Events in time order: verifications (the records come in the order they were verified, stage.py) and
    # drawn transfers, withdrawals, redemptions. Each record is written once posted, a chunk at a time.
    events: list[tuple[datetime, int, str, Rec | None]] = []
    recent = 365
    for _ in range(c["transfers"]):
        events.append((clock.at(rng.randrange(40, recent), rng.choice([10.0, 16.0])), 1, "transfer", None))
    for _ in range(c["withdrawals"]):
        events.append((clock.at(rng.randrange(2, recent), rng.choice([9.5, 15.5])), 2, "withdrawal", None))
    for _ in range(c["elder_withdrawals"]):
        events.append((clock.at(rng.randrange(2, 38), rng.choice([9.25, 15.25])), 3, "elder", None))
    for _ in range(c["redemptions"]):
        events.append((clock.at(rng.randrange(2, recent), rng.choice([11.0, 17.0])), 4, "redemption", None))
    events.sort(key=lambda e: (e[0], e[1]))
    services = ((r.verified_at, 0, "service", r) for r in records)
    in_order = heapq.merge(services, events, key=lambda e: (e[0], e[1]))

    entry_ids = IdBlock(LedgerEntry)
    entries: list[tuple] = []
    postings: list[tuple] = []
    posted_records: list[tuple] = []

    def pick(currency: str, people: list[int], minimum: Decimal) -> tuple[int, Decimal] | None:
        for _try in range(200):
            account = account_of(people[rng.randrange(len(people))], currency)
            if balance[account] >= minimum:
                return account, balance[account]
        return None

    def pick_or_richest(currency: str, people: list[int], minimum: Decimal) -> tuple[int, Decimal]:
        """A random person with at least `minimum` saved, else whoever has the most."""
        found = pick(currency, people, minimum)
        if found is None:
            account = max((account_of(p, currency) for p in people), key=balance.__getitem__)
            found = (account, balance[account])
        if found[1] <= 0:
            raise RuntimeError("demo ledger: nothing saved yet to draw on")
        return found

    def write_out() -> None:
        # Entries and postings go out a chunk at a time as they are made: memory stays flat as the scale grows.
        insert_rows(ctx, LedgerEntry, ["id", "kind", "memo", "created_at"], entries, total=len(entries), label="分录")
        insert_rows(
            ctx,
            LedgerPosting,
            ["entry_id", "account_id", "currency", "amount", "balance_after"],
            postings,
            total=len(postings),
            label="记账明细",
        )
        insert_rows(ctx, ServiceRecord, Rec.FIELDS, posted_records, total=len(posted_records), label="服务记录")
        entries.clear()
        postings.clear()
        posted_records.clear()

    def post(when: datetime, kind: str, memo: str, lines: list[tuple[int, str, Decimal]]) -> int:
        # Demo entries carry no actor: they stand for years of records kept on paper.
        entry_id = entry_ids.take()
        entries.append((entry_id, kind, memo, when))
        for account, currency, amount in lines:
            balance[account] += amount
            postings.append((entry_id, account, currency, amount, balance[account]))
        if len(postings) >= CHUNK:
            write_out()
        return entry_id

    # A record's award and its entry's memo depend only on its category, kind and hours: a few hundred
    # combinations for a million records at --scale 10, each priced once.
    awards: dict[tuple, tuple[Decimal, Decimal, str]] = {}

    for when, _order, kind, record in in_order:
        if kind == "service":
            key = (record.category_id, record.kind, record.hours)
            award = awards.get(key)
            if award is None:
                # Records are the organ members' own: party members, who earn points too.
                rule = most_specific_point_rule(rules, category_id=record.category_id, kind=record.kind)
                priced = award_under(rule, record.hours, party_member=True)
                award = awards[key] = (priced.hours, priced.points, f"服务记录：{record.hours}小时")
            hours, points, memo = award
            record.points = points
            lines = [
                (account_of(record.volunteer_id, Currency.HOURS), Currency.HOURS, hours),
                (issue_h, Currency.HOURS, -hours),
            ]
            if points > 0:
                lines += [
                    (account_of(record.volunteer_id, Currency.POINTS), Currency.POINTS, points),
                    (issue_p, Currency.POINTS, -points),
                ]
            record.entry_id = post(when, LedgerEntry.Kind.SERVICE, memo, lines)
            posted_records.append(record.row())
        elif kind == "transfer":
            account, saved = pick_or_richest(Currency.HOURS, organ_ids, Decimal("4"))
            amount = quantize(min(saved, Decimal(rng.choice([2, 3, 4]))))
            elder = elder_ids[rng.randrange(len(elder_ids))]
            post(
                when,
                LedgerEntry.Kind.TRANSFER,
                f"转赠给{elder_names[elder]}（养老服务）",
                [(account, Currency.HOURS, -amount), (account_of(elder, Currency.HOURS), Currency.HOURS, amount)],
            )
        elif kind in ("withdrawal", "elder"):
            found = pick(Currency.HOURS, elder_ids, Decimal("1")) if kind == "elder" else None
            account, saved = found or pick_or_richest(Currency.HOURS, organ_ids, Decimal("1"))
            amount = quantize(min(saved, Decimal(rng.choice([1, 2, 2, 3]))))
            post(
                when,
                LedgerEntry.Kind.WITHDRAWAL,
                "时间银行支取：居家养老上门服务",
                [(account, Currency.HOURS, -amount), (sink_h, Currency.HOURS, amount)],
            )
        else:
            account, saved = pick_or_richest(Currency.POINTS, organ_ids, Decimal("10"))
            amount = quantize(min(saved, Decimal(rng.choice([10, 20, 30]))))
            post(
                when,
                LedgerEntry.Kind.REDEMPTION,
                "积分超市兑换生活用品",
                [(account, Currency.POINTS, -amount), (sink_p, Currency.POINTS, amount)],
            )

    write_out()

    # Each account written once, after its last posting, with the balance the postings left it (kept
    # exact in `balance`, as the services keep it): no UPDATE of every account from a sum over every posting.
    def personal_accounts():
        for currency, holders, names in (
            (Currency.HOURS, organ_ids, organ_names),
            (Currency.POINTS, organ_ids, organ_names),
            (Currency.HOURS, elder_ids, elder_names),
        ):
            for pk in holders:
                aid = account_of(pk, currency)
                yield aid, LedgerAccount.Kind.PERSONAL, currency, pk, names[pk], False, balance[aid], ctx.now

    insert_rows(
        ctx,
        LedgerAccount,
        ["id", "kind", "currency", "volunteer_id", "name", "allow_negative", "balance", "created_at"],
        personal_accounts(),
        total=2 * organs + len(elder_ids),
        label="个人账户",
    )
    accounts = list(LedgerAccount.objects.filter(pk__in=system.values()))
    for account in accounts:
        account.balance = balance[account.pk]
    update_instances(LedgerAccount, accounts, ["balance"])
    reset_sequences(LedgerAccount, LedgerEntry)
