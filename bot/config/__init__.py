"""Campaign configuration: one TOML file per campaign, secrets from the environment."""

from ._load import DEFAULT_CONFIG, ConfigError, Secrets, Settings, load_settings, masked
from ._schema import (
    Alerts,
    Bluesky,
    Campaign,
    Care,
    Config,
    Digest,
    Job,
    JobName,
    Match,
    Petition,
    Reddit,
    Schedule,
    Webhook,
    is_loopback_url,
    parse_duration,
)

__all__ = [
    "DEFAULT_CONFIG",
    "Alerts",
    "Bluesky",
    "Campaign",
    "Care",
    "Config",
    "ConfigError",
    "Digest",
    "Job",
    "JobName",
    "Match",
    "Petition",
    "Reddit",
    "Schedule",
    "Secrets",
    "Settings",
    "Webhook",
    "is_loopback_url",
    "load_settings",
    "masked",
    "parse_duration",
]
