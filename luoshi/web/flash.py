"""The message banner shown after a form is sent (``?msg=…`` green, ``?err=…`` red).

Why: a banner is the site speaking with its own voice, so its text must never come from whoever
wrote the link (``/?err=账号已冻结，请致电…`` would otherwise show as an official red alert). The
query parameters therefore carry only codes from :data:`MESSAGES`; an unknown code shows nothing.
A message that names particular things (a period, a file, a number) cannot be a fixed code: the
server puts it in a signed, short-lived cookie for the page it redirects to (:func:`remember`),
and the page shows it once (:func:`banner`) — only text this server signed can appear there.
"""

from __future__ import annotations

import base64
import hmac
import json
import time
import zlib

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from luoshi.web import signing

COOKIE = "luoshi_flash"
TTL_SECONDS = 120
MAX_CHARS = 300  # keeps the signed cookie well under the browsers' 4 KB

# code → (kind, text). "done" / "failed" stand for a message carried by the cookie, and are what
# the page says when the cookie did not come back (cookies off, link opened elsewhere).
MESSAGES: dict[str, tuple[str, str]] = {
    "done": ("msg", "操作已完成"),
    "failed": ("err", "操作未完成，请检查后重试"),
    "no-file": ("err", "请选择要上传的报告文件"),
    "no-report": ("err", "请先导入报告"),
    "unknown-action": ("err", "未知操作"),
}
KINDS = ("msg", "err")
GENERIC = {"msg": "done", "err": "failed"}


def code_for(kind: str, text: str) -> str | None:
    """The fixed code whose message is ``text`` exactly, if there is one."""
    return next((code for code, (k, t) in MESSAGES.items() if k == kind and t == text), None)


def remember(response: Response, request: Request, secret: bytes, kind: str, text: str, target: str) -> None:
    """Carry ``text`` to the page at ``target`` in a signed cookie that lives two minutes."""
    path = target.split("?", 1)[0]
    token = signing.sign(secret, "flash", {"k": kind, "t": text[:MAX_CHARS], "u": path}, ttl=TTL_SECONDS)
    response.set_cookie(COOKIE, token, max_age=TTL_SECONDS, path="/", httponly=True, samesite="lax",
                        secure=request.url.scheme == "https")


def banner(request: Request, secret: bytes) -> tuple[dict[str, str | None], bool]:
    """What the page shows, ``{"msg": text or None, "err": text or None}``, and whether the cookie
    was used up (shown here, or no longer valid) so the response should delete it.

    The signed cookie wins when it was made for this page and its kind's code is in the query;
    otherwise each parameter shows its fixed message, and anything else shows nothing.
    """
    shown: dict[str, str | None] = {"msg": None, "err": None}
    for kind in KINDS:
        entry = MESSAGES.get(request.query_params.get(kind) or "")
        if entry and entry[0] == kind:
            shown[kind] = entry[1]
    token = request.cookies.get(COOKIE)
    if not token:
        return shown, False
    try:
        body = signing.unsign(secret, "flash", token)
    except signing.BadToken:
        return shown, True
    kind, text = body.get("k"), body.get("t")
    if body.get("u") != request.url.path:
        return shown, False  # made for another page (e.g. opened in another tab meanwhile)
    if kind in KINDS and isinstance(text, str) and request.query_params.get(kind) == GENERIC[kind]:
        shown[kind] = text
    return shown, True


def forget(response: Response) -> None:
    """Delete the cookie (it is shown once)."""
    response.delete_cookie(COOKIE, path="/")


# ---- what the user typed, carried back to the form a refusal returns to ----------------------
# A refused form goes back to its page (PRG) and must show what was typed, not an empty form.
# The values travel like the banner: signed, for one page, shown once; compressed, since a
# cookie holds about 4 KB. A form too large to carry (the longest narratives) is re-rendered by
# its own view instead (``luoshi.web.views.forms.attempt(page=…)``).
TYPED_COOKIE = "luoshi_typed"
TYPED_TTL_SECONDS = 15 * 60  # long enough to log in again when the session had ended
TYPED_MAX_CHARS = 3600


def _pack(secret: bytes, body: dict) -> str:
    packed = zlib.compress(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(), 9)
    raw = base64.urlsafe_b64encode(packed).decode()
    return f"{raw}.{signing.mac(secret, 'typed', raw)}"


def _unpack(secret: bytes, token: str) -> dict | None:
    raw, _, mac = token.partition(".")
    if not raw or not hmac.compare_digest(mac, signing.mac(secret, "typed", raw)):
        return None
    try:
        body = json.loads(zlib.decompress(base64.urlsafe_b64decode(raw)))
    except (ValueError, zlib.error):
        return None
    if not isinstance(body, dict) or not isinstance(body.get("f"), dict) or body.get("exp", 0) < time.time():
        return None
    return body


NOT_TYPED = {"csrf_token", "version"}  # fields the page sets, not the person


def typed_fields(form: FormData | None) -> dict[str, str]:
    """The text a person typed or chose in ``form``: files, the page's own hidden fields and
    passwords (never written to a cookie) left out."""
    if form is None:
        return {}
    return {k: v for k, v in form.multi_items()
            if isinstance(v, str) and k not in NOT_TYPED and "password" not in k and "\x00" not in v}


def remember_typed(response: Response, request: Request, secret: bytes, fields: dict[str, str], target: str) -> None:
    """Carry ``fields`` (name → text typed) to the page at ``target``; the longest fields are left
    out when all of them would not fit in a cookie."""
    kept = dict(fields)
    kept["_action"] = request.url.path  # the form that was sent: a page of many forms refills that one
    path = target.split("?", 1)[0]
    while kept:
        token = _pack(secret, {"f": kept, "u": path, "exp": int(time.time() + TYPED_TTL_SECONDS)})
        if len(token) <= TYPED_MAX_CHARS:
            response.set_cookie(TYPED_COOKIE, token, max_age=TYPED_TTL_SECONDS, path="/", httponly=True,
                                samesite="lax", secure=request.url.scheme == "https")
            return
        del kept[max((k for k in kept if k != "_action"), key=lambda k: len(kept[k]), default="_action")]


def typed(request: Request, secret: bytes) -> tuple[dict[str, str], bool]:
    """The values typed into this page's form before a refusal, and whether the cookie should go."""
    token = request.cookies.get(TYPED_COOKIE)
    if not token:
        return {}, False
    body = _unpack(secret, token)
    if body is None:
        return {}, True
    if body.get("u") != request.url.path:
        return {}, False
    return {str(k): str(v) for k, v in body["f"].items()}, True


def forget_typed(response: Response) -> None:
    response.delete_cookie(TYPED_COOKIE, path="/")
