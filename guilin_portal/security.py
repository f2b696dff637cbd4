"""Two-factor authentication on every channel, shorter sessions for staff, and security event logs.

Who must confirm a TOTP code after the password is decided by one rule,
`needs_second_factor(viewer)`, from what the person can see and do: Django
staff and superusers, staff posts, members of functional departments,
volunteer team leaders and grid posts (grid leaders and workers handle issues
and so see residents' full contacts); PORTAL_SECOND_FACTOR_FOR names which of
these standings count. When PORTAL_REQUIRE_2FA is on (the default in
production) a session that has not passed the second factor is sent to enrol
or verify on pages and refused with a 403 JSON body on the API
(`second_factor_pending`, used by the middleware and by the API's session
authentication alike). API tokens are issued only to a session that passed it
(`guilin_portal.tokens`). Log-ins, failures, lock-outs and refused requests
are logged to the `portal.security` logger with the client address.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

security_log = logging.getLogger("portal.security")

# Paths a staff member may open before confirming the second factor.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/metrics", "/public/", "/open311/")
# ...except the API tokens page: a token is issued only after the second factor.
_GUARDED_PREFIXES = ("/accounts/tokens/",)


# The standings that may call for a second factor, each read from the Viewer (duck-typed, so this
# plumbing imports no app): `staff_paths` is None for a superuser, else the subtrees of staff posts.
SECOND_FACTOR_STANDINGS = {
    "admin": lambda viewer: bool(viewer.user.is_staff or viewer.user.is_superuser),
    "staff": lambda viewer: viewer.staff_paths is None or bool(viewer.staff_paths),
    "departments": lambda viewer: bool(viewer.departments),
    "team_leaders": lambda viewer: bool(viewer.teams_led),
    "grid_posts": lambda viewer: viewer.has_posts,
}


def second_factor_standings(viewer) -> frozenset[str]:
    """The standings in PORTAL_SECOND_FACTOR_FOR this viewer holds (empty for anyone but a person)."""
    if viewer is None or getattr(viewer, "user", None) is None or not viewer.is_person:
        return frozenset()
    required = settings.PORTAL_SECOND_FACTOR_FOR
    return frozenset(name for name, holds in SECOND_FACTOR_STANDINGS.items() if name in required and holds(viewer))


def needs_second_factor(viewer) -> bool:
    """The one rule: a person who can act as staff or see residents' full contacts confirms a second factor.

    Asks the request's Viewer (`request.viewer`, built by grids' middleware) what
    it holds: Django staff, staff posts, department membership, teams led, grid
    posts; PORTAL_SECOND_FACTOR_FOR chooses which of them count.
    """
    return bool(second_factor_standings(viewer))


def second_factor_pending(request: HttpRequest, user=None) -> bool:
    """This session's person must confirm a second factor and has not yet (PORTAL_REQUIRE_2FA on).

    `user` is the session's user as the API's session authentication found it
    (the request's own user otherwise); django-otp's middleware gave it `is_verified()`.
    """
    user = user if user is not None else getattr(request, "user", None)
    if not settings.PORTAL_REQUIRE_2FA or user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    if is_verified is not None and is_verified():
        return False
    return needs_second_factor(_viewer_after_login(request, user))


def second_factor_url(user) -> str:
    """Where this person confirms the second factor: verify an enrolled device, else enrol one."""
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return reverse("otp_verify" if enrolled else "otp_setup")


def second_factor_refusal(user) -> dict:
    """The API's answer body to a session that has not passed the second factor (403)."""
    return {
        "detail": _("请先在网页上完成两步验证（动态验证码），再使用接口。"),
        "code": "second_factor_required",
        "verify_url": second_factor_url(user),
    }


def _viewer_after_login(request: HttpRequest, user):
    """The request's Viewer once `user` has logged in on it: the one already built if it is theirs."""
    viewer = getattr(request, "viewer", None)
    if viewer is None:
        # No ViewerMiddleware ran (a bare request): build one of grids' kind without importing grids.
        from django.utils.module_loading import import_string

        return import_string("grids.viewer.Viewer").for_user(user)
    if viewer.user_id != user.pk:
        # Built for the anonymous visitor the request began as: a Viewer of the same class, for the user
        # (`__class__`, since the middleware's Viewer is a lazy object standing for one).
        viewer = request.viewer = viewer.__class__.for_user(user)
    return viewer


def client_address(request: HttpRequest) -> str | None:
    """The client's address, also behind PORTAL_PROXY_COUNT trusted reverse proxies.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the client is the entry the outermost proxy appended:
    the PORTAL_PROXY_COUNT-th from the right. Entries left of it were written by
    the client and are ignored. Used by django-axes (AXES_CLIENT_IP_CALLABLE) and the logs.
    """
    proxies = settings.PORTAL_PROXY_COUNT
    if proxies > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    # None when unknown (a test client's force_login): axes stores it as NULL, never a placeholder.
    return request.META.get("REMOTE_ADDR") or None


class SecondFactorMiddleware:
    """A session that has not confirmed its second factor: pages send it to do so, the API refuses it.

    An API call carrying its own credentials (`Authorization`: a token, a key) is
    left to the API's authentication, which applies the same rule to a session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        open_path = request.path.startswith(_OPEN_PREFIXES) and not request.path.startswith(_GUARDED_PREFIXES)
        if not open_path and second_factor_pending(request):
            if not request.path.startswith("/api/"):
                return redirect(f"{second_factor_url(request.user)}?{urlencode({'next': request.get_full_path()})}")
            if "HTTP_AUTHORIZATION" not in request.META:
                return JsonResponse(second_factor_refusal(request.user), status=403)
        response = self.get_response(request)
        if response.status_code in (401, 403):
            security_log.warning(
                "refused %s %s",
                request.method,
                request.path,
                extra={
                    "event": "access_refused",
                    "status": response.status_code,
                    "user": getattr(request.user, "username", "") or "-",
                    "ip": client_address(request) or "-",
                },
            )
        return response


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("验证码"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or reverse("workbench:home")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("workbench:home")


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: show the key, confirm it with a first code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect("otp_verify")
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            security_log.info("second factor enrolled", extra={"event": "otp_enrolled", "user": request.user.username})
            return redirect(_safe_next(request))
        form.add_error("token", _("验证码不正确，请检查手机时间后重试。"))
    import base64

    from .first_admin import PROVISIONED_DEVICE_NAME

    # A device provisioned out of band (`manage.py create_first_admin`): its key went to the operator
    # only, so the password alone cannot enrol it. Any other device shows its key to be scanned.
    provisioned = device.name == PROVISIONED_DEVICE_NAME
    secret = "" if provisioned else base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_setup.html",
        {
            "form": form,
            "secret": secret,
            "config_url": "" if provisioned else device.config_url,
            "next": _safe_next(request),
        },
    )


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        security_log.warning(
            "second factor failed",
            extra={"event": "otp_failed", "user": request.user.username, "ip": client_address(request) or "-"},
        )
        form.add_error("token", _("验证码不正确。"))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _safe_next(request)})


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and needs_second_factor(_viewer_after_login(request, user)):
        # Staff sessions end after a shorter idle time than residents-facing ones.
        request.session.set_expiry(settings.PORTAL_STAFF_SESSION_SECONDS)
    security_log.info(
        "log-in",
        extra={"event": "login", "user": user.username, "ip": client_address(request) or "-" if request else "-"},
    )


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    security_log.info("log-out", extra={"event": "logout", "user": getattr(user, "username", "-")})


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    security_log.warning(
        "log-in failed",
        extra={
            "event": "login_failed",
            "user": credentials.get("username", "-"),
            "ip": client_address(request) or "-" if request else "-",
        },
    )
