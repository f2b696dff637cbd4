"""Pages of issue lists that stay fast at a million issues: a bounded count and a two-step page.

The count. An exact COUNT of a district's or the city's issues reads every matching row (at
1,000,000 issues, a hundred thousand and more, each checked against the viewer's jurisdiction),
while a page reads 30 or 50. So a list counts at most `COUNT_CAP` + 1 rows (a LIMIT inside the
COUNT), and on PostgreSQL within `settings.ISSUE_LIST_COUNT_BUDGET_MS` (a statement timeout local to its
transaction); past either, the total is the planner's estimate (at least the cap + 1 when more were
counted) and says so: `count_exact` is false, the page shows "about", the API answers `count_exact:
false`, and the page numbers are not bounded by the estimate (a next page is offered while pages come
back full). A page that comes back short settles the total: it is the rows before it and on it.

The page. Past the cap (and always for the API) the ids of the page are read first (the filter's
joins only, ordered by the list's index), then those rows with everything the list shows
(select_related, annotations), by primary key: the wide joins run for 50 rows instead of for every row
the scan passes before the 50th match. Below the cap a page is one query. On PostgreSQL either is
planned serially with its joins in the order written, the settings sent with the query, and checks the
viewer's jurisdiction row by row (`grids.jurisdiction.probed_per_row`).
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property

from django.conf import settings as django_settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import DatabaseError, connections, transaction
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode

from grids.jurisdiction import probed_per_row

COUNT_CAP = 1_000
# Past this many rows in the planner's estimate the count is not tried (ten times the cap at least, so
# an estimate a few times off is still counted).
ESTIMATE_NOT_COUNTED = 10_000


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, exact): the exact count up to `cap` (COUNT_CAP) within the time budget, else an estimate:
    at least cap + 1 when more than the cap were counted, the planner's own when the count ran out of time."""
    cap = COUNT_CAP if cap is None else cap
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        # values("pk"): no joins for select_related, no annotation computed per row; no ORDER BY.
        counted = queryset.order_by().values("pk")[: cap + 1].count()
        return (counted, True) if counted <= cap else (cap + 1, False)
    counted, estimate = _count_within_budget(queryset, connection, cap, not_above=max(ESTIMATE_NOT_COUNTED, 10 * cap))
    if counted is None:
        # Not counted (in time): the estimate is all there is, however small (a slow plan is not a long list).
        return estimate or cap + 1, False
    if counted <= cap:
        return counted, True
    return max(cap + 1, estimate), False


# A list reads a few rows in index order: parallel workers only add their start-up, and a worker
# handed an old part of the index scans it to the end looking for a rare status (Gather Merge waits).
SERIAL = {"max_parallel_workers_per_gather": "0"}
# The joins in the order written (the issue first, then each reference by its key): planning every
# order of ten joins cost more than running them (30 ms of planning for 8 ms of work on a page).
WRITTEN_ORDER = {"join_collapse_limit": "1", "from_collapse_limit": "1"}


# A list filtered to a narrow subtree (a street or below) reads the subtree's units first and probes each
# unit's issues (issue_unit_status), then sorts: a street's few thousand issues at 1,000,000 (13 ms), or a
# `--scale 10` street's 4,000 units with 152 opinions among them (5 ms). Left to choose, PostgreSQL walked
# the whole city's newest issues to find 50 (34,000 read at 1,000,000: 170 ms; it plans that walk with an
# incremental sort, created_at then id) or hashed the units against every issue of the city (37 ms).
UNITS_FIRST = {"enable_incremental_sort": "off", "enable_hashjoin": "off", "enable_mergejoin": "off"}
_UNITS_FIRST_HINT = "issue_list_units_first"


def units_first(queryset: QuerySet) -> QuerySet:
    """The list, marked to be planned from its units (UNITS_FIRST) when paged; the mark follows its clones."""
    queryset = queryset.all()
    queryset._hints = {**queryset._hints, _UNITS_FIRST_HINT: True}
    return queryset


def _list_settings(queryset: QuerySet) -> dict[str, str]:
    return UNITS_FIRST if queryset._hints.get(_UNITS_FIRST_HINT) else {}


def _budget() -> dict[str, str]:
    return {"statement_timeout": f"'{int(django_settings.ISSUE_LIST_COUNT_BUDGET_MS)}ms'"}


@contextmanager
def _planner_settings(connection, settings: dict[str, str]):
    """PostgreSQL: the block's queries in one transaction with `settings` (SET LOCAL), sent in front of
    the block's first query (no round trip of their own). Inside an outer transaction they are put back
    after the block; an error inside it rolls them back with its savepoint. Elsewhere: nothing."""
    if connection.vendor != "postgresql":
        yield
        return
    prefix = ["".join(f"SET LOCAL {name} = {value}; " for name, value in settings.items())]

    def with_settings(execute, sql, params, many, context):
        if prefix and not many:
            sql = prefix.pop() + sql
        return execute(sql, params, many, context)

    nested = connection.in_atomic_block
    with transaction.atomic(using=connection.alias):
        with connection.execute_wrapper(with_settings):
            yield
        if nested and not prefix:
            with connection.cursor() as cursor:
                cursor.execute("; ".join(f"SET LOCAL {name} TO DEFAULT" for name in settings))


def _count_within_budget(queryset: QuerySet, connection, cap: int, not_above: int) -> tuple[int | None, int]:
    """(count, the planner's estimate) on PostgreSQL, in one round trip (the function `portal_capped_count`,
    issues/migrations/0005): the count of at most cap + 1 rows is tried only when the estimate is at most
    `not_above` (past it, it would spend its budget and time out: a district at 1,000,000 issues) and is
    None when it takes longer than settings.ISSUE_LIST_COUNT_BUDGET_MS."""
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an empty IN): nothing to count
        return 0, 0
    try:
        settings = SERIAL | _budget() | _list_settings(queryset)
        with _planner_settings(connection, settings), connection.cursor() as cursor:
            cursor.execute(
                "SELECT counted, estimate FROM portal_capped_count(%s, %s, %s)",
                [connection.ops.compose_sql(sql, params), cap, not_above],
            )
            counted, estimate = cursor.fetchone()
    except DatabaseError:  # out of time before counting (the plan itself): the rollback took the settings back
        return None, 0
    return counted, estimate


def _page_rows(queryset: QuerySet, bottom: int, top: int, ids_first: bool) -> list:
    """One page of the list. `ids_first`: in two steps, the ids in the list's order, then those rows with
    everything the list shows, by primary key; else in one query. On PostgreSQL either way in one
    transaction, serial and with the joins in the order written, the jurisdiction checked row by row (the
    read stops at the page's last match: no set of the jurisdiction's units hashed first)."""
    settings = SERIAL | WRITTEN_ORDER | _list_settings(queryset)
    with _planner_settings(connections[queryset.db], settings), probed_per_row():
        if not ids_first:
            return list(queryset[bottom:top])
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        if not ids:
            return []
        # The filter already chose the ids: read the rows by primary key alone (the joins on foreign keys
        # stay, for select_related, and cannot repeat a row).
        by_pk = queryset.order_by()
        by_pk.query.where = WhereNode()
        rows = {row.pk: row for row in by_pk.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


class CappedPaginator(Paginator):
    """A Paginator whose `count` is `capped_count`'s (`count_exact` tells which kind) and whose pages
    are read in two steps (ids, then rows).

    Below the cap a page is one query, unless `ids_first` (PostgreSQL only): the API's rows carry ten
    joins, and planned together with the visibility's OR they took 28 ms where the two steps take 11.
    """

    ids_first = False

    def __init__(self, *args, cap: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if isinstance(self.object_list, QuerySet):
            return capped_count(self.object_list, self.cap)
        return len(self.object_list), True

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_exact(self) -> bool:
        return self._counted[1]

    def validate_number(self, number):
        # Past an estimate there may be more pages than it says: only an exact total bounds the number.
        if self.count_exact:
            return super().validate_number(number)
        return max(1, int(number)) if str(number).isdigit() else super().validate_number(number)

    def page(self, number) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.count_exact and top + self.orphans >= self.count:
            top = self.count
        rows = self._rows(bottom, top)
        if not self.count_exact and len(rows) < self.per_page and (rows or number == 1):
            # A short page is the list's last: the total is known, whatever the estimate said.
            self._settle_count(bottom + len(rows))
        return self._get_page(rows, number, self)

    def _settle_count(self, count: int) -> None:
        for cached in ("count", "num_pages"):
            self.__dict__.pop(cached, None)
        self._counted = (count, True)

    def _rows(self, bottom: int, top: int):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or top <= bottom:
            return queryset[bottom:top]
        # Up to the cap the one-query page reads at most COUNT_CAP matches: two steps only beyond it.
        ids_first = not self.count_exact or (self.ids_first and connections[queryset.db].vendor == "postgresql")
        return _page_rows(queryset, bottom, top, ids_first)

    def _get_page(self, *args, **kwargs) -> Page:
        return CappedPage(*args, **kwargs)


class CappedPage(Page):
    def has_next(self) -> bool:
        if self.paginator.count_exact:
            return super().has_next()
        return self.number < self.paginator.num_pages or len(self.object_list) == self.paginator.per_page
