"""Chat webhook payloads: Discord (content + embeds), Slack (text + blocks) and generic JSON.

Limits (Discord's developer docs, "Embed Limits"; Slack's Block Kit reference):
Discord ``content`` 2000 characters, embed title 256, description 4096, at most 10
embeds and 6000 characters over all embeds; Slack header text 150, section text 3000,
at most 50 blocks. Discord counts UTF-16 code units, as JavaScript does, so we do too.
Neither payload can ping anyone: Discord gets ``allowed_mentions: {"parse": []}``;
Slack only pings for ``<!here>``-style tokens, and ``<``/``>``/``&`` are escaped.
Discord draws Markdown in embeds (masked links, bold, code), so its text is escaped too:
a post's ``[here](https://…)`` must not become a link in the bot's voice.
"""

from __future__ import annotations

from typing import Any

from bot.text import markdown_literal

from ._model import AlertContent, DigestContent
from ._render_json import json_document
from ._words import (
    BOT_NOTE,
    CARE_NOTE,
    conversation_details,
    petition_sentence,
    platform_name,
    posts_line,
    where,
)

DISCORD_CONTENT = 2000
DISCORD_TITLE = 256
DISCORD_DESCRIPTION = 4096
DISCORD_EMBEDS = 10
DISCORD_TOTAL = 6000
SLACK_HEADER = 150
SLACK_SECTION = 3000
SLACK_BLOCKS = 50

Section = tuple[str, list[tuple[str, str | None]]]  # title, lines of (text, url)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-16 units, ending in an ellipsis when cut."""
    if utf16_len(text) <= limit:
        return text
    used = 0
    for end, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit - 1:
            return text[:end].rstrip() + "…"
    return text


def sections(content: DigestContent) -> list[Section]:
    tz = content.period.timezone
    conversation = content.conversation
    out: list[Section] = [
        (
            "Petitions",
            [(petition_sentence(p, tz), p.url) for p in content.petitions] or [("None tracked.", None)],
        )
    ]
    talk = [posts_line(conversation, content.period.day, tz), *conversation_details(conversation)]
    out.append(("Conversation", [(line, None) for line in talk]))
    for a in conversation.platforms:
        if a.top:
            lines: list[tuple[str, str | None]] = [(f"“{p.excerpt}” ({where(p)})", p.url) for p in a.top]
            out.append((f"Most engaging on {platform_name(a.platform)}", lines))
    if content.background:
        lines = [(s.title + (f" ({s.outlet})" if s.outlet else ""), s.url) for s in content.background]
        out.append(("Background", lines))
    if conversation.sensitive:
        out.append(("Care", [(CARE_NOTE, None)]))
    return out


def discord_payload(content: DigestContent | AlertContent) -> dict[str, Any]:
    if isinstance(content, AlertContent):
        embed = {
            "title": clip(markdown_literal(content.headline), DISCORD_TITLE),
            "description": clip(markdown_literal(content.detail), 2000),
        }
        if content.url:
            embed["url"] = content.url
        embeds = [embed]
    else:
        embeds = []
        for title, lines in sections(content)[:DISCORD_EMBEDS]:
            body = "\n".join(
                f"{markdown_literal(text)} {url}" if url else markdown_literal(text) for text, url in lines
            )
            embeds.append(
                {"title": clip(title, DISCORD_TITLE), "description": clip(body, DISCORD_DESCRIPTION)}
            )
        _fit_total(embeds)
    return {
        "content": clip(content.heading, DISCORD_CONTENT),
        "embeds": embeds,
        "allowed_mentions": {"parse": []},
    }


def _fit_total(embeds: list[dict[str, str]]) -> None:
    """Shorten the last embeds until all of them together are within Discord's total."""
    while embeds:
        total = sum(utf16_len(e["title"]) + utf16_len(e["description"]) for e in embeds)
        if total <= DISCORD_TOTAL:
            return
        last = embeds[-1]
        room = utf16_len(last["description"]) - (total - DISCORD_TOTAL)
        if room >= 40:
            last["description"] = clip(last["description"], room)
        else:
            embeds.pop()


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_line(text: str, url: str | None) -> str:
    return f"{slack_escape(text)} <{url}|link>" if url else slack_escape(text)


def slack_payload(content: DigestContent | AlertContent) -> dict[str, Any]:
    header = {"type": "header", "text": {"type": "plain_text", "text": clip(content.heading, SLACK_HEADER)}}
    blocks: list[dict[str, Any]] = [header]
    if isinstance(content, AlertContent):
        body = [_slack_line(content.detail, content.url)]
    else:
        body = [
            f"*{title}*\n" + "\n".join(_slack_line(text, url) for text, url in lines)
            for title, lines in sections(content)
        ]
    for text in body[: SLACK_BLOCKS - 2]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SLACK_SECTION)}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(BOT_NOTE)}]})
    return {"text": clip(content.heading, SLACK_SECTION), "blocks": blocks}


def webhook_payload(content: DigestContent | AlertContent, fmt: str) -> dict[str, Any]:
    if fmt == "discord":
        return discord_payload(content)
    if fmt == "slack":
        return slack_payload(content)
    return json_document(content)
