"""Request body size limits, enforced while the body streams in and before routing.

Why: anyone can send a request, logged in or not, to any path; a body read without a bound (or
scanned slowly on the event loop) lets one client stall every other request and exhaust memory.
So every request body has a ceiling from one table (:func:`body_limits`), by kind of route:

- ``json`` (JSON API bodies), ``form`` (URL-encoded forms) and ``other`` (multipart forms without
  files and any other body): :attr:`Settings.max_json_bytes` / ``max_form_bytes`` (1 MB each);
- uploads, declared on the view with :func:`upload` and taken only as ``multipart/form-data``:
  ``report`` (a report file, :attr:`Settings.max_upload_bytes`), ``evidence`` (one evidence file,
  :attr:`Settings.max_evidence_bytes`) and ``evidence_form`` (the HTML progress form: up to
  :data:`MAX_EVIDENCE_FILES` evidence files), each plus :data:`MULTIPART_OVERHEAD` for the form's
  other fields and part headers.

:class:`BodyLimit` refuses a declared ``Content-Length`` above the ceiling at once, without
reading any of the body, and counts the bytes of every body as they arrive (chunked bodies carry
no length), refusing as soon as the count passes the ceiling. The refusal is a 413 with a Chinese
message, JSON under /api and the error page elsewhere (:func:`luoshi.web.errors.error_response`),
and it closes the connection so the client stops sending. Nothing here is CPU-heavy: a header
lookup, a route match and a byte counter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import HTTPException
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luoshi.errors import LuoshiError
from luoshi.ledger.services.evidence import safe_filename

MB = 1024 * 1024
MAX_EVIDENCE_FILES = 10  # evidence files one HTML progress form may carry
MULTIPART_OVERHEAD = 256 * 1024  # the other fields and part headers of an upload form
UPLOAD_ATTRIBUTE = "__luoshi_upload__"
UPLOAD_KINDS = ("report", "evidence", "evidence_form")

F = TypeVar("F", bound=Callable[..., Any])


def upload(kind: str) -> Callable[[F], F]:
    """Mark a view as taking a multipart upload of ``kind`` (one of :data:`UPLOAD_KINDS`).

    Apply it below the router decorator (it returns the view itself, marked).
    """
    if kind not in UPLOAD_KINDS:
        raise ValueError(f"unknown upload kind {kind!r}")

    def mark(view: F) -> F:
        setattr(view, UPLOAD_ATTRIBUTE, kind)
        return view

    return mark


def _mb(n: int) -> str:
    return f"{n / MB:g} MB"


def body_limits(settings: Any) -> dict[str, tuple[int, str]]:
    """The one table: kind of route → (largest body in bytes, the Chinese message when refused)."""
    evidence, report = settings.max_evidence_bytes, settings.max_upload_bytes
    return {
        "json": (settings.max_json_bytes, f"请求内容过大：JSON 请求体最多 {_mb(settings.max_json_bytes)}"),
        "form": (settings.max_form_bytes, f"请求内容过大：表单最多 {_mb(settings.max_form_bytes)}"),
        "other": (settings.max_form_bytes, f"请求内容过大：最多 {_mb(settings.max_form_bytes)}"),
        "report": (report + MULTIPART_OVERHEAD, f"上传的文件过大：报告文件最多 {_mb(report)}"),
        "evidence": (evidence + MULTIPART_OVERHEAD, f"上传的文件过大：每个证明材料最多 {_mb(evidence)}"),
        "evidence_form": (evidence * MAX_EVIDENCE_FILES + MULTIPART_OVERHEAD,
                          f"上传的文件过大：每个证明材料最多 {_mb(evidence)}，"
                          f"一次最多 {MAX_EVIDENCE_FILES} 个、合计 {_mb(evidence * MAX_EVIDENCE_FILES)}"),
    }


def content_type(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.decode("latin-1").split(";", 1)[0].strip().lower()
    return ""


def content_length(scope: Scope) -> int | None:
    """The declared body length; None when absent or unreadable (then only the count applies)."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


def route_kind(scope: Scope) -> str:
    """The kind of route a request goes to, from its content type and the view it will reach."""
    kind = content_type(scope)
    if kind == "application/json" or kind.endswith("+json"):
        return "json"
    if kind == "application/x-www-form-urlencoded":
        return "form"
    if kind == "multipart/form-data":
        router = getattr(scope.get("app"), "router", None)
        for route in getattr(router, "routes", ()):
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return getattr(getattr(route, "endpoint", None), UPLOAD_ATTRIBUTE, "other")
    return "other"


class FileTooLarge(LuoshiError):
    """One uploaded file is over its own limit (the body as a whole was within the route's)."""

    http_status = 413


def within(file: UploadFile, max_bytes: int) -> int:
    """The size of an uploaded file (spooled on disk, not read); over ``max_bytes`` → 413."""
    size = file.size if file.size is not None else file.file.seek(0, 2)
    if size > max_bytes:
        raise FileTooLarge(f"{safe_filename(file.filename or '文件')}：文件 {size / MB:.1f} MB，"
                           f"超过上限 {max_bytes / MB:g} MB")
    file.file.seek(0)
    return size


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes its ceiling (FastAPI re-raises it as is)."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message, headers={"Connection": "close"})


class BodyLimit:
    """ASGI middleware: the ceiling of :func:`body_limits` for every HTTP request body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = scope["app"].state.settings
        kind = route_kind(scope)
        limit, message = body_limits(settings)[kind]
        scope.setdefault("state", {})["body_kind"] = kind
        declared = content_length(scope)
        if declared is not None and declared > limit:
            await refuse(scope, send, message)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(message)
            return msg

        started = False

        async def tracked(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge as exc:  # raised outside the app's handlers (e.g. while buffering)
            if started:
                raise
            await refuse(scope, send, str(exc.detail))


async def refuse(scope: Scope, send: Send, message: str) -> None:
    """Answer 413 without reading the body, and close the connection."""
    from luoshi.web.errors import error_response

    async def no_body() -> Message:
        return {"type": "http.disconnect"}

    response = error_response(Request(scope, no_body), 413, message, headers={"Connection": "close"})
    await response(scope, no_body, send)
