"""Markdown (Reddit's dialect is a subset of CommonMark plus tables): the Reddit post and the file."""

from __future__ import annotations

from bot.text import linkable, markdown_literal

from ._model import AlertContent, DigestContent, PetitionReport, PlatformActivity
from ._words import (
    BOT_NOTE,
    CARE_NOTE,
    HELPLINE_TEXT,
    HELPLINE_URL,
    activity,
    conversation_details,
    num,
    petition_changes,
    petition_count,
    petition_events,
    petition_projection,
    platform_name,
    posts_line,
    where,
)


def link(text: str, url: str) -> str:
    """A link to an http(s) address; any other address leaves the text unlinked."""
    if linkable(url) is None:
        return markdown_literal(text)
    # Parentheses in a URL would end the link early.
    return f"[{markdown_literal(text)}]({url.replace('(', '%28').replace(')', '%29')})"


def _average_cell(a: PlatformActivity) -> str:
    if a.average_7d is None:  # collection began that day
        return "–"
    return f"{a.average_7d:.1f}" + ("" if a.average_days == 7 else f" ({a.average_days} days collected)")


def _petition_row(p: PetitionReport, tz: str) -> str:
    if p.count is None or p.stale:
        cells = [link(p.name, p.url), markdown_literal(petition_count(p, tz)), "", "", ""]
    else:
        day, week = petition_changes(p).split(", ")
        cells = [
            link(p.name, p.url),
            num(p.count),
            markdown_literal(day),
            markdown_literal(week),
            markdown_literal(petition_projection(p, tz)),
        ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(content: DigestContent | AlertContent, *, title: bool = True) -> str:
    """The whole digest; ``title=False`` leaves out the heading (Reddit shows it as the post title)."""
    if isinstance(content, AlertContent):
        return render_alert_markdown(content, title=title)
    tz = content.period.timezone
    out = [f"# {markdown_literal(content.heading)}", ""] if title else []
    if content.page_url:
        out += [link("This digest on the web", content.page_url), ""]
    out += ["## Petitions", ""]
    if content.petitions:
        out += ["| Petition | Signatures | Day | 7 days | Pace |", "|---|--:|--:|--:|---|"]
        out += [_petition_row(p, tz) for p in content.petitions]
        events = [
            f"* {markdown_literal(p.name)}: {markdown_literal(e)}"
            for p in content.petitions
            for e in petition_events(p, tz)
        ]
        out += ["", *events] if events else []
    else:
        out.append("No petitions are tracked.")
    conversation = content.conversation
    out += ["", "## Conversation", ""]
    if conversation.platforms:
        out += ["| Platform | Posts | 7-day average |", "|---|--:|--:|"]
        for a in conversation.platforms:
            posts = num(a.posts) if not a.missing else markdown_literal(activity(a, tz))
            out.append(f"| {platform_name(a.platform)} | {posts} | {_average_cell(a)} |")
        out.append("")
    if conversation.total == 0 and not any(a.missing for a in conversation.platforms):
        out.append(markdown_literal(posts_line(conversation, content.period.day, tz)))
    out += [markdown_literal(s) for s in conversation_details(conversation)]
    for a in conversation.platforms:
        if a.top:
            out += ["", f"**Most engaging on {platform_name(a.platform)}**", ""]
            out += [
                f"{i}. {link(p.excerpt, p.url)} ({markdown_literal(where(p))})"
                for i, p in enumerate(a.top, 1)
            ]
    if content.background:
        out += ["", "## Background", ""]
        for seed in content.background:
            name = link(seed.title, seed.url) if seed.url else markdown_literal(seed.title)
            out.append(f"* {name}" + (f" ({markdown_literal(seed.outlet)})" if seed.outlet else ""))
    if conversation.sensitive:
        before, after = CARE_NOTE.split(HELPLINE_TEXT)
        # markdown_literal() trims the spaces around the link, which the note has.
        out += [
            "",
            f"{markdown_literal(before)} {link(HELPLINE_TEXT, HELPLINE_URL)} {markdown_literal(after)}",
        ]
    out += ["", "---", "", f"*{markdown_literal(BOT_NOTE)}*"]
    return "\n".join(out) + "\n"


def render_alert_markdown(alert: AlertContent, *, title: bool = True) -> str:
    out = [f"# {markdown_literal(alert.heading)}", ""] if title else []
    out.append(markdown_literal(alert.detail))
    if alert.url:
        out += ["", link("Details", alert.url)]
    out += ["", "---", "", f"*{markdown_literal(BOT_NOTE)}*"]
    return "\n".join(out) + "\n"
