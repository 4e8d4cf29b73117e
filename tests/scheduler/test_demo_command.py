"""``keep4o-bot demo``: sandbox and daemon together; a newcomer sees the whole cycle, Ctrl-C ends both."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

BOT = str(Path(sys.executable).parent / "keep4o-bot")
STOP_LIMIT = 20  # the daemon's 10 s, then the sandbox and the temporary folder
# Not a speed requirement: only keeps a broken demo from hanging the suite.
SAFETY_LIMIT = 300


def test_the_demo_shows_posts_snapshots_a_trend_table_and_a_posted_digest_then_stops_on_ctrl_c(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "DATABASE_URL": "postgresql+psycopg://nobody@db.invalid/x"}
    demo = subprocess.Popen(
        [BOT, "demo", "--seed", "3"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    output = demo.stdout
    assert output is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(output.readline, "")), daemon=True)
    reader.start()

    def seen(pattern: str) -> bool:
        return any(re.search(pattern, line) for line in list(lines))

    wanted = [
        r"^stored: [1-9]\d* Reddit posts, [1-9]\d* Bluesky posts, [1-9]\d* petition snapshots$",
        r"^digest \d{4}-\d\d-\d\d posted to bluesky: https://bsky\.app/profile/",
        r"^digest \d{4}-\d\d-\d\d posted to reddit: http://127\.0\.0\.1:\d+/r/",
        r"Trends by day",
    ]
    try:
        deadline = time.monotonic() + SAFETY_LIMIT
        while not all(seen(p) for p in wanted) and demo.poll() is None and time.monotonic() < deadline:
            time.sleep(0.5)
        assert all(seen(p) for p in wanted), "\n".join(lines)
        demo.send_signal(signal.SIGINT)
        demo.wait(STOP_LIMIT)
    finally:
        if demo.poll() is None:
            demo.kill()
    reader.join(10)
    assert demo.returncode == 0, "\n".join(lines)
    assert lines[-1].strip() == "stopping the bot and the sandbox ..."
    folder = re.search(r"database (\S+)/demo\.db", "\n".join(lines))
    assert folder is not None and not Path(folder.group(1)).exists()  # the throwaway folder is gone
