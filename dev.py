#!/usr/bin/env python3
"""The two set-up commands of the README, for a fresh machine with only Python >= 3.11.

    python3 dev.py start   # install into .venv, migrate, seed the demo city, serve http://127.0.0.1:8000
    python3 dev.py test    # install into .venv (with test tools) and run the whole test suite

`start` runs on the development settings (guilin_portal.settings.development,
whatever DJANGO_SETTINGS_MODULE the shell has); `test` on pytest's own
(guilin_portal.settings.test, named in pyproject.toml). Without DATABASE_URL /
CELERY_BROKER_URL both use the embedded default: a SQLite file and Celery tasks
executed in-process. Extra arguments after `test` go to pytest
(`python3 dev.py test -k routing`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
ACCOUNTS_FILE = ROOT / "var" / "demo_accounts.json"
# The shell's DJANGO_SETTINGS_MODULE is never used: `start` names development, `test` leaves pytest's.
ENV_WITHOUT_SETTINGS = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
START_ENV = ENV_WITHOUT_SETTINGS | {"DJANGO_SETTINGS_MODULE": "guilin_portal.settings.development"}


def run(*args: str | Path, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def install(*requirement_files: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on whatever python3 the machine has
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"Creating the virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    args: list[str] = []
    for name in requirement_files:
        args += ["-r", name]
    run(PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "-q", *args)


def manage(*args: str) -> None:
    run(PYTHON, "manage.py", *args, env=START_ENV)


def start() -> None:
    install("requirements.txt")
    manage("migrate", "--no-input", "-v", "0")
    probe = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", "from grids.models import GridUnit; print(GridUnit.objects.exists())"],
        cwd=ROOT,
        env=START_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    if probe.stdout.strip().endswith("False"):
        manage("seed_demo")
    elif ACCOUNTS_FILE.exists():
        accounts = json.loads(ACCOUNTS_FILE.read_text(encoding="utf-8"))
        print(f"\nThe demo city is already there. Demo accounts (password for all: {accounts['password']}):")
        for account in accounts["accounts"]:
            print(f"  {account['username']:<22} {account['description']}  {account.get('secret', '')}")
    print("\nOpen http://127.0.0.1:8000/ and log in with one of the accounts above.\n", flush=True)
    manage("runserver", "127.0.0.1:8000")


def test(pytest_args: list[str]) -> None:
    install("requirements.txt", "requirements-dev.txt")
    run(PYTHON, "-m", "pytest", *pytest_args, env=ENV_WITHOUT_SETTINGS)


def main() -> None:
    command, *rest = sys.argv[1:] or ["help"]
    try:
        if command == "start":
            start()
        elif command == "test":
            test(rest)
        else:
            print(__doc__)
            sys.exit(0 if command == "help" else 2)
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
