"""Markdown and JSON files in a directory, for people who publish elsewhere.

Each file is written to a temporary file in the same directory and renamed over the
target, so a reader (or a crash) never sees half a file. Writing is idempotent, so
looking first only saves work: a copy is "found" when both files already exist.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from bot.digest import render_json, render_markdown

from ._delivery import Edition, NotDelivered, Remote

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class FilePublisher:
    target = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def paths(self, edition: Edition) -> tuple[Path, Path]:
        stem = f"{edition.kind}-{_UNSAFE.sub('_', edition.key)}"
        return self.directory / f"{stem}.md", self.directory / f"{stem}.json"

    def publish(self, edition: Edition, *, look_first: bool) -> Remote:
        markdown, document = self.paths(edition)
        if look_first and markdown.is_file() and document.is_file():
            return Remote(str(markdown), markdown.resolve().as_uri(), found=True)
        try:
            write_atomically(markdown, render_markdown(edition.content))
            write_atomically(document, render_json(edition.content))
        except OSError as exc:
            # Rewriting is harmless, so a failed write can always be tried again.
            raise NotDelivered(f"cannot write {markdown}: {exc.strerror or exc}") from exc
        return Remote(str(markdown), markdown.resolve().as_uri())
