"""A logged issue's audit-history row and first timeline event, written in one statement.

simple_history writes an issue's version from a post_save signal: a second
model instance built field by field and a second INSERT. At logging time the
version is a copy of the row just inserted, so the database copies it itself
(`INSERT ... SELECT` from the issue's row) and, on PostgreSQL, in the same
statement as the timeline's first event (a data-modifying `WITH`): one round
trip instead of two and no Python per field (issue 17, item 3). The version is
the one simple_history would write: every tracked column, '+' for created, the
request's authenticated user (the same rule as simple_history's own
`get_history_user`), the time of logging.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import connections, router
from django.db.models.sql import InsertQuery
from simple_history.models import HistoricalRecords

from issues.models import Issue, IssueEvent


@cache
def _history_copy_sql(alias: str) -> str:
    """`INSERT INTO <history> (<tracked columns>, history_*) SELECT <the same columns>, %s... FROM <issue> WHERE id = %s`."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    history = Issue.history.model
    source = {field.attname: field.column for field in Issue._meta.concrete_fields}
    copied = [field for field in history._meta.concrete_fields if field.attname in source]
    targets = [quote(field.column) for field in copied]
    sources = [quote(source[field.attname]) for field in copied]
    targets += [quote(name) for name in ("history_date", "history_change_reason", "history_type", "history_user_id")]
    sources += ["%s", "NULL", "'+'", "%s"]
    return (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(sources)} FROM {quote(Issue._meta.db_table)} WHERE {quote(Issue._meta.pk.column)} = %s"
    )


def history_user_id() -> int | None:
    """Who simple_history would sign a version with: the request's user when authenticated, else nobody."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def logged_history_and_event(issue: Issue, event: IssueEvent, *, now: datetime) -> None:
    """Write the issue's first version (a copy of its row) and its first timeline event; one statement on
    PostgreSQL. The issue must have been saved with `skip_history_when_saving` set."""
    alias = router.db_for_write(Issue)
    connection = connections[alias]
    history_sql = _history_copy_sql(alias)
    history_params = [connection.ops.adapt_datetimefield_value(now), history_user_id(), issue.pk]
    fields = [field for field in IssueEvent._meta.concrete_fields if not field.primary_key]
    query = InsertQuery(IssueEvent)
    query.insert_values(fields, [event])
    ((event_sql, event_params),) = query.get_compiler(using=alias).as_sql()
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        event.save()
        return
    with connection.cursor() as cursor:
        if connection.features.can_return_rows_from_bulk_insert and connection.vendor == "postgresql":
            cursor.execute(f"WITH version AS ({history_sql}) {event_sql}", [*history_params, *event_params])
        else:
            cursor.execute(history_sql, history_params)
            cursor.execute(event_sql, event_params)
