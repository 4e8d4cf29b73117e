"""Where the project's data folders (``migrations/``, ``seeds/``) are.

In a checkout they sit beside the package; in the Docker image the package is
installed into a virtualenv and the folders are in the working directory.
"""

from __future__ import annotations

from pathlib import Path


def project_folder(name: str, marker: str) -> Path:
    """The folder ``name`` that holds ``marker``: beside the package, else in the working directory."""
    for candidate in (Path(__file__).resolve().parents[1] / name, Path.cwd() / name):
        if (candidate / marker).is_file():
            return candidate
    raise FileNotFoundError(f"{name}/ not found beside the package or in the working directory")
