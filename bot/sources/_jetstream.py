"""Bluesky by stream: Jetstream, for the daemon that watches continuously.

The two ways to collect Bluesky posts (``[bluesky] mode``):

``search`` (the default; :func:`poll_bluesky` on a schedule, ``keep4o-bot poll bluesky``)
    Authenticated ``app.bsky.feed.searchPosts`` for each configured query every few minutes.
    Choose it for periodic runs (cron, the CLI, a laptop that is not always on) and to
    back-fill after downtime: search reaches back days, the stream only about a day. It needs
    the account (search is not public), it lags behind the network by the index delay (hence
    the overlap), and it is what Bluesky asks bots *not* to lean on for continuous watching:
    search is meant for human-directed queries.

``jetstream`` (:func:`run_jetstream`, run by the daemon)
    One websocket to Jetstream filtered to ``app.bsky.feed.post`` commits. Every new post on
    the network passes through the local matcher, so what counts does not depend on search's
    tokenisation or index lag, and deletions arrive as they happen. This is what Bluesky asks
    continuous watchers to use. Choose it for the long-running daemon with a steady connection.
    Costs: every post of the network crosses the wire (compressed), and Jetstream carries no
    handles and no engagement: posts are stored with the author's DID, and the engagement
    refresh (:func:`refresh_bluesky`, ``getPosts``) fills in handles and numbers later.

Resuming: the last event's ``seq`` is stored as a checkpoint together with the posts it
produced, and the stream restarts from it (inclusive; replayed events are skipped), so a
restart loses nothing within Jetstream's retention. A cursor older than that is refused; the
stream then restarts at the live tip and says so in the log (run a search poll to fill the gap).
Only posts not stored yet are inserted; a later edit is picked up by the engagement refresh.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from atproto_client import models
from atproto_jetstream import JetstreamClient
from atproto_jetstream.exceptions import JetstreamCursorTooOldError, JetstreamError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utc_now
from bot.config import Settings
from bot.storage import Post, get_checkpoint, mark_gone, set_checkpoint, upsert_posts

from ._bluesky_api import JETSTREAM_CURSOR_CHECKPOINT, BlueskyApi, BlueskyError, bluesky_config
from ._bluesky_normalise import POST_COLLECTION, MalformedPost, as_json, commit_uri, record_from_commit
from ._match import Matcher
from ._record import PostRecord

log = logging.getLogger(__name__)

# Progress with nothing to store is saved at most this often (seconds), not on every event.
CURSOR_SAVE_INTERVAL = 5.0
_COMMIT = models.NetworkBskyJetstreamSubscribeEvents.Commit
_INFO = models.NetworkBskyJetstreamSubscribeEvents.Info


class JetstreamCollector:
    """Turns Jetstream commits into stored posts and purges; ``handle`` is the stream callback."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        matcher: Matcher,
        *,
        own_did: str | None,
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._matcher = matcher
        self._own_did = own_did
        self._clock = clock
        with sessions() as db:
            saved = get_checkpoint(db, JETSTREAM_CURSOR_CHECKPOINT)
            # Deletes are checked against what is stored without a query per event (the campaign's
            # posts: thousands, not the network's millions).
            self._known = set(db.scalars(select(Post.platform_id).where(Post.platform == "bluesky")))
        self.saved_cursor: int | None = int(saved) if saved and saved.isdigit() else None
        self._cursor = self.saved_cursor
        self._records: dict[str, PostRecord] = {}
        self._gone: list[str] = []
        self._saved_at = time.monotonic()
        self.new = self.removed = 0

    def handle(self, message: object) -> None:
        if isinstance(message, _INFO):
            self._notice(message)
        if not isinstance(message, _COMMIT):
            return  # informational frames carry no seq
        if self.saved_cursor is not None and message.seq <= self.saved_cursor:
            return  # the stream replays from the saved cursor inclusively
        if message.collection == POST_COLLECTION:
            self._take(as_json(message))
        self._cursor = message.seq
        if self._records or self._gone or time.monotonic() - self._saved_at >= CURSOR_SAVE_INTERVAL:
            self.flush()

    def _notice(self, info: models.NetworkBskyJetstreamSubscribeEvents.Info) -> None:
        if info.name == "FutureCursor":
            # Our cursor is from another server (jetstream_url changed) or one that was reset: it
            # numbers events below it, and replays would be skipped as already seen, all of them.
            log.warning(
                "jetstream: the saved cursor %s is ahead of this server (%s); reading on from its"
                " live tip (run a search poll to fill any gap)",
                self.saved_cursor,
                info.message,
            )
            self.forget_cursor()
        else:
            log.warning("jetstream: %s: %s", info.name, info.message)

    def _take(self, commit: dict[str, object]) -> None:
        try:
            uri = commit_uri(commit)
            if commit.get("operation") == "delete":
                self._records.pop(uri, None)
                if uri in self._known:
                    self._gone.append(uri)
                return
            if uri in self._known:
                return
            record = record_from_commit(commit, self._matcher)
        except MalformedPost as exc:
            log.warning("jetstream: skipped an event: %s", exc)
            return
        if record.matched_terms and record.author_id != self._own_did:
            self._records[uri] = record

    def flush(self) -> None:
        """Store what is pending and the cursor in one transaction (a failure keeps it pending)."""
        if self._cursor is None or (
            self._cursor == self.saved_cursor and not self._records and not self._gone
        ):
            return
        now = self._clock()
        with self._sessions.begin() as db:
            new, _ = upsert_posts(db, list(self._records.values()), now)
            removed = mark_gone(db, "bluesky", self._gone, "deleted", now)
            set_checkpoint(db, JETSTREAM_CURSOR_CHECKPOINT, str(self._cursor), now)
        self._known.update(self._records)
        self.new, self.removed = self.new + new, self.removed + removed
        self._records, self._gone = {}, []
        self.saved_cursor, self._saved_at = self._cursor, time.monotonic()

    def forget_cursor(self) -> None:
        self.flush()
        self.saved_cursor = self._cursor = None


def _own_did(settings: Settings, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> str:
    """The bot's DID, from the saved session (no request) or a login (which saves one)."""
    with BlueskyApi(settings, sessions, clock=clock) as api:
        api.login()
        if api.did is None:
            api.call("getSession", lambda c: c.com.atproto.server.get_session())
        if api.did is None:
            raise BlueskyError("bluesky: could not learn the bot's own DID")
        return api.did


class _Stream:
    """The websocket loop: one SDK client at a time, stoppable from another thread."""

    def __init__(self, url: str, collector: JetstreamCollector, stop: threading.Event) -> None:
        self._url = url
        self._collector = collector
        self._stop = stop
        self._lock = threading.Lock()
        self._client: JetstreamClient | None = None
        self._finished = threading.Event()

    def _stop_client(self) -> None:
        # The SDK client blocks on its socket; stop() from here wakes it. Ends with the run either way.
        while not self._stop.wait(1.0):
            if self._finished.is_set():
                return
        with self._lock:
            if self._client is not None:
                self._client.stop()

    def run(self) -> None:
        threading.Thread(target=self._stop_client, name="jetstream-stop", daemon=True).start()
        try:
            while not self._stop.is_set():
                self._follow()
        finally:
            self._finished.set()

    def _follow(self) -> None:
        collector = self._collector
        params: dict[str, object] = {"collections": [POST_COLLECTION], "kinds": ["commit"]}
        if collector.saved_cursor is not None:
            params["cursor"] = collector.saved_cursor
        client = JetstreamClient(params=params, base_uri=self._url)
        with self._lock:
            if self._stop.is_set():
                return
            self._client = client
        start = "the live tip" if collector.saved_cursor is None else f"after seq {collector.saved_cursor}"
        log.info("jetstream: following %s from %s", self._url, start)
        try:
            client.start(collector.handle, _report)
        except JetstreamCursorTooOldError:
            log.warning(
                "jetstream: cursor %s is past retention; restarting at the live tip", collector.saved_cursor
            )
            collector.forget_cursor()
            return
        except JetstreamError as exc:
            collector.flush()
            raise BlueskyError(f"jetstream: {self._url} refused the stream: {exc}") from None
        collector.flush()
        self._stop.wait(1.0)  # the server ended the stream: reconnect, but not in a tight loop


def _report(exc: BaseException) -> None:
    log.error("jetstream: could not store events (kept pending, retried): %s", exc)


def run_jetstream(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    stop: threading.Event,
    clock: Callable[[], datetime] = utc_now,
) -> None:
    """Follow Jetstream until ``stop`` is set, storing matching posts and honouring deletes."""
    config = bluesky_config(settings)
    collector = JetstreamCollector(
        sessions,
        Matcher(settings.config.match, settings.config.care),
        own_did=_own_did(settings, sessions, clock),
        clock=clock,
    )
    _Stream(config.jetstream_url, collector, stop).run()
    log.info("jetstream: stopped; %d new, %d deleted", collector.new, collector.removed)
