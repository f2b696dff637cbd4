"""API fuzzing: schemathesis drives every operation of /api/schema/ against the Django app itself.

The schema is loaded once, at module level, from the WSGI application (pytest 9
does not let a fixture feed `schema.parametrize`). Each operation is run as
roles of 秀峰区, authenticated per case with a header: district staff, community
staff and a grid worker (DRF tokens), the statistics API key (statistics
operations) and an Open311 client key (GeoReport operations). Inputs are valid
by the schema (its types, enums and path grammar); every answer must not be a
server error, must have a status code and a content type the schema documents,
and must match the documented body.

Bounded: the widest role (district staff) and the keys get the schema's own
examples, its boundary values (coverage) and FUZZ_EXAMPLES random cases per
operation; the two narrower roles get LIGHT_EXAMPLES random cases. No deadline;
on the seeded demo city, inside each test's transaction (rolled back).
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dashboards.services import api_key_issue
from grids.models import GridUnit, User
from guilin_portal.wsgi import application
from open311.services import open311_client_issue

FUZZ_EXAMPLES = 10
LIGHT_EXAMPLES = 4
# A fixed seed keeps CI repeatable; FUZZ_SEED=<n> (or "random") explores other cases.
FUZZ_SEED = os.environ.get("FUZZ_SEED", "20261129")
PEOPLE = {"district_staff": "xiufeng_district", "community_staff": "xiufeng_community", "grid_worker": "xiufeng_worker"}


def _config(phases: list[str]) -> schemathesis.Config:
    config = schemathesis.Config(seed=None if FUZZ_SEED == "random" else int(FUZZ_SEED))
    config.projects.default.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])
    config.projects.default.phases.update(phases=phases)
    return config


schema = schemathesis.openapi.from_wsgi(
    "/api/schema/", application, config=_config(["examples", "coverage", "fuzzing"])
)
light_schema = schemathesis.openapi.from_dict(schema.raw_schema, config=_config(["fuzzing"]))
light_schema.app = application

people_api = schema.include(path_regex=r"^/api/v1/").exclude(path_regex=r"^/api/v1/stats/")
people_api_light = light_schema.include(path_regex=r"^/api/v1/").exclude(path_regex=r"^/api/v1/stats/")
stats_api = schema.include(path_regex=r"^/api/v1/stats/")
open311_api = schema.include(path_regex=r"^/open311/")


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # no .hypothesis folder in the checkout
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


CASES: Counter[str] = Counter()


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def wsgi_in_test_transaction(db):
    """Requests through the WSGI app keep the test's connection (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _headers(role: str) -> dict[str, str]:
    if role in PEOPLE:
        token, _created = Token.objects.get_or_create(user=User.objects.get(username=PEOPLE[role]))
        return {"Authorization": f"Token {token.key}"}
    xiufeng = GridUnit.objects.get(level=GridUnit.Level.DISTRICT, name="秀峰区")
    if role == "stats_key":
        _key, plaintext = api_key_issue(
            name="fuzz", unit=xiufeng, expires_at=timezone.now() + timedelta(days=1), created_by=None
        )
        return {"Authorization": f"Api-Key {plaintext}"}
    area = GridUnit.objects.filter(level=GridUnit.Level.AREA, path__startswith=xiufeng.path).earliest("path")
    _client, plaintext = open311_client_issue(name="fuzz", unit=area, created_by=None)
    return {"X-Api-Key": plaintext}


@pytest.fixture
def headers_as(wsgi_in_test_transaction, settings):
    """Credentials per role, made once per test; throttles opened wide (the fuzzer is one fast client)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "100000/minute"),
    }
    made: dict[str, dict[str, str]] = {}

    def make(role: str) -> dict[str, str]:
        if role not in made:
            made[role] = _headers(role)
        return made[role]

    return make


def run(case, headers: dict[str, str], role: str) -> None:
    CASES[role] += 1
    case.call_and_validate(headers=headers, checks=CHECKS)


@people_api.parametrize()
@_settings(FUZZ_EXAMPLES)
def test_api_as_district_staff(case, headers_as):
    run(case, headers_as("district_staff"), "district_staff")


@pytest.mark.parametrize("role", ["community_staff", "grid_worker"])
@people_api_light.parametrize()
@_settings(LIGHT_EXAMPLES)
def test_api_as_narrower_roles(case, role, headers_as):
    run(case, headers_as(role), role)


@pytest.mark.parametrize("role", ["stats_key", "district_staff"])
@stats_api.parametrize()
@_settings(FUZZ_EXAMPLES)
def test_statistics_api(case, role, headers_as):
    run(case, headers_as(role), role)


@open311_api.parametrize()
@_settings(FUZZ_EXAMPLES)
def test_open311_api(case, headers_as):
    run(case, headers_as("open311_key"), "open311_key")


def test_schema_validates_without_warnings(db):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_statistics_400_matches_its_documentation(db):
    """Found by the fuzzing: the statistics 400 body was documented with a literal "field" property."""
    import jsonschema

    user = User.objects.get(username="xiufeng_district")
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/stats/overview/", {"unit": "abc"})
    assert response.status_code == 400
    operation = schema.raw_schema["paths"]["/api/v1/stats/overview/"]["get"]
    documented = operation["responses"]["400"]["content"]["application/json"]["schema"]
    resolver_schema = {**documented, "components": schema.raw_schema["components"]}
    jsonschema.validate(response.json(), resolver_schema)


def test_fuzz_cases_run(capsys):
    """How many cases this run sent, per role (the module's last test)."""
    with capsys.disabled():
        print(
            f"\nAPI fuzzing (seed {schema.config.seed}): {sum(CASES.values())} cases: "
            + ", ".join(f"{role} {n}" for role, n in sorted(CASES.items()))
        )
