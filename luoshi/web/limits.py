"""Request body size limits, enforced while the body streams in and before routing.

Why: anyone can send a request, logged in or not, to any path; a body read without a bound (or
scanned slowly on the event loop) lets one client stall every other request and exhaust memory.
So every request body has a ceiling from one table (:func:`body_limits`), by kind of route:

- ``json`` (JSON API bodies), ``form`` (URL-encoded forms) and ``other`` (multipart forms without
  files and any other body): :attr:`Settings.max_json_bytes` / ``max_form_bytes`` (1 MB each);
- uploads, declared on the view with :func:`upload` and taken only as ``multipart/form-data``:
  ``report`` (a report file, :attr:`Settings.max_upload_bytes`), ``evidence`` (one evidence file,
  :attr:`Settings.max_evidence_bytes`) and ``evidence_form`` (the HTML progress form: up to
  :data:`MAX_EVIDENCE_FILES` evidence files) and ``workbook`` (an edited 分工方案 or a filled
  progress template, :func:`max_workbook_bytes`), each plus :data:`MULTIPART_OVERHEAD` for the form's
  other fields and part headers.

:class:`BodyLimit` refuses a declared ``Content-Length`` above the ceiling at once, without
reading any of the body, and counts the bytes of every body as they arrive (chunked bodies carry
no length), refusing as soon as the count passes the ceiling; in an upload, each part (each file)
is counted too (:class:`PartMeter`), so one file over its own limit is refused when it passes it.
The refusal is a 413 with a Chinese message, JSON under /api and the error page elsewhere
(:func:`luoshi.web.errors.error_response`), and it closes the connection so the client stops
sending. Nothing here is CPU-heavy: a header lookup, a match against the few upload routes, a byte
counter and, for uploads only, the linear multipart parser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from fastapi import HTTPException
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from luoshi.errors import LuoshiError, ValidationError
from luoshi.ledger.services.evidence import safe_filename

MB = 1024 * 1024
MAX_EVIDENCE_FILES = 10  # evidence files one HTML progress form may carry
MULTIPART_OVERHEAD = 256 * 1024  # the other fields and part headers of an upload form
UPLOAD_ATTRIBUTE = "__luoshi_upload__"
UPLOAD_KINDS = ("report", "evidence", "evidence_form", "workbook")

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


def max_workbook_bytes(settings: Any) -> int:
    """An uploaded plan or template: the workbook reader's own ceiling (a workbook is zipped XML,
    so its size on the wire says little about what it unpacks to), and never above the report limit."""
    from luoshi.export.safe_open import MAX_UPLOAD_BYTES

    return min(MAX_UPLOAD_BYTES, settings.max_upload_bytes)


def _mb(n: int) -> str:
    return f"{n / MB:g} MB"


@dataclass(frozen=True)
class Limit:
    body: int  # the whole body, bytes
    part: int | None  # each part of a multipart upload (files and fields), bytes
    message: str  # Chinese, shown with the 413


def body_limits(settings: Any) -> dict[str, Limit]:
    """The one table: kind of route → its limits and the message when one is passed."""
    evidence, report, json_, form = (settings.max_evidence_bytes, settings.max_upload_bytes,
                                     settings.max_json_bytes, settings.max_form_bytes)
    workbook = max_workbook_bytes(settings)
    return {
        "json": Limit(json_, None, f"请求内容过大：JSON 请求体最多 {_mb(json_)}"),
        "form": Limit(form, None, f"请求内容过大：表单最多 {_mb(form)}"),
        "other": Limit(form, None, f"请求内容过大：最多 {_mb(form)}"),
        "report": Limit(report + MULTIPART_OVERHEAD, report, f"上传的文件过大：报告文件最多 {_mb(report)}"),
        "evidence": Limit(evidence + MULTIPART_OVERHEAD, evidence, f"上传的文件过大：每个证明材料最多 {_mb(evidence)}"),
        "workbook": Limit(workbook + MULTIPART_OVERHEAD, workbook, f"上传的文件过大：工作簿最多 {_mb(workbook)}"),
        "evidence_form": Limit(evidence * MAX_EVIDENCE_FILES + MULTIPART_OVERHEAD, evidence,
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
        for route, upload_kind in upload_routes():
            if route.matches(scope)[0] is Match.FULL:
                return upload_kind
    return "other"


@cache
def upload_routes() -> list[tuple[BaseRoute, str]]:
    """The routes whose view is marked with :func:`upload`, and the kind of upload each takes."""
    from luoshi.web.views import ROUTERS

    return [(route, kind) for router in ROUTERS for route in router.routes
            if (kind := getattr(getattr(route, "endpoint", None), UPLOAD_ATTRIBUTE, None))]


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


async def read_form(request: Request, settings: Any) -> FormData:
    """The submitted form: files spooled to temporary files as they arrive (at most
    :data:`MAX_EVIDENCE_FILES`), each text field at most the form limit. Starlette keeps the first
    parse, so every reader of a form goes through here."""
    try:
        return await request.form(max_files=MAX_EVIDENCE_FILES, max_part_size=settings.max_form_bytes)
    except StarletteHTTPException as exc:
        if exc.status_code != 400:
            raise
        raise ValidationError(f"表单无法读取：每次最多上传 {MAX_EVIDENCE_FILES} 个文件，"
                              f"每个文字字段最多 {_mb(settings.max_form_bytes)}") from exc


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when the body passes its ceiling (FastAPI re-raises it as is)."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=413, detail=message, headers={"Connection": "close"})


class PartMeter:
    """Counts the bytes of each part of a multipart body as it streams past, so that one file over
    its limit is refused when it passes the limit, not after the whole body has been spooled.

    A passive second reading of the body with the same parser Starlette uses (python-multipart,
    linear); a body it cannot parse is left to Starlette's parser to refuse.
    """

    def __init__(self, scope: Scope, limit: int, message: str) -> None:
        self.limit, self.message, self.size = limit, message, 0
        header = next((v for k, v in scope.get("headers", []) if k == b"content-type"), b"")
        _, params = parse_options_header(header)
        boundary = params.get(b"boundary")
        self.parser: MultipartParser | None = MultipartParser(boundary, callbacks={
            "on_part_begin": self._begin, "on_part_data": self._data}) if boundary else None

    def _begin(self) -> None:
        self.size = 0

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.size += end - start
        if self.size > self.limit:
            raise BodyTooLarge(self.message)

    def feed(self, chunk: bytes) -> None:
        if self.parser is None or not chunk:
            return
        try:
            self.parser.write(chunk)
        except BodyTooLarge:
            raise
        except Exception:  # malformed: Starlette's own parser answers that
            self.parser = None


class BodyLimit:
    """ASGI middleware: the limits of :func:`body_limits` for every HTTP request body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kind = route_kind(scope)
        limit = body_limits(scope["app"].state.settings)[kind]
        declared = content_length(scope)
        if declared is not None and declared > limit.body:
            await refuse(scope, send, limit.message)
            return
        meter = PartMeter(scope, limit.part, limit.message) if limit.part is not None else None
        received = 0

        async def counted() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                chunk = msg.get("body", b"")
                received += len(chunk)
                if received > limit.body:
                    raise BodyTooLarge(limit.message)
                if meter is not None:
                    meter.feed(chunk)
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
