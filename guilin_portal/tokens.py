"""API tokens for people: issued only to a session that passed the second factor, listed and revoked by their owner.

A person's program (a script pulling their issue list, say) authenticates with
`Authorization: Token <key>` (DRF's token model, one per person). The key is
shown once, when issued; afterwards only its first eight characters name it.
Issuing again replaces the old key. A session that must confirm a second
factor (`guilin_portal.security.second_factor_pending`) gets no token, and a
token cannot mint another one: a stolen token cannot outlive its revocation.

The page (`/accounts/tokens/`) and the API (`/api/v1/tokens/`) call the same
three functions below.
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from .security import client_address, second_factor_pending

security_log = logging.getLogger("portal.security")
PREFIX_LENGTH = 8


def token_prefix(token: Token) -> str:
    return token.key[:PREFIX_LENGTH]


def token_list(*, user) -> list[dict]:
    """The person's own tokens (at most one), named by the first characters of their key."""
    return [
        {"prefix": token_prefix(token), "created": token.created}
        for token in Token.objects.filter(user=user).order_by("created")
    ]


@transaction.atomic
def token_issue(*, request: HttpRequest, user) -> str:
    """A new key for the person (replacing any old one), only once the session passed the second factor."""
    if second_factor_pending(request, user):
        raise PermissionDenied(_("请先完成两步验证，再签发接口令牌。"))
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    security_log.info(
        "api token issued",
        extra={"event": "token_issued", "user": user.get_username(), "ip": client_address(request) or "-"},
    )
    return token.key


def token_revoke(*, request: HttpRequest, user, prefix: str) -> None:
    """Revoke the person's token named by `prefix`; someone else's or none at all is not found."""
    if len(prefix) != PREFIX_LENGTH:
        raise Http404
    deleted, _rows = Token.objects.filter(user=user, key__startswith=prefix).delete()
    if not deleted:
        raise Http404
    security_log.info(
        "api token revoked",
        extra={"event": "token_revoked", "user": user.get_username(), "ip": client_address(request) or "-"},
    )


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------
@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the person's token; POST action=issue shows a new key once, action=revoke&prefix=... revokes."""
    new_key = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "issue":
            new_key = token_issue(request=request, user=request.user)
        elif action == "revoke":
            try:
                token_revoke(request=request, user=request.user, prefix=request.POST.get("prefix", ""))
            except Http404:
                messages.error(request, _("没有找到这个令牌。"))
            else:
                messages.success(request, _("令牌已作废。"))
            return redirect("api_tokens")
        else:
            return redirect("api_tokens")
    response = render(
        request, "registration/api_tokens.html", {"tokens": token_list(user=request.user), "new_key": new_key}
    )
    response["Cache-Control"] = "private, no-store"  # the new key is shown once and never cached
    return response


# ---------------------------------------------------------------------------
# The API
# ---------------------------------------------------------------------------
TokenRows = inline_serializer(
    "ApiToken", {"prefix": serializers.CharField(), "created": serializers.DateTimeField()}, many=True
)
NewToken = inline_serializer("NewApiToken", {"key": serializers.CharField(), "prefix": serializers.CharField()})


class TokenListView(APIView):
    """GET: the caller's tokens. POST: a new key (from a session that passed the second factor, not a token)."""

    @extend_schema(responses={200: TokenRows}, summary="List your API tokens")
    def get(self, request):
        return Response(token_list(user=request.user))

    @extend_schema(request=None, responses={201: NewToken}, summary="Issue an API token (replaces the old one)")
    def post(self, request):
        if isinstance(request.auth, Token):
            raise PermissionDenied(_("令牌只能在完成两步验证的网页会话中签发。"))
        key = token_issue(request=request._request, user=request.user)
        return Response({"key": key, "prefix": key[:PREFIX_LENGTH]}, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    """DELETE: revoke the caller's token named by the first eight characters of its key."""

    @extend_schema(responses={204: OpenApiResponse(description="Revoked")}, summary="Revoke one of your API tokens")
    def delete(self, request, prefix: str):
        token_revoke(request=request._request, user=request.user, prefix=prefix)
        return Response(status=status.HTTP_204_NO_CONTENT)
