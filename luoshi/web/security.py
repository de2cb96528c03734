"""Response headers every page gets (CSP without inline script, framing, sniffing, referrer).

A plain ASGI middleware: cheap, and it also sets the pre-login CSRF nonce cookie and clears an
expired session cookie when a view asked for it via ``request.state``.
"""

from __future__ import annotations

from typing import Any

from luoshi.web.auth import ANON_COOKIE, SESSION_COOKIE

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

STATIC_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"
        static = scope.get("path", "").startswith("/static/")

        async def send_wrapper(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [h for h in STATIC_HEADERS if h[0] not in names]
                if not static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if secure:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                state = scope.get("state") or {}
                nonce = state.get("new_anon_nonce")
                if nonce:
                    cookie = f"{ANON_COOKIE}={nonce}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
                    headers.append((b"set-cookie", cookie.encode()))
                if state.get("clear_session"):
                    headers.append((b"set-cookie", f"{SESSION_COOKIE}=; Path=/; Max-Age=0".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)
