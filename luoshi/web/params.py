"""Request parameter types shared by every route, and the request-wide NUL check.

Why: a value the database cannot hold must be refused at the door (422), not reach the driver and
come back as a 500. Two such values exist for every route:

- integers beyond what an id or offset column can hold: SQLite raises ``OverflowError`` when binding
  an int above 2**63 - 1, PostgreSQL "integer out of range" above 2**31 - 1 (ids are INTEGER
  columns, and SQLAlchemy casts the bound value to the column type). :data:`Id` (1 … 2**31 - 1),
  :data:`Offset` and :data:`Page` carry the bounds in the type, so they work alike for path and
  query parameters and JSON body fields, and show up in the OpenAPI document (``minimum`` /
  ``maximum``). Every route taking an id uses ``Id``; ``tests/web/test_params.py`` checks that every
  integer path and query parameter of every route is bounded.
- the NUL character, which PostgreSQL text columns cannot store. :class:`RejectNul` refuses it in the
  path, the query string, URL-encoded forms and JSON bodies before any view runs (multipart forms
  are read by the views through :func:`luoshi.web.views.forms.text`, which refuses it too).
  HTML form fields that carry ids are parsed with :func:`form_id`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from annotated_types import Ge, Le
from pydantic import AfterValidator
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_ID = 2**31 - 1  # ids are INTEGER columns: PostgreSQL int4 (SQLite binds fail above 2**63 - 1)
MAX_OFFSET = 2**31 - 1
MAX_PAGE = 1_000_000

Id = Annotated[int, Ge(1), Le(MAX_ID)]
"""A row id: path, query or body. Ids that cannot exist are refused with 422."""

Version = Annotated[int, Ge(1), Le(MAX_ID)]
"""The version of a row the caller saw (optimistic locking); an INTEGER column like the ids."""

Offset = Annotated[int, Ge(0), Le(MAX_OFFSET)]
"""A list offset (rows to skip)."""

Page = Annotated[int, Ge(1), Le(MAX_PAGE)]
"""A 1-based page number (times the page size it must stay a valid offset)."""

NUL_MESSAGE = "请求参数无效：不能包含空字符（NUL）"


def form_id(value: Any) -> int | None:
    """An id typed into an HTML form field: ASCII digits within :data:`MAX_ID`, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def no_nul(value: str) -> str:
    """Validator for text parameters read outside :class:`RejectNul`'s reach (multipart forms)."""
    if "\x00" in value:
        raise ValueError("不能包含空字符（NUL）")
    return value


Text = Annotated[str, AfterValidator(no_nul)]
"""A text form field or parameter without NUL characters."""


_JSON_NUL = b"\\u0000"  # the JSON string escape for NUL
_ESCAPE_RUN = re.compile(rb"(?<!\\)\\++u0000")
_SCANNED_BODIES = ("application/x-www-form-urlencoded", "application/json")


def nul_location(scope: Scope, body: bytes | None = None) -> str | None:
    """Where a request carries a NUL character ("path", "query", "body"), or None."""
    if "\x00" in scope.get("path", "") or b"%00" in scope.get("raw_path", b""):
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        return "query"
    if body:
        kind = _content_type(scope)
        if kind == "application/x-www-form-urlencoded" and (b"%00" in body or b"\x00" in body):
            return "body"
        if (kind == "application/json" or kind.endswith("+json")) and json_has_nul(body):
            return "body"
    return None


def json_has_nul(body: bytes) -> bool:
    """Whether a JSON text escapes a NUL: ``\\u0000`` whose backslash is not itself escaped.

    Linear and in C: a ``bytes`` search first (most bodies stop there), then each whole run of
    backslashes before ``u0000`` (the lookbehind starts a match only at a run's first backslash and
    the possessive ``++`` never backtracks into it); an odd run ends in the escape of a NUL. A raw
    NUL byte is not valid JSON, so the JSON parser refuses it.
    """
    if _JSON_NUL not in body:
        return False
    return any((len(m.group()) - 5) % 2 for m in _ESCAPE_RUN.finditer(body))


def _content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


class RejectNul:
    """ASGI middleware: a request with a NUL character in its path, query or body gets 422.

    URL-encoded and JSON bodies are read here and handed on unchanged (the views read them whole
    anyway); other bodies (multipart uploads, files) stream through untouched. The body is bounded
    before it gets here: :class:`luoshi.web.limits.BodyLimit` (outside this one) refuses it past its
    ceiling while it is read, so the buffer stays small and the scan is a fast linear check.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = nul_location(scope)
        kind = _content_type(scope)
        if where is None and (kind in _SCANNED_BODIES or kind.endswith("+json")):
            body, receive = await _buffered(receive)
            where = nul_location(scope, body)
        if where is None:
            await self.app(scope, receive, send)
            return
        from luoshi.web.errors import error_response

        request = Request(scope, receive)
        response = error_response(request, 422, NUL_MESSAGE,
                                  [{"loc": [where], "msg": "NUL character", "type": "value_error.nul"}])
        await response(scope, receive, send)


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """Read the whole request body; return it and a ``receive`` that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: tell the app the same
            return b"", _replay_once(message, receive)
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return body, _replay_once({"type": "http.request", "body": body, "more_body": False}, receive)


def _replay_once(first: Message, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return first
        return await receive()

    return replay
