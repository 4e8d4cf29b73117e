#!/usr/bin/env python3
"""Set-up and tasks that need nothing but Python 3.11+.

    python3 dev.py test [PYTEST ARGS]   lint, type-check and run the whole suite
    python3 dev.py bench [ARGS]         run the benchmarks (bench/README.md)
    python3 dev.py COMMAND [ARGS]       any keep4o-bot command, e.g. `demo`, `run`, `poll all`

The first call creates ``.venv`` and installs the project into it; later calls
reinstall only when pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".installed"


def _run(*args: str | Path, **kwargs: object) -> int:
    return subprocess.call([str(a) for a in args], cwd=ROOT, **kwargs)  # type: ignore[arg-type]


def ensure_env() -> None:
    """Create the virtualenv and install the project with its dev extras, once per pyproject."""
    # Checked at run time: this file is what people start with whatever python3 they have.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit("keep4o-bot needs Python 3.11 or newer")
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text() == digest:
        return
    if not (BIN / "python").exists():
        print("dev.py: creating .venv", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    print("dev.py: installing keep4o-bot and its dependencies into .venv", file=sys.stderr)
    pip: list[str | Path] = [BIN / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if _run(*pip, "-e", ".[dev]") != 0:
        sys.exit("dev.py: installing the project failed (see pip's output above)")
    STAMP.write_text(digest)


def ensure_postgres() -> None:
    """Start the machine's PostgreSQL cluster with Debian's pg_ctlcluster if it is down."""
    if shutil.which("pg_isready") and _run("pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432") == 0:
        return
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").is_dir() else []
    if not versions or not shutil.which("pg_ctlcluster"):
        print("dev.py: PostgreSQL is not running and pg_ctlcluster is not here", file=sys.stderr)
        return
    print("dev.py: starting PostgreSQL", file=sys.stderr)
    _run("pg_ctlcluster", "--skip-systemctl-redirect", versions[-1].name, "main", "start")


def ensure_chromium() -> None:
    """The HTML report is checked in a real browser: install Debian's Chromium when it is missing."""
    if shutil.which("chromium") or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print("dev.py: installing Chromium (for the report's browser test)", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run("apt-get", "update", "-qq", env=env)
    _run("apt-get", "install", "-y", "-qq", "chromium", env=env)


def start_bluesky_devenv() -> subprocess.Popen[bytes] | None:
    """Start Bluesky's reference network in the background; its first start installs it (minutes)."""
    script = ROOT.parent / "shared" / "tools" / "bsky-devenv"
    if not script.is_file():
        print(f"dev.py: {script} is missing; the devenv tests will fail", file=sys.stderr)
        return None
    print("dev.py: starting Bluesky's reference network (bsky-devenv) in the background", file=sys.stderr)
    return subprocess.Popen([script, "start"], cwd=ROOT, stdout=subprocess.DEVNULL)


def test(args: list[str]) -> int:
    # For the whole suite, started first so its install overlaps the venv, lint and
    # type-check. The devenv tests start it themselves (idempotent) when a subset is run,
    # and fail with its error if it does not come up.
    devenv = None if args else start_bluesky_devenv()
    ensure_env()
    ensure_postgres()
    ensure_chromium()
    steps: list[list[str | Path]] = [
        [BIN / "ruff", "check", "bot", "tests", "migrations", "bench", "dev.py"],
        [BIN / "ruff", "format", "--check", "bot", "tests", "migrations", "bench", "dev.py"],
        [BIN / "mypy", "bot", "bench", "dev.py"],
    ]
    for step in steps:
        if _run(*step) != 0:
            print(f"dev.py: {Path(str(step[0])).name} failed", file=sys.stderr)
            return 1
    if devenv is not None and devenv.wait() != 0:
        print("dev.py: bsky-devenv did not start (its error is above)", file=sys.stderr)
    return _run(BIN / "python", "-m", "pytest", *args)


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if argv[0] == "test":
        return test(argv[1:])
    ensure_env()
    if argv[0] == "bench":
        return _run(BIN / "python", "-m", "bench", *argv[1:])
    return _run(BIN / "keep4o-bot", *argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
