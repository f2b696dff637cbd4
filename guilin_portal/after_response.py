"""Work a request leaves for after its response: run once the server has sent the response.

A WSGI server calls the response's `close()` after the last byte went out;
Django then sends `request_finished`, and the callables deferred during the
request run there, in the order deferred. The client has its answer by then,
so a broker publish (issue 17, item 3) costs it no time. Outside a request (a
task, a command, a test calling a service) a deferred callable runs at once.
Nothing that must happen may rely on this alone: what is deferred here has a
safety net (routing: the `issues_resend_waiting` sweep re-sends what was never
sent, whatever the reason: the broker down, the process killed first).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from django.core.signals import request_finished, request_started

logger = logging.getLogger("portal.after_response")
_state = threading.local()


def defer(work: Callable[[], object]) -> None:
    """Run `work` after the current request's response has been sent, or now when no request is being served."""
    pending = getattr(_state, "pending", None)
    if pending is None:
        work()
    else:
        pending.append(work)


def _run(pending: list[Callable[[], object]] | None) -> None:
    for work in pending or ():
        try:
            work()
        except Exception:  # one failure must not keep the rest from running
            logger.exception("deferred work failed after the response")


def _request_started(**kwargs) -> None:
    # A request whose finish was never signalled (a response never closed) leaves its work here: run it now.
    leftover = getattr(_state, "pending", None)
    _state.pending = []
    _run(leftover)


def _request_finished(**kwargs) -> None:
    pending = getattr(_state, "pending", None)
    _state.pending = None
    _run(pending)


def connect() -> None:
    request_started.connect(_request_started, dispatch_uid="portal.after_response.started")
    request_finished.connect(_request_finished, dispatch_uid="portal.after_response.finished")
