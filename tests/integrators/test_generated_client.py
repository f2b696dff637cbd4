"""A client generated from /api/schema/ by openapi-python-client works: no warning, every module imports,
and calls through it succeed against a live test server.

This is what an integrator does first: `openapi-python-client generate --url …/api/schema/`. The test
runs the real generator (requirements-dev.txt pins it) on the schema the server serves, imports every
generated module, and calls the issue list, create and a transition, every statistics endpoint and the
Open311 endpoints through the generated functions. It is skipped only where the generator is not
installed. It takes about a minute (the generator formats its output with ruff).
"""

from __future__ import annotations

import datetime
import importlib
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client as DjangoClient
from django.utils import timezone
from rest_framework.authtoken.models import Token

from dashboards import services as stats_services
from grids.models import GridUnit, User
from issues import selectors as issue_selectors
from issues.models import Issue, IssueCategory
from open311 import services as open311_services
from open311.demo import demo_units

BIN = Path(sys.executable).parent
GENERATOR = shutil.which("openapi-python-client", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
PACKAGE = "portal_client"

pytestmark = pytest.mark.skipif(GENERATOR is None, reason="openapi-python-client is not installed")


@pytest.fixture(scope="module")
def generated(tmp_path_factory, django_db_blocker):
    """The client package generated from the schema the server serves, and the generator's output."""
    root = tmp_path_factory.mktemp("generated")
    with django_db_blocker.unblock():
        response = DjangoClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = root / "schema.json"
    schema.write_bytes(response.content)
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # its ruff post-hooks
    result = subprocess.run(
        [GENERATOR, "generate", "--path", str(schema), "--output-path", str(root / PACKAGE), "--meta", "none"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    sys.path.insert(0, str(root))
    try:
        yield result
    finally:
        sys.path.remove(str(root))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_the_generator_accepts_the_schema_without_a_warning(generated):
    output = generated.stdout + generated.stderr
    assert generated.returncode == 0, output
    assert "Warning" not in output, output
    assert "Unable to" not in output, output


def test_every_generated_module_imports(generated):
    package = importlib.import_module(PACKAGE)
    names = [info.name for info in pkgutil.walk_packages(package.__path__, f"{PACKAGE}.")]
    for name in names:
        importlib.import_module(name)
    assert len(names) > 100
    assert all(name.isascii() for name in names)  # enum modules named in ASCII, not after Chinese titles
    assert f"{PACKAGE}.api.open311.open311_requests_json" in names
    assert f"{PACKAGE}.api.open311.open311_requests_xml" in names


def api(name: str):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def model(name: str):
    module = importlib.import_module(f"{PACKAGE}.models")
    return getattr(module, name)


@pytest.mark.django_db(transaction=True)
def test_calls_through_the_generated_client_succeed_against_a_live_server(
    generated, seeded_transactional_db, live_server
):
    client_module = importlib.import_module(f"{PACKAGE}.client")
    worker = User.objects.get(username="xiufeng_worker")
    staff = User.objects.get(username="xiufeng_community")
    as_worker = client_module.AuthenticatedClient(
        base_url=live_server.url, token=Token.objects.get_or_create(user=worker)[0].key, prefix="Token"
    )
    as_staff = client_module.AuthenticatedClient(
        base_url=live_server.url, token=Token.objects.get_or_create(user=staff)[0].key, prefix="Token"
    )

    # Issues: create, list, one transition.
    category = IssueCategory.objects.get(code="opinion-property")
    unit = issue_selectors.default_log_unit(viewer=worker)
    body = model("IssueCreateRequest")(unit=unit.pk, category=category.pk, description="楼道灯坏了（生成的客户端）")
    created = api("api.api_v1_issues_create").sync_detailed(client=as_worker, body=body)
    assert created.status_code == 201, created.content
    issue_id = created.parsed.id
    listed = api("api.api_v1_issues_list").sync_detailed(client=as_worker)
    assert listed.status_code == 200, listed.content
    assert issue_id in [row.id for row in listed.parsed.results]
    issue = Issue.objects.get(pk=issue_id)
    accepted = api("api.api_v1_issues_accept_create").sync_detailed(
        issue_id, client=as_staff, body=model("VersionRequest")(version=issue.version)
    )
    assert accepted.status_code == 200, accepted.content
    assert getattr(accepted.parsed.status, "value", accepted.parsed.status) == "in_progress"
    # A refused field comes back typed: a map of field -> messages.
    refused = api("api.api_v1_issues_create").sync_detailed(
        client=as_worker, body=model("IssueCreateRequest")(unit=unit.pk, category=10**9, description="x")
    )
    assert refused.status_code == 400
    assert "category" in refused.parsed.additional_properties

    # Statistics, every endpoint, with a key.
    district = GridUnit.objects.get(name="秀峰区")
    _key, plaintext = stats_services.api_key_issue(
        name="generated", unit=district, expires_at=timezone.now() + datetime.timedelta(days=1), created_by=None
    )
    as_key = client_module.AuthenticatedClient(base_url=live_server.url, token=plaintext, prefix="Api-Key")
    overview = api("stats.api_v1_stats_overview_retrieve").sync_detailed(client=as_key)
    assert overview.status_code == 200, overview.content
    assert overview.parsed.unit.name == "秀峰区"
    for endpoint, group in [
        ("issues", "child"),
        ("volunteers", "category"),
        ("service_points", "kind"),
        ("contracts", "status"),
    ]:
        module = api(f"stats.api_v1_stats_{endpoint}_retrieve")
        enum = next(getattr(module, name) for name in dir(module) if name.endswith("GroupBy"))
        answer = module.sync_detailed(client=as_key, group_by=enum(group))
        assert answer.status_code == 200, (endpoint, answer.content)
        assert answer.parsed.unit.id == district.pk
        assert answer.parsed.totals is not None
        assert answer.parsed.rows, endpoint
        assert answer.parsed.as_of.utcoffset().total_seconds() == 8 * 3600

    # Open311: discovery, services, a service's definition, file a request, read it back (JSON and XML).
    _community, area = demo_units()
    _client, open311_key = open311_services.open311_client_issue(name="12345", unit=area, created_by=None)
    anonymous = client_module.Client(base_url=live_server.url)
    discovery = api("open311.open311_discovery_json").sync_detailed(client=anonymous)
    assert discovery.status_code == 200
    assert "X-Api-Key" in discovery.parsed.key_service
    services = api("open311.open311_services_json").sync_detailed(client=anonymous)
    assert category.code in [service.service_code for service in services.parsed]
    definition = api("open311.open311_service_definition_json").sync_detailed(category.code, client=anonymous)
    assert definition.parsed.service_code == category.code
    xml = api("open311.open311_services_xml").sync_detailed(client=anonymous)
    assert xml.status_code == 200
    assert xml.parsed.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<services>')
    form = model("ServiceRequestCreateWithMediaRequest")(
        api_key=open311_key, service_code=category.code, lat="25.2736", long="110.29"
    )
    filed = api("open311.open311_request_create_json").sync_detailed(client=anonymous, body=form)
    assert filed.status_code == 201, filed.content
    (receipt,) = filed.parsed
    read = api("open311.open311_request_json").sync_detailed(
        int(receipt.service_request_id), client=anonymous, api_key=open311_key
    )
    assert read.status_code == 200, read.content
    (row,) = read.parsed
    assert (row.lat, row.long) == (25.274, 110.29)  # Open311 answers at the public precision (3 decimals)
    listing = api("open311.open311_requests_json").sync_detailed(client=anonymous, api_key=open311_key)
    assert receipt.service_request_id in [request.service_request_id for request in listing.parsed]
    missing = api("open311.open311_request_json").sync_detailed(10**12, client=anonymous, api_key=open311_key)
    assert missing.status_code == 404
    assert missing.parsed[0].code == 404
