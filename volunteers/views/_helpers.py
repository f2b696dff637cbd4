"""What every volunteer page view shares: pagination, showing a service's error, a POST-only action."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

PAGE_SIZE = 50


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


def run_action(request: HttpRequest, action: Callable[[], object], *, success: str, next_url: str) -> HttpResponse:
    """Call a service for a button press; show its refusal as a message, never a 500."""
    try:
        action()
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("您没有权限进行此操作。"))
    else:
        messages.success(request, success)
    return redirect(next_url)


def refuse_invalid_form(request: HttpRequest, form, *, next_url: str) -> HttpResponse:
    """A button form whose input did not parse: say why and go back."""
    messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(next_url)
