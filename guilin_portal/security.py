"""Two-factor authentication for staff, shorter sessions for staff, and security event logs.

Staff (anyone with a staff post, Django staff or superusers) must confirm a
TOTP code from an authenticator app after the password when
PORTAL_REQUIRE_2FA is on (the default in production). The first time, they
enrol a device. Log-ins, failures, lock-outs and refused requests are logged
to the `portal.security` logger with the client address.
"""

from __future__ import annotations

import logging

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

security_log = logging.getLogger("portal.security")

# Paths a staff member may open before confirming the second factor.
_OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/metrics", "/public/", "/open311/")


def needs_second_factor(viewer) -> bool:
    """Django staff, superusers and anyone with a staff post (community staff and above).

    Asks the request's Viewer (`request.viewer`, built by grids' middleware) for
    its staff posts, so this plumbing imports no app: `staff_paths` is None for
    a superuser, else the subtrees of the staff posts (empty for everyone else).
    """
    user = getattr(viewer, "user", None)
    if user is None or not viewer.is_person:
        return False
    return user.is_staff or viewer.staff_paths is None or bool(viewer.staff_paths)


def _viewer_after_login(request: HttpRequest, user):
    """The request's Viewer once `user` has logged in on it: the one already built if it is theirs."""
    viewer = getattr(request, "viewer", None)
    if viewer is None:
        return None
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
    """Sends a staff member who has not confirmed a TOTP code this session to do so."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            settings.PORTAL_REQUIRE_2FA
            and request.user.is_authenticated
            and not request.user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
            and not request.path.startswith("/api/")  # API clients use tokens and keys
            and needs_second_factor(request.viewer)
        ):
            target = (
                "otp_verify" if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists() else "otp_setup"
            )
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
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
    target = request.GET.get("next") or request.POST.get("next") or reverse("grids:home")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("grids:home")


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
