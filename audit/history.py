"""Who a version is by: the request's user, and nobody (the system) for a Celery task.

simple_history takes the user from the request the HistoryRequestMiddleware
keeps for the thread. A task run eagerly inside a request (the embedded
default, and the tests) would otherwise sign its versions with the name of the
person whose request sent it: routing is the system's act, not the reporter's.
While a task runs, the thread's request is set aside and put back after.
"""

from __future__ import annotations

import threading

from simple_history.models import HistoricalRecords

_NOTHING = object()
_saved = threading.local()


def task_started(**kwargs) -> None:
    stack = getattr(_saved, "stack", None)
    if stack is None:
        stack = _saved.stack = []
    context = HistoricalRecords.context
    stack.append(getattr(context, "request", _NOTHING))
    if hasattr(context, "request"):
        del context.request


def task_finished(**kwargs) -> None:
    stack = getattr(_saved, "stack", None)
    if not stack:
        return
    request = stack.pop()
    if request is not _NOTHING:
        HistoricalRecords.context.request = request
