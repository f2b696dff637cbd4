"""Production's operations settings as a fresh process sees them: proxy trust is explicit, uploads live
outside the checkout, probes are not redirected, seed_demo knows where it is."""

import json
import re
from pathlib import Path

from django.conf import settings

from tests.test_settings import PRODUCTION, SECRETS, run_python

NAMES = ["SECURE_PROXY_SSL_HEADER", "MEDIA_ROOT", "SECURE_REDIRECT_EXEMPT", "PORTAL_ENVIRONMENT"]


def settings_of(module: str, env: dict[str, str], names: list[str]) -> dict:
    """As tests/test_settings.py's, with paths written as text."""
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}, default=str))"
    )
    result = run_python(code, env | {"DJANGO_SETTINGS_MODULE": module})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_production_trusts_x_forwarded_proto_only_as_configured():
    default = settings_of(PRODUCTION, SECRETS, NAMES)
    assert default["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    off = settings_of(PRODUCTION, SECRETS | {"PORTAL_TRUST_X_FORWARDED_PROTO": "false"}, NAMES)
    assert off["SECURE_PROXY_SSL_HEADER"] is None


def test_production_keeps_uploads_outside_the_checkout_and_lets_probes_in_over_http():
    production = settings_of(PRODUCTION, SECRETS, NAMES + ["BASE_DIR"])
    media = Path(production["MEDIA_ROOT"])
    assert not media.is_relative_to(Path(settings.BASE_DIR))
    assert production["PORTAL_ENVIRONMENT"] == "production"
    exempt = production["SECURE_REDIRECT_EXEMPT"]
    assert all(any(re.search(p, path) for p in exempt) for path in ("healthz", "healthz/live", "healthz/ready"))
    assert not any(re.search(p, "accounts/login/") for p in exempt)
