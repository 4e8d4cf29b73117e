"""The campaign file: what loads, and the one-line errors for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings, masked, parse_duration
from tests.conftest import ROOT

SECRETS = {
    "REDDIT_CLIENT_ID": "id-9f3k2",
    "REDDIT_CLIENT_SECRET": "secret-x81q",
    "BLUESKY_APP_PASSWORD": "pw-77zz-aa11",
}

MINIMAL = """
[campaign]
name = "demo"
title = "#demo"

[match]
hashtags = ["demo"]
"""


@pytest.fixture(autouse=True)
def _no_stray_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # load_settings reads ./.env; run every test in an empty folder.
    monkeypatch.chdir(tmp_path)


def write(tmp_path: Path, text: str, name: str = "c.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(path, environ or {})
    message = str(info.value)
    assert "\n" not in message
    return message


def test_the_default_campaign_loads_with_its_secrets() -> None:
    settings = load_settings(ROOT / "config/keep4o.toml", SECRETS)
    assert settings.config.campaign.name == "keep4o"
    assert "keep4o" in settings.config.match.hashtags
    assert "ChatGPT" in settings.config.reddit.subreddits  # type: ignore[union-attr]
    assert settings.config.petitions[0].goal == 25000
    assert settings.database_url == "sqlite:///data/keep4o.db"


def test_a_minimal_campaign_needs_no_secrets(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), {})
    assert settings.config.reddit is None
    assert settings.config.digest.targets == ["file"]


def test_an_unknown_key_is_named_with_its_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "\n[digest]\ntargest = ['file']\n")
    assert error_for(path) == f"{path}: digest.targest: unknown key"


def test_a_wrong_type_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace('hashtags = ["demo"]', 'hashtags = "demo"'))
    assert error_for(path).startswith(f"{path}: match.hashtags: ")


@pytest.mark.parametrize(
    ("section", "setting", "key"),
    [("server", 'port = "8787"', "server.port"), ("sandbox", 'enabled = "yes"', "sandbox.enabled")],
)
def test_a_string_where_toml_has_a_number_or_boolean_is_refused(
    tmp_path: Path, section: str, setting: str, key: str
) -> None:
    path = write(tmp_path, MINIMAL + f"\n[{section}]\n{setting}\n")
    assert error_for(path).startswith(f"{path}: {key}: Input should be a valid ")


def test_the_digest_time_may_be_a_string_or_a_toml_time(tmp_path: Path) -> None:
    for time in ('"07:30"', "07:30:00"):
        settings = load_settings(write(tmp_path, MINIMAL + f"\n[digest]\ntime = {time}\n"), {})
        assert settings.config.digest.time.isoformat() == "07:30:00"


def test_a_retention_shorter_than_a_day_is_refused_before_it_purges_anything(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '\n[schedule]\nretention = "0d"\n')
    assert error_for(path) == f"{path}: schedule: retention '0d' is shorter than 1d"


def test_a_count_beyond_the_snapshot_column_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, MINIMAL + '\n[[petitions]]\nid = "p"\nurl = "https://x.org/p"\ngoal = 3000000000\n'
    )
    assert error_for(path) == f"{path}: petitions[0].goal: Input should be less than or equal to 2147483647"


def test_the_jetstream_url_is_a_websocket_and_a_local_one_needs_the_sandbox(tmp_path: Path) -> None:
    bluesky = '\n[bluesky]\nhandle = "demo.test"\nqueries = ["#demo"]\njetstream_url = "{}"\n'
    wrong = write(tmp_path, MINIMAL + bluesky.format("https://jetstream.example/xrpc"))
    assert error_for(wrong) == (
        f"{wrong}: bluesky.jetstream_url: 'https://jetstream.example/xrpc' is not a ws(s) URL"
    )
    local = write(tmp_path, MINIMAL + bluesky.format("ws://127.0.0.1:9/xrpc"), "local.toml")
    assert "ws://127.0.0.1:9/xrpc is a local address; set [sandbox] enabled = true" in error_for(
        local, {"BLUESKY_APP_PASSWORD": "x"}
    )


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("garbage", "not a database URL (use sqlite:///PATH or postgresql+psycopg://"),
        ("postgres://bot:pw@db/x", "'postgres' databases are not supported (write postgresql://)"),
        ("mysql://bot:pw@db/x", "'mysql' databases are not supported (use sqlite:///PATH or"),
        ("postgresql://bot:p@ss@db/x", "an '@' in the user or password must be written %40"),
    ],
)
def test_a_database_url_the_bot_cannot_use_is_named_before_anything_connects(
    tmp_path: Path, url: str, problem: str
) -> None:
    path = write(tmp_path, MINIMAL)
    assert error_for(path, {"DATABASE_URL": url}).startswith(f"DATABASE_URL: {problem}")
    in_file = write(tmp_path, MINIMAL + f'\n[database]\nurl = "{url}"\n', "db.toml")
    assert error_for(in_file).startswith(f"{in_file}: database.url: {problem}")


def test_a_dotenv_that_cannot_be_read_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"REDDIT_CLIENT_ID=\xff\n")
    message = error_for(write(tmp_path, MINIMAL))
    assert message.startswith(f"{tmp_path / '.env'}: cannot read: 'utf-8' codec can't decode byte 0xff")


def test_a_bad_url_names_the_petition(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '\n[[petitions]]\nid = "p"\nurl = "change.org/p/x"\n')
    assert error_for(path) == f"{path}: petitions[0].url: 'change.org/p/x' is not an http(s) URL"


def test_a_bad_timezone_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace('title = "#demo"', 'title = "#demo"\ntimezone = "Mars/Olympus"'))
    assert "campaign.timezone: 'Mars/Olympus' is not a known IANA timezone" in error_for(path)


def test_a_missing_secret_for_an_enabled_source_is_named(tmp_path: Path) -> None:
    text = MINIMAL + '\n[reddit]\nsubreddits = ["ChatGPT"]\ncontact_username = "someone"\n'
    path = write(tmp_path, text)
    assert error_for(path, {"REDDIT_CLIENT_ID": "x"}) == (
        f"{path}: reddit: secret REDDIT_CLIENT_SECRET is not set (environment or .env)"
    )


def test_a_disabled_source_needs_no_secret(tmp_path: Path) -> None:
    text = MINIMAL + '\n[reddit]\nenabled = false\nsubreddits = ["ChatGPT"]\ncontact_username = "someone"\n'
    assert load_settings(write(tmp_path, text), {}).secrets.reddit_client_id is None


def test_secrets_come_from_a_dotenv_beside_the_config(tmp_path: Path) -> None:
    (tmp_path / "camp").mkdir()
    path = write(tmp_path, MINIMAL + '\n[bluesky]\nhandle = "me.test"\nqueries = ["#demo"]\n', "camp/c.toml")
    (tmp_path / "camp/.env").write_text("BLUESKY_APP_PASSWORD=from-dotenv\n")
    password = load_settings(path, {}).secrets.bluesky_app_password
    assert password is not None and password.get_secret_value() == "from-dotenv"


def test_the_environment_wins_over_dotenv(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + '\n[bluesky]\nhandle = "me.test"\nqueries = ["#demo"]\n')
    (tmp_path / ".env").write_text("BLUESKY_APP_PASSWORD=from-dotenv\n")
    password = load_settings(path, {"BLUESKY_APP_PASSWORD": "from-env"}).secrets.bluesky_app_password
    assert password is not None and password.get_secret_value() == "from-env"


def test_keep4o_config_chooses_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    assert load_settings(None, {"KEEP4O_CONFIG": str(path)}).path == path


def test_database_url_overrides_the_file(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, MINIMAL), {"DATABASE_URL": "postgresql+psycopg://u@h/db"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"


def test_a_missing_file_and_broken_toml_are_one_line_errors(tmp_path: Path) -> None:
    assert error_for(tmp_path / "nope.toml") == f"{tmp_path / 'nope.toml'}: file not found"
    assert error_for(write(tmp_path, "[campaign\n")).startswith(f"{tmp_path / 'c.toml'}: not valid TOML: ")


def test_local_urls_need_the_explicit_sandbox_setting(tmp_path: Path) -> None:
    text = MINIMAL + '\n[[petitions]]\nid = "p"\nurl = "http://127.0.0.1:9/p/x"\n'
    assert "set [sandbox] enabled = true" in error_for(write(tmp_path, text))
    allowed = load_settings(write(tmp_path, text + "\n[sandbox]\nenabled = true\n", "ok.toml"), {})
    assert allowed.config.petitions[0].url == "http://127.0.0.1:9/p/x"


def test_a_job_needs_exactly_one_trigger(tmp_path: Path) -> None:
    path = write(
        tmp_path, MINIMAL + '\n[schedule.jobs]\npoll_reddit = { every = "5m", cron = "* * * * *" }\n'
    )
    assert "schedule.jobs.poll_reddit: give exactly one of 'every' or 'cron'" in error_for(path)


def test_masked_configuration_shows_no_secret(tmp_path: Path) -> None:
    settings = load_settings(
        ROOT / "config/keep4o.toml", {**SECRETS, "DATABASE_URL": "postgresql://bot:pw@db/x"}
    )
    shown = repr(masked(settings))
    for value in (*SECRETS.values(), ":pw@"):
        assert value not in shown
    assert masked(settings)["database"]["url"] == "postgresql://bot:***@db/x"
    in_query = {**SECRETS, "DATABASE_URL": "postgresql://db/x?user=bot&password=s3cret&sslmode=require"}
    shown_url = masked(load_settings(ROOT / "config/keep4o.toml", in_query))["database"]["url"]
    assert shown_url == "postgresql://db/x?user=bot&password=***&sslmode=require"
    assert masked(settings)["secrets"]["reddit_client_id"] == "****"


@pytest.mark.parametrize(("text", "seconds"), [("90s", 90), ("10m", 600), ("6h", 21600), ("2d", 172800)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


def test_a_bad_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration("10 minutes")
    with pytest.raises(ValueError, match="'9999999d' is longer than 3650d"):
        parse_duration("9999999d")
