"""The background articles in ``seeds/`` and their manifest."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot._paths import project_folder


class SeedError(Exception):
    """A manifest problem, as one line."""


class SeedArticle(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    file: str
    title: str = Field(min_length=1)
    language: str = Field(pattern=r"^[a-z]{2}$")
    outlet: str | None = None
    date: dt.date | None = None
    topics: tuple[str, ...] = ()
    summary: str = Field(min_length=1)
    url: str | None = None
    path: Path = Path()


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[SeedArticle]


def load_manifest(directory: Path | None = None) -> list[SeedArticle]:
    """The articles listed in ``seeds/manifest.toml`` (or ``directory``), each with its text's path."""
    if directory is None:
        try:
            directory = project_folder("seeds", "manifest.toml")
        except FileNotFoundError as exc:
            raise SeedError(str(exc)) from None
    manifest = directory / "manifest.toml"
    try:
        raw = tomllib.loads(manifest.read_text(encoding="utf-8"))
        articles = _Manifest.model_validate(raw).articles
    except FileNotFoundError:
        raise SeedError(f"{manifest}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"{manifest}: not valid TOML: {exc}") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise SeedError(f"{manifest}: {where}: {err['msg']}") from None
    out = []
    for article in articles:
        path = directory / article.file
        if not path.is_file():
            raise SeedError(f"{manifest}: article {article.id!r}: file {article.file} not found")
        out.append(article.model_copy(update={"path": path}))
    ids = [a.id for a in out]
    if len(ids) != len(set(ids)):
        raise SeedError(f"{manifest}: article ids must be unique")
    return out
