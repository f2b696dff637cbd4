"""What every volunteer page view shares: pagination, a service's refusal shown on the page, a POST-only action."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from guilin_portal.errors import ConflictError
from guilin_portal.forms import add_service_error

PAGE_SIZE = 50
T = TypeVar("T")


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _refusal(exc: Exception) -> ValidationError:
    """A service's refusal as the ValidationError a page shows: bad input as it is, "not allowed" and
    "changed meanwhile" as one message."""
    if isinstance(exc, ValidationError):
        return exc
    return ValidationError(str(exc) or _("您没有权限进行此操作。"))


def run_action(request: HttpRequest, action: Callable[[], object], *, success: str, next_url: str) -> HttpResponse:
    """Call a service for a button press; show its refusal as a message, never a 500."""
    try:
        action()
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        messages.error(request, "；".join(_refusal(exc).messages))
    else:
        messages.success(request, success)
    return redirect(next_url)


def submit(form, action: Callable[[], T]) -> T | None:
    """Call a service for a submitted form: its result, or None with the refusal put on the form."""
    try:
        return action()
    except (ValidationError, PermissionDenied, ConflictError) as exc:
        add_service_error(form, _refusal(exc))
        return None


def refuse_invalid_form(request: HttpRequest, form, *, next_url: str) -> HttpResponse:
    """A button form whose input did not parse: say why and go back."""
    messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(next_url)
