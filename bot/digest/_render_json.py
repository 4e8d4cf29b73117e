"""JSON for people who publish elsewhere: the structured content plus the ready-made text."""

from __future__ import annotations

import json
from typing import Any

from ._model import AlertContent, DigestContent, to_json
from ._render_markdown import render_markdown
from ._render_text import render_text


def json_document(content: DigestContent | AlertContent) -> dict[str, Any]:
    is_alert = isinstance(content, AlertContent)
    return {
        "kind": "alert" if is_alert else "digest",
        "key": content.event_id if isinstance(content, AlertContent) else content.period.key,
        "heading": content.heading,
        "text": render_text(content),
        "markdown": render_markdown(content),
        "content": to_json(content),
    }


def render_json(content: DigestContent | AlertContent) -> str:
    return json.dumps(json_document(content), ensure_ascii=False, indent=2) + "\n"
