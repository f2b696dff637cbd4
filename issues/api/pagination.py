"""The issue list's pages: the total counted up to a cap, past it an estimate flagged `count_exact: false`."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from issues.pagination import COUNT_CAP, CappedPaginator


class IssueApiPaginator(CappedPaginator):
    ids_first = True


class IssuePagination(PageNumberPagination):
    django_paginator_class = IssueApiPaginator

    def get_paginated_response(self, data) -> Response:
        response = super().get_paginated_response(data)
        response.data["count_exact"] = self.page.paginator.count_exact
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count"]["description"] = (
            f"exact up to {COUNT_CAP:,} issues; past that the database's estimate (see count_exact)"
        )
        schema["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "false when `count` is an estimate (more than the cap matched)",
        }
        schema["required"] = [*schema.get("required", []), "count_exact"]
        return schema
