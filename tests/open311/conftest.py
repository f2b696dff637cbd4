"""Fixtures for the Open311 tests: a client key for the demo micro-grid of 解东社区, issues in bulk."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from grids.models import GridUnit, User
from issues.models import Issue, IssueCategory
from open311 import services
from open311.demo import demo_units
from open311.models import Open311Client

BASE = "/open311/v2"


@dataclass
class Key:
    client: Open311Client
    plaintext: str

    def get(self, path: str, **params):
        return Client().get(f"{BASE}/{path}", {"api_key": self.plaintext, **params})

    def post(self, fmt: str = "json", **fields):
        return Client().post(f"{BASE}/requests.{fmt}", {"api_key": self.plaintext, **fields})


@pytest.fixture
def key(db) -> Key:
    _community, area = demo_units()
    client, plaintext = services.open311_client_issue(name="测试热线", unit=area, created_by=None)
    return Key(client=client, plaintext=plaintext)


@pytest.fixture
def make_issues(db):
    """n issues in a unit, inserted in bulk (the list endpoints only read them)."""

    def make(
        unit: GridUnit,
        n: int,
        *,
        created_at: datetime | None = None,
        code: str = "opinion-property",
        status: str = Issue.Status.ALLOCATED,
        reporter: User | None = None,
        **fields,
    ) -> list[Issue]:
        category = IssueCategory.objects.get(code=code)
        created_at = created_at or timezone.now() - timedelta(hours=1)
        reporter = reporter or User.objects.get(username="xiufeng_worker")
        community = GridUnit.objects.get(path=unit.path[:16])
        defaults = {
            "handler_kind": Issue.HandlerKind.OFFICE,
            "handler_unit": community,
            "description": "楼道灯坏了。",
        }
        if status == Issue.Status.COLLECTED:
            defaults["handler_kind"], defaults["handler_unit"] = "", None
        defaults.update(fields)
        due_at, remind_at = Issue.deadlines(created_at, category.time_limit_hours)
        return Issue.objects.bulk_create(
            Issue(
                unit=unit,
                category=category,
                kind=category.kind,
                reporter=reporter,
                status=status,
                created_at=created_at - timedelta(seconds=i),
                updated_at=created_at,
                due_at=due_at,
                remind_at=remind_at,
                **defaults,
            )
            for i in range(n)
        )

    return make
