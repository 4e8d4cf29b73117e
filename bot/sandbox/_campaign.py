"""The campaign file and ``.env`` that point the bot at a running sandbox."""

from __future__ import annotations

import json

# The sandbox's fixed credentials (documented; anything else is refused).
REDDIT_CLIENT_ID = "sandbox-client"
REDDIT_CLIENT_SECRET = "sandbox-secret"
REDDIT_USERNAME = "keep4o_bot"
REDDIT_PASSWORD = "sandbox-password"
BLUESKY_HANDLE = "keep4o-bot.sandbox.test"
BLUESKY_DID = "did:plc:keep4obotsandbox000000"
BLUESKY_APP_PASSWORD = "sandbox-app-password"

CHANGEORG_SLUG = "keep-gpt-4o"
UK_PETITION_ID = "700001"
DIGEST_SUBREDDIT = "keep4o_sandbox"

SUBREDDITS = ("ChatGPT", "OpenAI", "ChatGPTPro", "ChatGPTcomplaints", "MyBoyfriendIsAI", "singularity")
HASHTAGS = ("keep4o", "4oforever", "keep4oAPI", "keepgpt4o", "save4o", "bring4oback")
KEYWORDS = (
    "keep 4o",
    "keep GPT-4o",
    "keep gpt4o",
    "save GPT-4o",
    "bring back 4o",
    "bring back GPT-4o",
    "GPT-4o retirement",
    "4o behouden",
    "garder GPT-4o",
    "GPT-4o behalten",
    "保留4o",
    "4oを残して",
)
EXCLUDE = ("keep4offline",)
DISTRESS_TERMS = (
    "suicide",
    "suicidal",
    "kill myself",
    "self-harm",
    "self harm",
    "want to die",
    "end my life",
    "zelfmoord",
    "suicidaire",
    "me tuer",
    "selbstmord",
    "suizid",
    "自杀",
    "想死",
    "死にたい",
)


def _list(items: tuple[str, ...] | list[str]) -> str:
    # JSON strings are valid TOML basic strings (same escapes, \\uXXXX included).
    return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"


def campaign_toml(base_url: str, db_url: str, digest_dir: str) -> str:
    """Every source and every digest target at ``base_url``; time-critical jobs run often."""
    ws_url = "ws" + base_url.removeprefix("http")
    return f"""# A campaign that points every source and target at the keep4o sandbox ({base_url}).
# Credentials are in the .env beside this file (the sandbox's fixed, public ones).

[campaign]
name = "keep4o-sandbox"
title = "#keep4o (sandbox)"
timezone = "Europe/Amsterdam"

[match]
hashtags = {_list(HASHTAGS)}
keywords = {_list(KEYWORDS)}
exclude = {_list(EXCLUDE)}

[reddit]
enabled = true
subreddits = {_list(SUBREDDITS)}
search_queries = ["keep4o", "\\"keep 4o\\"", "4oforever"]
app_id = "keep4o-bot"
contact_username = {json.dumps(REDDIT_USERNAME)}
oauth_url = {json.dumps(base_url)}
reddit_url = {json.dumps(base_url)}
timeout_seconds = 10

[bluesky]
enabled = true
handle = {json.dumps(BLUESKY_HANDLE)}
queries = ["#keep4o", "keep4o", "#4oforever", "\\"keep 4o\\""]
mode = "search"
base_url = {json.dumps(base_url)}
jetstream_url = {json.dumps(ws_url + "/xrpc")}

[[petitions]]
id = "changeorg-keep-gpt-4o"
url = {json.dumps(f"{base_url}/p/{CHANGEORG_SLUG}")}
name = "Keep GPT-4o available in ChatGPT"
adapter = "changeorg"
goal = 25000
milestones = [21000, 22000, 25000]

[[petitions]]
id = "uk-parliament-{UK_PETITION_ID}"
url = {json.dumps(f"{base_url}/petitions/{UK_PETITION_ID}.json")}
name = "Keep GPT-4o available to UK users"
adapter = "uk_parliament"
milestones = [10000, 100000]

[digest]
targets = ["file", "bluesky", "reddit"]
reddit_subreddit = {json.dumps(DIGEST_SUBREDDIT)}
file_directory = {json.dumps(digest_dir)}

[alerts]
targets = ["file"]

[care]
distress_terms = {_list(DISTRESS_TERMS)}

[database]
url = {json.dumps(db_url)}

[sandbox]
enabled = true
"""


def config_lines(base_url: str) -> str:
    """The settings that point an existing campaign file at the sandbox, for people to paste."""
    ws_url = "ws" + base_url.removeprefix("http")
    return f"""[reddit]
oauth_url = "{base_url}"
reddit_url = "{base_url}"

[bluesky]
handle = "{BLUESKY_HANDLE}"
base_url = "{base_url}"
jetstream_url = "{ws_url}/xrpc"

[[petitions]]   # Change.org
url = "{base_url}/p/{CHANGEORG_SLUG}"
[[petitions]]   # UK Parliament
url = "{base_url}/petitions/{UK_PETITION_ID}.json"

[sandbox]
enabled = true
"""


def sandbox_env() -> str:
    """The ``.env`` lines with the sandbox credentials."""
    return (
        "# The keep4o sandbox's fixed credentials; they work nowhere else.\n"
        f"REDDIT_CLIENT_ID={REDDIT_CLIENT_ID}\n"
        f"REDDIT_CLIENT_SECRET={REDDIT_CLIENT_SECRET}\n"
        f"REDDIT_USERNAME={REDDIT_USERNAME}\n"
        f"REDDIT_PASSWORD={REDDIT_PASSWORD}\n"
        f"BLUESKY_APP_PASSWORD={BLUESKY_APP_PASSWORD}\n"
    )
