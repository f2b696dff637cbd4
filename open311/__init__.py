"""Open311 GeoReport v2 under /open311/v2/ (http://wiki.open311.org/GeoReport_v2).

- models.py: `Open311Client` (a hashed key naming the micro-grid its requests are
  logged into and read from; a service account recorded as their reporter).
- services.py: issuing and revoking keys; `open311_request_create` files a request
  through `issues.services.issue_log` (routing after commit, as for the page).
- selectors.py: services (active issue categories) and requests (issues) scoped
  through `grids.jurisdiction` to the key's subtree; the spec's defaults.
- representation.py: the spec's shapes; no personal data, free text redacted.
- renderers.py / views.py / urls.py: JSON and XML by extension, errors in the spec's format.
"""
