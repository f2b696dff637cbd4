import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guilin_portal.settings.development")
django.setup(set_prefix=False)

from guilin_portal.handlers import PortalWSGIHandler  # noqa: E402 - after django.setup()

# As django.core.wsgi.get_wsgi_application(), with API calls carrying credentials on a lean stack.
application = PortalWSGIHandler()
