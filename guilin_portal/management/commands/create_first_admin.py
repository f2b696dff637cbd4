"""`manage.py create_first_admin`: the first administrator of a fresh deployment (the first-deploy runbook).

Interactive by default; with --no-input it reads PORTAL_ADMIN_USERNAME, PORTAL_ADMIN_PASSWORD
and PORTAL_ADMIN_EMAIL (unset them afterwards). Prints the second factor's key ONCE: load it into
an authenticator app; the first log-in asks for a code from that app (the site never shows the key).
"""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from guilin_portal.first_admin import first_admin_create


class Command(BaseCommand):
    help = "Create the first administrator, with a strong password and a second factor only the operator holds."

    def add_arguments(self, parser):
        parser.add_argument("--username", help="default: PORTAL_ADMIN_USERNAME, else asked")
        parser.add_argument("--email", help="default: PORTAL_ADMIN_EMAIL")
        parser.add_argument(
            "--no-input",
            action="store_true",
            help="ask nothing: the password comes from PORTAL_ADMIN_PASSWORD",
        )

    def handle(self, *args, username=None, email=None, no_input=False, **options):
        username = username or os.environ.get("PORTAL_ADMIN_USERNAME", "")
        email = email or os.environ.get("PORTAL_ADMIN_EMAIL", "")
        password = os.environ.get("PORTAL_ADMIN_PASSWORD", "")
        if no_input:
            if not username or not password:
                raise CommandError("--no-input needs PORTAL_ADMIN_USERNAME and PORTAL_ADMIN_PASSWORD")
        else:
            username = username or input("Username: ").strip()
            email = email or input("E-mail (optional): ").strip()
            if not password:
                password = getpass.getpass("Password (14+ characters, three kinds): ")
                if getpass.getpass("Password again: ") != password:
                    raise CommandError("the two passwords differ; nothing was created")
        try:
            admin = first_admin_create(username=username, password=password, email=email)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages) + " (nothing was created)") from error
        self.stdout.write(self.style.SUCCESS(f"Administrator {admin.username!r} created."))
        self.stdout.write("")
        self.stdout.write("Second factor, shown ONLY NOW: add this key to an authenticator app")
        self.stdout.write("(Google/Microsoft Authenticator, FreeOTP...), by hand or from the URI as a QR code:")
        self.stdout.write(f"  key: {admin.totp_secret}")
        self.stdout.write(f"  uri: {admin.config_url}")
        self.stdout.write("")
        self.stdout.write("Then log in at /accounts/login/ and enter the app's 6-digit code to finish enrolling.")
        self.stdout.write("The site never shows this key: the password alone cannot enrol a device.")
