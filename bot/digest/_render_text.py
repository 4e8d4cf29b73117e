"""Plain text: what the CLI prints and what chat webhooks carry."""

from __future__ import annotations

from ._model import AlertContent, DigestContent
from ._words import (
    BOT_NOTE,
    CARE_NOTE,
    conversation_details,
    petition_sentence,
    platform_name,
    posts_line,
    where,
)


def render_text(content: DigestContent | AlertContent) -> str:
    if isinstance(content, AlertContent):
        return render_alert_text(content)
    tz = content.period.timezone
    lines = [content.heading, ""]
    if content.page_url:
        lines += [content.page_url, ""]
    lines.append("PETITIONS")
    if not content.petitions:
        lines.append("No petitions are tracked.")
    for p in content.petitions:
        lines += [f"* {petition_sentence(p, tz)}", f"  {p.url}"]
    conversation = content.conversation
    lines += ["", "CONVERSATION", posts_line(conversation, content.period.day, tz)]
    lines += conversation_details(conversation)
    for activity in conversation.platforms:
        if activity.top:
            lines += ["", f"Most engaging on {platform_name(activity.platform)}:"]
            for rank, post in enumerate(activity.top, 1):
                lines += [f"{rank}. “{post.excerpt}” ({where(post)})", f"   {post.url}"]
    if content.background:
        lines += ["", "BACKGROUND"]
        for seed in content.background:
            outlet = f" ({seed.outlet})" if seed.outlet else ""
            lines.append(f"* {seed.title}{outlet}" + (f"\n  {seed.url}" if seed.url else ""))
    if conversation.sensitive:
        lines += ["", CARE_NOTE]
    lines += ["", BOT_NOTE]
    return "\n".join(lines) + "\n"


def render_alert_text(alert: AlertContent) -> str:
    lines = [alert.heading, "", alert.detail]
    if alert.url:
        lines.append(alert.url)
    return "\n".join(lines) + "\n"
