"""GeoReport v2 shapes for the OpenAPI schema, and the POST body's fields.

The answers themselves are built in open311.representation (plain dicts, the
spec's field order); these serializers describe them for /api/schema/.
"""

from __future__ import annotations

from rest_framework import serializers


class EndpointSerializer(serializers.Serializer):
    specification = serializers.URLField()
    url = serializers.URLField()
    changeset = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["production", "test"])
    formats = serializers.ListField(child=serializers.CharField())


class DiscoverySerializer(serializers.Serializer):
    changeset = serializers.DateTimeField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = EndpointSerializer(many=True)


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField(help_text="The issue category's code.")
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField(help_text="Always false: no attributes beyond the standard fields.")
    type = serializers.ChoiceField(choices=["realtime", "batch", "blackbox"])
    keywords = serializers.CharField(help_text="Comma-separated.")
    group = serializers.CharField(help_text="The category's kind (社情民意, 代办服务, 矛盾纠纷, 安全隐患, 其他).")


class ServiceDefinitionSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = serializers.ListField(child=serializers.DictField(), help_text="Always empty.")


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(
        help_text="The portal's own status in words (已分配, 办理中, 已退回：重复问题…)."
    )
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField(help_text="Redacted: names, phone and identity numbers, e-mails masked.")
    agency_responsible = serializers.CharField(
        allow_null=True, help_text="The handling office, department or grid; null while waiting for routing."
    )
    service_notice = serializers.CharField()
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField()
    expected_datetime = serializers.DateTimeField(help_text="The due time.")
    address = serializers.CharField(allow_null=True, help_text="The issue's location text, redacted.")
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(
        allow_null=True, help_text="WGS84 degrees as filed (kept to 6 decimal places); null when none were given."
    )
    long = serializers.FloatField(
        allow_null=True, help_text="WGS84 degrees as filed (kept to 6 decimal places); null when none were given."
    )
    media_url = serializers.URLField(
        allow_null=True,
        help_text="The request's first photo, served only to a key of the same micro-grid (send the key as for "
        "any read); null when it has none.",
    )


class ServiceRequestCreatedSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)


class ServiceRequestCreateSerializer(serializers.Serializer):
    """The form-encoded POST body (GeoReport v2 names). Contact fields are stored masked, never published."""

    api_key = serializers.CharField(help_text="The client's Open311 key, `<prefix>.<secret>`.")
    service_code = serializers.CharField()
    description = serializers.CharField(
        max_length=4000, required=False, allow_blank=True, help_text="Optional; without it, the service's name."
    )
    address_string = serializers.CharField(required=False, allow_blank=True, help_text="Or lat and long.")
    lat = serializers.CharField(
        required=False, allow_blank=True, help_text="WGS84 decimal degrees; kept to 6 places (about 0.1 m)."
    )
    long = serializers.CharField(
        required=False, allow_blank=True, help_text="WGS84 decimal degrees; kept to 6 places (about 0.1 m)."
    )
    jurisdiction_id = serializers.CharField(
        required=False, allow_blank=True, help_text="Accepted and not needed: one jurisdiction."
    )
    first_name = serializers.CharField(required=False, allow_blank=True)
    last_name = serializers.CharField(required=False, allow_blank=True)
    phone = serializers.CharField(required=False, allow_blank=True)
    email = serializers.CharField(required=False, allow_blank=True, help_text="Accepted and not kept.")


class ServiceRequestCreateWithMediaSerializer(ServiceRequestCreateSerializer):
    """The multipart POST body: the same fields and a photo."""

    media = serializers.FileField(
        required=False, help_text="A photo (JPEG, PNG or WebP, at most 10 MB), checked and attached to the issue."
    )
