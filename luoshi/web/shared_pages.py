"""Whole public pages kept between requests, until the ledger changes.

The public reads (亮屏 home page, a commitment's page, the hall display and their JSON) are the
same for every visitor who is not signed in, and at province scale they are read far more often
than the ledger changes. The figures behind them are kept already (``luoshi.web.memo``), but a
page made from kept figures still costs several times a static file: routing, the request
context, the queries that are not figures, the template or the JSON encoding. So the response
itself is kept, under the same stamp as the figures and carried over a change the same way (a
commitment's page survives a change that did not touch that commitment).

Only what cannot differ between visitors is shared, decided in three places:

* the request: a GET (HEAD runs as GET) with no ``Authorization`` header and none of the app's
  own cookies except the pre-login nonce — no session, no flash message, no refused form;
* the view: it calls :func:`share` when what it answers depends on nothing but the ledger, the
  day and the URL (the public pages and API reads do; a login page, a download, an error do not);
* the response: a 200 without ``Set-Cookie`` whose body does not carry the request's own CSRF
  token. The pre-login nonce cookie is set outside this middleware (``luoshi.web.security``), so a
  kept response never hands one visitor's nonce to another; the security headers are added to
  every response sent from here as to any other.

The key is the app, the Host header, path and query string, and the day the ledger is judged on
when it is not fixed by the ledger (``LUOSHI_TODAY``, the machine's date). The stamp is read in a
transaction of its own before the view runs, so a kept response is never older than its stamp.

Asking the database for the stamp on every read would make each public page recomputed after each
change — at the end of a reporting period, liaisons submit several reports a second, and the home
page and the commitments being reported on would be made again for nearly every visitor. So a
worker asks for the stamp at most once every ``Settings.public_max_age`` seconds
(``LUOSHI_PUBLIC_MAX_AGE``, default 5 — the time Datasette lets its responses be cached by
default): a visitor who is not signed in sees a change at most that late (the hall display reloads
every minute). Signed-in users never get a kept page, so an operator or liaison sees a change the
moment it is made; 0 makes every anonymous read ask.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import Request
from starlette.requests import cookie_parser

from luoshi.ledger.clock import ENV as TODAY_ENV
from luoshi.web.auth import ANON_COOKIE
from luoshi.web.memo import changed_between, comes_before, stamp

OWN_COOKIES = "luoshi_"  # every cookie the app sets starts so; only ANON_COOKIE leaves a page shareable
SHARE = "luoshi_share"  # request.state: the view's answer may be shared (value: the commitment it is about)
KEPT_BYTES = 32 * 1024 * 1024  # bodies kept per app and process; the least recently read go first
NOT_SHARED_PATHS = 10_000  # paths remembered as answered by views that do not share
MAX_BODY = 2 * 1024 * 1024  # bytes of one kept response at most
_apps = itertools.count(1)
_instances: weakref.WeakSet[SharedPages] = weakref.WeakSet()


class Counts:
    """How often a kept response was sent (``hits``), a shareable one made (``misses``) and kept,
    and how often the kept responses were carried over a change (``carried``)."""

    hits = 0
    misses = 0
    kept = 0
    carried = 0

    @classmethod
    def clear(cls) -> None:
        cls.hits = cls.misses = cls.kept = cls.carried = 0


@dataclass(frozen=True)
class KeptResponse:
    """A response as it was sent: status, headers and body; ``commitment`` is the one commitment
    its content is about (a commitment's page), None when it is about many (a list, a summary)."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    commitment: int | None


class Responses:
    """The responses kept at one stamp of the ledger (``luoshi.web.memo.stamp``), by request; the
    least recently read are dropped first once their bodies pass ``limit`` bytes, so a flood of
    distinct query strings cannot grow the process, only push out what it holds."""

    def __init__(self, at: tuple[Any, ...], limit: int = KEPT_BYTES) -> None:
        self.stamp = at
        self.items: OrderedDict[Hashable, KeptResponse] = OrderedDict()
        self.size = 0
        self.limit = limit
        self.lock = threading.Lock()

    def get(self, key: Hashable) -> KeptResponse | None:
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
            return found

    def put(self, key: Hashable, kept: KeptResponse) -> None:
        if len(kept.body) > self.limit // 16:
            return  # one response never takes a large part of the room
        with self.lock:
            old = self.items.pop(key, None)
            self.size -= len(old.body) if old is not None else 0
            self.items[key] = kept
            self.size += len(kept.body)
            while self.size > self.limit:
                _, dropped = self.items.popitem(last=False)
                self.size -= len(dropped.body)

    def carried(self, at: tuple[Any, ...], changed: set[int]) -> Responses:
        """The responses still true at stamp ``at`` when only the commitments ``changed`` changed
        since: the pages of the other commitments; a response about many is not carried."""
        out = Responses(at, self.limit)
        with self.lock:
            for key, kept in self.items.items():
                if kept.commitment is not None and kept.commitment not in changed:
                    out.items[key] = kept
                    out.size += len(kept.body)
        return out

    def __len__(self) -> int:
        return len(self.items)


def at_current_stamp(sessions: Any, held: Responses | None) -> Responses:
    """The responses kept at the ledger's stamp as the database says now: ``held`` when the ledger
    has not changed, what of it the change feed says is still true when it has, else none. Read
    in a transaction of its own, before the view: what a view reads afterwards is at least as new."""
    db = sessions()
    try:
        now = stamp(db)
        if held is not None and held.stamp == now:
            return held
        if held is not None and comes_before(held.stamp, now):
            changed = changed_between(db, held.stamp, now)
            if changed is not None:
                Counts.carried += 1
                return held.carried(now, changed)
        return Responses(now)
    finally:
        db.close()


def share(request: Request, commitment: int | None = None) -> None:
    """Declare that this view's answer depends only on the ledger, the day and the URL — the same
    for every visitor who is not signed in; ``commitment``: it is about that one commitment only
    (its page), so a change to others leaves it valid."""
    request.state.luoshi_share = ("share", commitment)  # read back as state[SHARE]


def _shareable_request(scope: dict[str, Any]) -> bool:
    if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path", "").startswith("/static/"):
        return False
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            return False
        if name == b"cookie":
            cookies = cookie_parser(value.decode("latin-1"))
            if any(k.startswith(OWN_COOKIES) and k != ANON_COOKIE for k in cookies):
                return False
    return True


def _key(app_id: int, scope: dict[str, Any]) -> Hashable:
    host = next((v for k, v in scope.get("headers", ()) if k == b"host"), b"")
    return (app_id, host, scope.get("path", ""), scope.get("query_string", b""),
            os.environ.get(TODAY_ENV), dt.date.today())


class SharedPages:
    """ASGI middleware: answer a shareable request from the kept responses, or keep its answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.app_id = next(_apps)  # two apps of one process (tests) never share pages
        self.held: Responses | None = None
        self.checked_at = 0.0  # when the stamp of ``held`` was last read (monotonic seconds)
        self.refreshing = False  # a reading of the stamp is under way
        # responses being made, by key: requests for the same page wait for the one making it
        self.making: dict[Hashable, asyncio.Future[KeptResponse | None]] = {}
        # paths whose view answered 200 without sharing (a login page, help, downloads): their
        # requests skip the stamp and never wait for each other
        self.not_shared: set[str] = set()
        _instances.add(self)

    async def responses(self, scope: dict[str, Any]) -> Responses:
        """The kept responses; the stamp is read again when the last reading is older than
        ``public_max_age`` seconds."""
        state = scope["app"].state
        now = time.monotonic()  # before the reading: the age counts from before it, never after
        max_age = state.settings.public_max_age
        if self.held is not None and now - self.checked_at < max_age:
            return self.held
        if self.held is not None and self.refreshing and max_age > 0:
            return self.held  # another request is reading the stamp: no stampede of readings
        self.refreshing = True
        try:
            held = await anyio.to_thread.run_sync(at_current_stamp, state.sessions, self.held)
        finally:
            self.refreshing = False
        self.held, self.checked_at = held, now
        return held

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if not _shareable_request(scope) or scope.get("path") in self.not_shared:
            await self.app(scope, receive, send)
            return
        key = _key(self.app_id, scope)
        store = await self.responses(scope)
        kept = store.get(key)
        if kept is None and key in self.making:  # the same page is being made: wait for it
            kept = await asyncio.shield(self.making[key])
        if kept is not None:
            Counts.hits += 1
            await send({"type": "http.response.start", "status": kept.status, "headers": list(kept.headers)})
            await send({"type": "http.response.body", "body": kept.body, "more_body": False})
            return
        if key in self.making:  # it could not be kept (an error, a page not shared): make one's own
            await self.app(scope, receive, send)
            return
        made: asyncio.Future[KeptResponse | None] = asyncio.get_running_loop().create_future()
        self.making[key] = made
        try:
            kept = await self._make(scope, receive, send)
            if kept is not None:
                store.put(key, kept)
        finally:
            del self.making[key]
            made.set_result(kept)

    async def _make(self, scope: dict, receive: Any, send: Any) -> KeptResponse | None:
        """Run the app for this request, and return its response if it may be kept."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0

        async def keep(message: dict) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body" and size <= MAX_BODY:
                body = message.get("body", b"")
                chunks.append(body)
                size += len(body)
            await send(message)

        await self.app(scope, receive, keep)
        state = scope.get("state") or {}
        marked = state.get(SHARE)
        if marked is None:
            if start.get("status") == 200 and len(self.not_shared) < NOT_SHARED_PATHS:
                self.not_shared.add(scope.get("path", ""))  # not a refusal before the view (422)
            return None
        Counts.misses += 1
        headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", ()))
        body = b"".join(chunks)
        token = state.get("csrf_token")
        if (start.get("status") != 200 or size > MAX_BODY or any(k.lower() == b"set-cookie" for k, _ in headers)
                or (token and token.encode() in body)):
            return None
        Counts.kept += 1
        return KeptResponse(200, headers, body, marked[1])


def forget() -> None:
    """Drop every kept response of this process, as a new process starts (benchmarks and tests)."""
    for pages in list(_instances):
        pages.held = None
