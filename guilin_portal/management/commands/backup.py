"""`manage.py backup TARGET_DIR`: ops/backup.sh with this deployment's database and uploads folder.

The database dump and the uploads (DJANGO_MEDIA_ROOT) go together into one folder with a manifest
and checksums; restore with ops/restore.sh (the README's restore runbook).
"""

import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections


def database_url(alias: str = "default") -> str:
    db = connections[alias].settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError("backups need PostgreSQL (DATABASE_URL=postgres://...); copy a SQLite file instead")
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Command(BaseCommand):
    help = "Back up the database and the uploaded files together (ops/backup.sh), with a manifest and checksums."

    def add_arguments(self, parser):
        parser.add_argument("target", help="folder that receives guilin-<timestamp>/")

    def handle(self, *args, target: str, **options):
        script = Path(settings.BASE_DIR) / "ops" / "backup.sh"
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [str(script), database_url(), str(settings.MEDIA_ROOT), target], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(f"backup failed:\n{result.stderr or result.stdout}")
        self.stdout.write(result.stdout.rstrip())
