"""Open311 GeoReport v2 endpoints (http://wiki.open311.org/GeoReport_v2), JSON and XML.

Who may call what (decided here, documented in the README):
- discovery and services are public: they describe what may be reported;
- service requests are read and filed with an `api_key` issued in the admin.
  Reads are scoped through grids.jurisdiction to the key's micro-grid:
  resident issues include family disputes and safety hazards whose place
  names a household, so they are not published to anonymous callers (the
  portal's public pages are the contract disclosure and the service points),
  and even a key holder gets no personal data.

Every answer under /open311/v2/, matched or not, is in the spec's format:
errors as `[{"code": 400, "description": ...}]` or `<errors><error>...` with the
same HTTP status (400, 403, 404, 405, 429, 500), in the URL's format (`.xml`, else
JSON). A URL no route matches answers through `NotFoundView`, the last route.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from grids.api.authentication import bind_viewer
from grids.viewer import Viewer
from guilin_portal.errors import ConflictError
from guilin_portal.throttles import AnonRateThrottle  # keyed on the proxy-aware client address
from guilin_portal.uploads import protected_file_response

from . import representation as rep
from . import selectors, services, spec
from . import serializers as s
from .auth import client_viewer
from .renderers import GeoReportJSONRenderer, GeoReportResponse, GeoReportXMLRenderer, UrlFormatNegotiation

TAG = "open311"
log = logging.getLogger("portal.open311")


class InvalidApiKey(exceptions.APIException):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = gettext_lazy("api_key 缺失、无效或已吊销。")


def _describe(error: DjangoValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
            for field, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(f"{field}: {_flatten(value)}" for field, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(value) for value in detail)
    return str(detail)


def errors_response(code: int, description: str) -> GeoReportResponse:
    return GeoReportResponse(rep.error_list(code, description), root="errors", item="error", status=code)


def exception_handler(exc, context):
    """Every error in GeoReport's format; anything else is a real 500."""
    if isinstance(exc, DjangoValidationError):
        return errors_response(status.HTTP_400_BAD_REQUEST, _describe(exc))
    if isinstance(exc, Http404):
        return errors_response(status.HTTP_404_NOT_FOUND, _("没有找到。"))
    if isinstance(exc, ConflictError):  # a write that met a newer version: the portal's 409, in the spec's format
        return errors_response(status.HTTP_409_CONFLICT, str(exc))
    if isinstance(exc, PermissionDenied):
        return errors_response(
            status.HTTP_403_FORBIDDEN, " ".join(str(arg) for arg in exc.args) or _("您没有权限进行此操作。")
        )
    if isinstance(exc, exceptions.APIException):
        response = errors_response(exc.status_code, _flatten(exc.detail))
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(int(exc.wait))
        return response
    # A bug: logged with its traceback, answered in the spec's format rather than Django's HTML page.
    log.exception("open311 error", extra={"event": "open311_error"})
    return errors_response(status.HTTP_500_INTERNAL_SERVER_ERROR, _("服务器内部错误，请稍后再试。"))


class Open311Throttle(AnonRateThrottle):
    """Requests per client address (rate: DEFAULT_THROTTLE_RATES["open311"], else 300 a minute).

    Its own scope, so it neither shares a budget with the portal's other public pages nor needs a setting.
    """

    scope = "open311"
    default_rate = "300/minute"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_rate(self) -> str:
        return self.THROTTLE_RATES.get(self.scope) or self.default_rate


class GeoReportView(APIView):
    """JSON or XML by the URL's extension; no session or token: the spec's `api_key` where one is needed."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [Open311Throttle]
    renderer_classes = [GeoReportJSONRenderer, GeoReportXMLRenderer]
    content_negotiation_class = UrlFormatNegotiation
    parser_classes = [FormParser, MultiPartParser]

    def get_exception_handler(self):
        return exception_handler

    def viewer(self, request: Request, raw: str | None) -> Viewer:
        """The client the key names, as this call's Viewer (`request.viewer`), or a 403."""
        # The spec's `api_key` parameter, or the X-Api-Key header (which keeps the key out of access logs).
        client = services.open311_client_authenticate(raw or request.headers.get("X-Api-Key"))
        if client is None:
            raise InvalidApiKey
        viewer = client_viewer(client)
        bind_viewer(request, viewer)
        return viewer


FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, OpenApiParameter.PATH, enum=[".json", ".xml"], description="`.json` or `.xml`."
)
# The format comes from the extension only: DRF's `?format=` does not apply here.
NO_FORMAT_QUERY = OpenApiParameter("format", OpenApiTypes.STR, OpenApiParameter.QUERY, exclude=True)
# GeoReport's error answer is a list (drf-spectacular does not list-wrap non-2xx serializers, so a raw schema).
ERROR_LIST = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "code": {"type": "integer", "description": "The HTTP status: 400, 403, 404 or 405."},
            "description": {"type": "string"},
        },
        "required": ["code", "description"],
    },
}
ERRORS = {
    400: OpenApiResponse(ERROR_LIST, description="A missing or bad field, named in the description."),
    403: OpenApiResponse(ERROR_LIST, description="api_key missing, invalid or revoked."),
    404: OpenApiResponse(ERROR_LIST, description="Not found (a request outside the key's micro-grid too)."),
}


class DiscoveryView(GeoReportView):
    """GeoReport v2 service discovery (public)."""

    @extend_schema(
        tags=[TAG],
        auth=[],
        operation_id="open311_discovery",
        summary="Service discovery: the endpoint, its formats and whom to ask for a key",
        parameters=[FORMAT_PARAMETER, NO_FORMAT_QUERY],
        responses={200: s.DiscoverySerializer},
    )
    def get(self, request: Request, format: str | None = None) -> GeoReportResponse:
        # The endpoint's base: this very URL without "/discovery.json".
        base = request.build_absolute_uri(request.path).rsplit("/discovery", 1)[0]
        data = rep.discovery(
            url=base,
            contact=getattr(settings, "OPEN311_CONTACT", "") or _("桂林市网格治理与党群服务门户管理员"),
            key_service=getattr(settings, "OPEN311_KEY_SERVICE", "")
            or _(
                "查询和提交服务请求（requests）需要 api_key，可作为 api_key 参数（查询字符串或表单字段）"
                "或 X-Api-Key 请求头发送（请求头不会出现在访问日志里）；discovery 和 services 不需要。"
                "api_key 由门户管理员在后台为一个微网格签发，只显示一次；请联系管理员申请。"
            ),
            production=not settings.DEBUG,
        )
        return GeoReportResponse(data, root="discovery")


class ServiceListView(GeoReportView):
    """The services a request may be filed under: the active issue categories (public)."""

    @extend_schema(
        tags=[TAG],
        auth=[],
        operation_id="open311_services",
        summary="Services: the active issue categories",
        parameters=[FORMAT_PARAMETER, NO_FORMAT_QUERY],
        responses={200: s.ServiceSerializer(many=True)},
    )
    def get(self, request: Request, format: str | None = None) -> GeoReportResponse:
        rows = [rep.service_fields(category) for category in selectors.services_list()]
        return GeoReportResponse(rows, root="services", item="service")


class ServiceDefinitionView(GeoReportView):
    """A service's definition: no attributes beyond the standard fields (public)."""

    @extend_schema(
        tags=[TAG],
        auth=[],
        operation_id="open311_service_definition",
        summary="A service's definition (no attributes beyond the standard fields)",
        parameters=[FORMAT_PARAMETER, NO_FORMAT_QUERY],
        responses={200: s.ServiceDefinitionSerializer, 404: ERRORS[404]},
    )
    def get(self, request: Request, service_code: str, format: str | None = None) -> GeoReportResponse:
        category = selectors.service_get(code=service_code)
        return GeoReportResponse(rep.service_definition(category), root="service_definition")


# ---------------------------------------------------------------------------
# Service requests
# ---------------------------------------------------------------------------
# A "+" in an unencoded query string arrives as a space: "…T08:00:00 08:00".
_SPACE_OFFSET_RE = re.compile(r" (\d{2}:?\d{2})$")


def parse_w3(value: str, field: str) -> datetime:
    """A W3C datetime (or date) as an aware datetime; a time without an offset is Guilin's."""
    value = _SPACE_OFFSET_RE.sub(r"+\1", value.strip())
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime.combine(day, time.min) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise DjangoValidationError(
            {field: _("请使用 W3C 日期时间格式，如 2026-01-31T08:00:00+08:00。")}, code="invalid_datetime"
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


# Ids beyond a 64-bit integer would be a database error, not a 404.
MAX_ID_DIGITS = 18


def _listed(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def parse_request_query(params) -> spec.RequestQuery:
    """GET requests' arguments as the spec defines them; a bad one is a 400 naming it."""
    ids = _listed(params.get("service_request_id", ""))
    if ids:
        if not all(part.isdigit() and len(part) <= MAX_ID_DIGITS for part in ids):
            raise DjangoValidationError({"service_request_id": _("请填写数字编号，多个用逗号分隔。")})
        # "This overrides all other arguments."
        return spec.RequestQuery(ids=tuple(int(part) for part in ids))
    statuses = _listed(params.get("status", ""))
    unknown = [value for value in statuses if value not in spec.SPEC_STATUSES]
    if unknown:
        raise DjangoValidationError({"status": _("只能是 open 或 closed。")})
    start = parse_w3(params["start_date"], "start_date") if params.get("start_date") else None
    end = parse_w3(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end:
        if end < start:
            raise DjangoValidationError({"end_date": _("end_date 不能早于 start_date。")})
        if end - start > spec.MAX_SPAN:
            raise DjangoValidationError({"end_date": _("查询范围不能超过 %(days)s 天。") % {"days": spec.DEFAULT_DAYS}})
    return spec.RequestQuery(
        service_codes=_listed(params.get("service_code", "")), statuses=statuses, start=start, end=end
    )


API_KEY_QUERY = OpenApiParameter(
    "api_key",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="The client's Open311 key, `<prefix>.<secret>` (or send it as the `X-Api-Key` header).",
)


JURISDICTION_QUERY = OpenApiParameter(
    "jurisdiction_id",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Accepted and not needed: this endpoint serves one jurisdiction.",
)


def requests_response(rows: list[dict], **kwargs) -> GeoReportResponse:
    return GeoReportResponse(rows, root="service_requests", item="request", **kwargs)


def requests_answer(request: Request, rows: list[dict]) -> list[dict]:
    """The rows as GeoReport requests, each `media_url` its first photo's access-checked URL (or null)."""

    def media_url(pk: int, photo: int) -> str:
        return request.build_absolute_uri(reverse("open311:request_media", kwargs={"pk": pk, "photo_pk": photo}))

    photos = selectors.first_photos([row["pk"] for row in rows])
    return rep.requests_fields(rows, media_url=media_url, photos=photos)


class RequestListView(GeoReportView):
    """Service requests (resident issues) of the api_key's micro-grid: read them, or file one."""

    @extend_schema(
        tags=[TAG],
        auth=[],
        operation_id="open311_requests",
        summary="Service requests in the key's micro-grid: the last 90 days by default, at most 1,000, newest first",
        parameters=[
            FORMAT_PARAMETER,
            NO_FORMAT_QUERY,
            API_KEY_QUERY,
            JURISDICTION_QUERY,
            OpenApiParameter(
                "service_request_id",
                OpenApiTypes.STR,
                description="Comma-separated ids; overrides every other argument.",
            ),
            OpenApiParameter("service_code", OpenApiTypes.STR, description="Comma-separated service codes."),
            OpenApiParameter("status", OpenApiTypes.STR, description="`open`, `closed` or `open,closed`."),
            OpenApiParameter(
                "start_date",
                OpenApiTypes.DATETIME,
                description="W3C datetime; the range defaults to the last 90 days and may not span more.",
            ),
            OpenApiParameter("end_date", OpenApiTypes.DATETIME, description="W3C datetime."),
        ],
        responses={200: s.ServiceRequestSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    def get(self, request: Request, format: str | None = None) -> GeoReportResponse:
        viewer = self.viewer(request, request.query_params.get("api_key"))
        query = parse_request_query(request.query_params)
        rows = selectors.requests_list(viewer=viewer, query=query)
        return requests_response(requests_answer(request, rows))

    @extend_schema(
        tags=[TAG],
        auth=[],
        operation_id="open311_request_create",
        summary="File a service request: it becomes a resident issue in the key's micro-grid, routed after commit",
        parameters=[FORMAT_PARAMETER, NO_FORMAT_QUERY],
        request={
            "application/x-www-form-urlencoded": s.ServiceRequestCreateSerializer,
            "multipart/form-data": s.ServiceRequestCreateWithMediaSerializer,
        },
        responses={201: s.ServiceRequestCreatedSerializer(many=True), 400: ERRORS[400], 403: ERRORS[403]},
    )
    def post(self, request: Request, format: str | None = None) -> GeoReportResponse:
        data = request.data
        viewer = self.viewer(request, data.get("api_key") or request.query_params.get("api_key"))
        fields = {name: str(data.get(name, "") or "") for name in services.RequestInput.__dataclass_fields__}
        issue = services.open311_request_create(
            client=viewer.client, data=services.RequestInput(**fields), media=request.FILES.get("media")
        )
        return requests_response([rep.created_fields(issue)], status=status.HTTP_201_CREATED)


class RequestDetailView(GeoReportView):
    """One service request of the api_key's micro-grid."""

    @extend_schema(
        tags=[TAG],
        auth=[],
        operation_id="open311_request",
        summary="One service request (a list of one, as the spec answers)",
        parameters=[FORMAT_PARAMETER, NO_FORMAT_QUERY, API_KEY_QUERY, JURISDICTION_QUERY],
        responses={200: s.ServiceRequestSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request: Request, pk: int, format: str | None = None) -> GeoReportResponse:
        viewer = self.viewer(request, request.query_params.get("api_key"))
        if len(str(pk)) > MAX_ID_DIGITS:
            raise Http404
        row = selectors.request_get(viewer=viewer, pk=pk)
        return requests_response(requests_answer(request, [row]))


class RequestMediaView(GeoReportView):
    """A request's photo (its `media_url`): only for a key of the micro-grid the request lies in."""

    @extend_schema(
        tags=[TAG],
        auth=[],
        operation_id="open311_request_media",
        summary="A request's photo, the target of its media_url (JPEG, PNG or WebP, EXIF removed)",
        parameters=[API_KEY_QUERY, NO_FORMAT_QUERY],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The photo; its Content-Type is image/jpeg, image/png or image/webp."
            ),
            403: ERRORS[403],
            404: ERRORS[404],
        },
    )
    def get(self, request: Request, pk: int, photo_pk: int):
        viewer = self.viewer(request, request.query_params.get("api_key"))
        if len(str(pk)) > MAX_ID_DIGITS or len(str(photo_pk)) > MAX_ID_DIGITS:
            raise Http404
        photo = selectors.request_photo_get(viewer=viewer, pk=pk, photo_pk=photo_pk)
        return protected_file_response(photo.image)


class NotFoundView(GeoReportView):
    """Every URL under /open311/v2/ no other route matches: the spec's 404, in the format its extension names.

    Raised once the format is negotiated and the throttle counted, before any method
    handler: a wrong path is a 404 whatever the method (not a 405).
    """

    schema = None  # not an endpoint: left out of /api/schema/

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise Http404
