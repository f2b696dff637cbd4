"""Backups: the database and the uploads together; the drill checks a restore against the backup itself,
so it passes while the portal keeps writing, and it restores the uploaded files."""

import io
import os
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

OPS = Path(settings.BASE_DIR) / "ops"


def url_of_tests() -> str:
    from guilin_portal.management.commands.backup import database_url

    return database_url()


def run(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, timeout=600, env=os.environ | env, check=False
    )


class Writes:
    """The portal at work during the backup: rows inserted and photos uploaded, without pause."""

    def __init__(self, uploads: Path):
        import psycopg2

        db = connection.settings_dict
        self.db = psycopg2.connect(
            dbname=db["NAME"], user=db["USER"], password=db.get("PASSWORD") or None, host=db["HOST"] or "127.0.0.1"
        )
        self.db.autocommit = True
        self.uploads = uploads
        self.rows = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.write, daemon=True)

    def write(self):
        with self.db.cursor() as cursor:
            while not self.stop.is_set():
                cursor.execute(
                    "INSERT INTO django_content_type (app_label, model) VALUES ('drill', %s)", [uuid.uuid4().hex]
                )
                (self.uploads / f"live-{self.rows}.jpg").write_bytes(os.urandom(64))
                self.rows += 1
                self.stop.wait(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(10)
        self.db.close()


@pytest.fixture
def uploads(tmp_path) -> Path:
    folder = tmp_path / "uploads"
    (folder / "issues" / "2026" / "12").mkdir(parents=True)
    (folder / "issues" / "2026" / "12" / "photo.jpg").write_bytes(b"\xff\xd8" + os.urandom(2000))
    (folder / "contracts" / "evidence.pdf").parent.mkdir()
    (folder / "contracts" / "evidence.pdf").write_bytes(b"%PDF-1.4 " + os.urandom(500))
    return folder


def test_the_drill_passes_with_writes_running(uploads):
    with Writes(uploads) as writes:
        result = run(OPS / "restore_drill.sh", url_of_tests(), uploads)
        during = writes.rows
    assert result.returncode == 0, result.stdout + result.stderr
    assert "restore drill passed" in result.stdout
    assert during > 10  # the writes really ran during the drill


def test_backup_then_restore_into_a_fresh_database_and_folder_restores_the_uploads(uploads, tmp_path):
    with Writes(uploads):
        backup = run(OPS / "backup.sh", url_of_tests(), uploads, tmp_path / "backups")
    assert backup.returncode == 0, backup.stderr
    folder = Path(backup.stdout.strip().splitlines()[-1])
    assert {p.name for p in folder.iterdir()} == {
        "db.dump",
        "uploads.tar.gz",
        "rows.txt",
        "uploads.sha256",
        "MANIFEST",
        "SHA256SUMS",
    }
    name = f"restore_test_{uuid.uuid4().hex[:8]}"
    base = url_of_tests().rsplit("/", 1)[0]
    assert run("psql", "-q", f"{base}/postgres", "-c", f"CREATE DATABASE {name}").returncode == 0
    try:
        restored = tmp_path / "restored-uploads"
        result = run(OPS / "restore.sh", folder, f"{base}/{name}", restored)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (restored / "issues" / "2026" / "12" / "photo.jpg").read_bytes() == (
            uploads / "issues" / "2026" / "12" / "photo.jpg"
        ).read_bytes()
        assert (restored / "contracts" / "evidence.pdf").exists()
        # Restoring over a database that is not empty is refused.
        again = run(OPS / "restore.sh", folder, f"{base}/{name}", tmp_path / "other")
        assert again.returncode != 0
        assert "new, empty database" in again.stderr
    finally:
        run("psql", "-q", f"{base}/postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_a_damaged_backup_is_refused(uploads, tmp_path):
    backup = run(OPS / "backup.sh", url_of_tests(), uploads, tmp_path / "backups")
    folder = Path(backup.stdout.strip().splitlines()[-1])
    with (folder / "uploads.tar.gz").open("ab") as archive:
        archive.write(b"tampered")
    result = run(OPS / "restore.sh", folder, url_of_tests(), tmp_path / "restored")
    assert result.returncode != 0
    assert "checksums do not hold" in result.stdout


def test_the_backup_command_uses_the_settings_database_and_uploads(uploads, tmp_path, settings):
    settings.MEDIA_ROOT = uploads
    out = io.StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    folder = Path(out.getvalue().strip().splitlines()[-1])
    sums = (folder / "uploads.sha256").read_text()
    assert "issues/2026/12/photo.jpg" in sums
    assert "contracts/evidence.pdf" in sums
