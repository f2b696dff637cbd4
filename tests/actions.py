"""Helpers of the table-driven tests that a page's buttons, allowed_actions and the API agree."""

from __future__ import annotations

import re

from django.db import transaction

# Action buttons and forms carry data-action="<name>" (the names of the app's allowed_actions).
ACTION_ATTRIBUTE = re.compile(r'data-action="([a-z_]+)"')


def page_actions(client, url: str) -> set[str] | None:
    """The actions a page offers, or None when the object is out of sight (404)."""
    response = client.get(url)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, (url, response.status_code)
    return set(ACTION_ATTRIBUTE.findall(response.content.decode()))


def answer_and_undo(client, method: str, url: str, body: dict | None = None, **kwargs) -> int:
    """The status of one API call, its writes rolled back so the next call meets the same state."""
    with transaction.atomic():
        status = getattr(client, method)(url, body or {}, **kwargs).status_code
        transaction.set_rollback(True)
    assert status < 500, (url, status)
    return status
