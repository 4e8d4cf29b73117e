"""Reading a campaign file and its secrets into a validated :class:`Settings`."""

from __future__ import annotations

import io
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dotenv import dotenv_values
from pydantic import SecretStr, ValidationError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ._schema import Config

DEFAULT_CONFIG = Path("config/keep4o.toml")


class ConfigError(Exception):
    """A configuration problem, worded as one line naming file, key and problem."""


@dataclass(frozen=True)
class Secrets:
    """Credentials read only from the environment (or ``.env``); never from the TOML file."""

    reddit_client_id: SecretStr | None = None
    reddit_client_secret: SecretStr | None = None
    reddit_username: SecretStr | None = None
    reddit_password: SecretStr | None = None
    bluesky_app_password: SecretStr | None = None
    webhook_urls: Mapping[str, SecretStr] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    config: Config
    secrets: Secrets
    path: Path
    database_url: str


def _location(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _first_error(path: Path, exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    elif err["type"] == "missing":
        message = "required key is missing"
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return ConfigError(f"{path}: {_location(tuple(err['loc']))}: {message}{more}")


def _environment(path: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The process environment over ``.env`` beside the config file over ``./.env``."""
    merged: dict[str, str] = {}
    # One file when the config sits in the working directory: read (and warned about) once.
    for dotenv in dict.fromkeys(p.resolve() for p in (Path(".env"), path.parent / ".env")):
        if dotenv.is_file():
            try:
                text = dotenv.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"{dotenv}: cannot read: {exc}") from None
            merged.update({k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None})
    merged.update(environ)
    return merged


_BACKENDS = ("sqlite", "postgresql")
_URL_FORMS = "sqlite:///PATH or postgresql+psycopg://USER:PASSWORD@HOST:5432/DB"


def _database_url(path: Path, config: Config, env: Mapping[str, str]) -> str:
    """The database URL (``DATABASE_URL`` over the file's), checked before anything connects."""
    url = env.get("DATABASE_URL") or config.database.url
    where = "DATABASE_URL" if env.get("DATABASE_URL") else f"{path}: database.url"
    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not echoed: an unparsable URL may still hold a password.
        raise ConfigError(f"{where}: not a database URL (use {_URL_FORMS})") from None
    if "@" in (parsed.host or ""):
        raise ConfigError(f"{where}: an '@' in the user or password must be written %40")
    backend = parsed.get_backend_name()
    if backend not in _BACKENDS:
        hint = " (write postgresql://)" if backend == "postgres" else f" (use {_URL_FORMS})"
        raise ConfigError(f"{where}: {backend!r} databases are not supported{hint}")
    return url


def _secret(env: Mapping[str, str], name: str) -> SecretStr | None:
    value = env.get(name, "").strip()
    return SecretStr(value) if value else None


def _read_secrets(path: Path, config: Config, env: Mapping[str, str], *, check: bool) -> Secrets:
    secrets = Secrets(
        reddit_client_id=_secret(env, "REDDIT_CLIENT_ID"),
        reddit_client_secret=_secret(env, "REDDIT_CLIENT_SECRET"),
        reddit_username=_secret(env, "REDDIT_USERNAME"),
        reddit_password=_secret(env, "REDDIT_PASSWORD"),
        bluesky_app_password=_secret(env, "BLUESKY_APP_PASSWORD"),
        webhook_urls={
            w.name: s for w in config.digest.webhooks if (s := _secret(env, w.url_env)) is not None
        },
    )
    if not check:
        return secrets
    needed: list[tuple[str, str, object]] = []
    if config.reddit and config.reddit.enabled:
        needed += [
            ("reddit", "REDDIT_CLIENT_ID", secrets.reddit_client_id),
            ("reddit", "REDDIT_CLIENT_SECRET", secrets.reddit_client_secret),
        ]
    targets = set(config.digest.targets) | set(config.alerts.targets)
    if "reddit" in targets:
        needed += [
            ("digest.targets", "REDDIT_USERNAME", secrets.reddit_username),
            ("digest.targets", "REDDIT_PASSWORD", secrets.reddit_password),
        ]
    if (config.bluesky and config.bluesky.enabled) or "bluesky" in targets:
        needed.append(("bluesky", "BLUESKY_APP_PASSWORD", secrets.bluesky_app_password))
    if "webhook" in targets:
        needed += [
            ("digest.webhooks", w.url_env, secrets.webhook_urls.get(w.name)) for w in config.digest.webhooks
        ]
    for key, variable, value in needed:
        if value is None:
            raise ConfigError(f"{path}: {key}: secret {variable} is not set (environment or .env)")
    return secrets


def load_settings(
    path: Path | str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    check_secrets: bool = True,
) -> Settings:
    """Load and validate a campaign; ``path`` falls back to ``KEEP4O_CONFIG``, then the default.

    ``check_secrets=False`` is for commands that only read the database (trends, reports):
    they must work on a machine that holds no API credentials.
    """
    env_in = os.environ if environ is None else environ
    path = Path(path or env_in.get("KEEP4O_CONFIG") or DEFAULT_CONFIG)
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(path, exc) from None
    env = _environment(path, env_in)
    secrets = _read_secrets(path, config, env, check=check_secrets)
    return Settings(config=config, secrets=secrets, path=path, database_url=_database_url(path, config, env))


def masked(settings: Settings) -> dict[str, Any]:
    """The effective configuration with every secret replaced by a mask, for display."""
    shown: dict[str, Any] = settings.config.model_dump(mode="json")
    shown["database"]["url"] = _mask_url(settings.database_url)
    secrets = settings.secrets
    shown["secrets"] = {
        name: ("****" if getattr(secrets, name) else "(not set)")
        for name in (
            "reddit_client_id",
            "reddit_client_secret",
            "reddit_username",
            "reddit_password",
            "bluesky_app_password",
        )
    }
    shown["secrets"]["webhooks"] = {name: "****" for name in secrets.webhook_urls}
    return shown


def _mask_url(url: str) -> str:
    """A database URL with its password hidden, in the user part or as a ``password`` parameter."""
    parsed: URL = make_url(url)
    shown = parsed.set(query={}).render_as_string(hide_password=True)
    pairs = [
        (key, value)
        for key, values in parsed.query.items()
        for value in ((values,) if isinstance(values, str) else values)
    ]
    query = "&".join(f"{k}={'***' if k.lower() == 'password' else v}" for k, v in pairs)
    return f"{shown}?{query}" if query else shown
